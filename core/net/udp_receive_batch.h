#pragma once
// One worker's reads of a UDP socket (internal to core/net): up to kSlots datagrams in one
// recvmmsg(2), each into a slot of its own as large as a datagram can be, so a burst from a
// trunk costs one system call per kSlots datagrams instead of one each, and a read that
// returns fewer than kSlots needs no further call to learn the socket is drained (the loop is
// level-triggered: what arrives meanwhile wakes it again). The slots are taken from the
// worker's pool once and kept; the kernel writes only the bytes each datagram has, so pages of
// a slot never used stay untouched.
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <string_view>

#include "core/base/pool.h"
#include "core/net/socket_addr.h"

namespace core::net {

class UdpReceiveBatch {
 public:
  static constexpr int kSlots = 8;
  static constexpr size_t kSlotBytes = 65536;  // the largest UDP payload fits (65,507 on IPv4)

  explicit UdpReceiveBatch(Pool& pool) : pool_(pool) {}
  ~UdpReceiveBatch();
  UdpReceiveBatch(const UdpReceiveBatch&) = delete;
  UdpReceiveBatch& operator=(const UdpReceiveBatch&) = delete;

  // Reads what `fd` holds, up to kSlots datagrams (fewer slots when the pool cannot give them
  // all). `bound` is the socket's address: a datagram's destination is `bound`, or for a
  // wildcard address the one IP_PKTINFO/IPV6_PKTINFO names, with bound's port. Returns the
  // count read; 0 when nothing was waiting or on an error (errno says which); -1 when the pool
  // refused even one slot.
  int read(int fd, const SocketAddr& bound);
  // The slots' capacity, in datagrams (0 before the first read).
  int slots() const { return slots_; }

  std::string_view data(int i) const { return {buf_ + i * kSlotBytes, sizes_[i]}; }
  const SocketAddr& src(int i) const { return src_[i]; }
  const SocketAddr& dst(int i) const { return dst_[i]; }

 private:
  bool reserve();
  static void destination(msghdr& mh, SocketAddr& dst);

  // Room for one IPv4 or IPv6 packet-info message per slot.
  static constexpr size_t kControl =
      CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo));

  Pool& pool_;
  char* buf_ = nullptr;
  int slots_ = 0;
  std::array<mmsghdr, kSlots> msgs_{};
  std::array<iovec, kSlots> iov_{};
  std::array<SocketAddr, kSlots> src_{};
  std::array<SocketAddr, kSlots> dst_{};
  std::array<size_t, kSlots> sizes_{};
  alignas(cmsghdr) char control_[kSlots][kControl];
};

}  // namespace core::net
