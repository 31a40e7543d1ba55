#pragma once
// One worker's UDP datagrams to the next hop of this turn of its loop (internal to core/net):
// the first datagram to a destination is sent at once, so a send that fails says so to its
// caller (a next target is then tried); once one has left, later ones to the same socket and
// destination wait until the turn ends and leave together in one sendmmsg. The forwards of one
// TLS read (8 pipelined requests to one next hop) cost two system calls instead of eight.
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/net/socket_addr.h"

namespace core::net {

class UdpSendBatch {
 public:
  static constexpr size_t kMaxDatagrams = 32;
  static constexpr size_t kBytes = 32 * 1024;

  UdpSendBatch() = default;
  UdpSendBatch(const UdpSendBatch&) = delete;
  UdpSendBatch& operator=(const UdpSendBatch&) = delete;

  // Queues `data` for (fd, dst) when a datagram to them already left in this turn and it fits;
  // false: the caller sends it now (after flush() when holds(dst), to keep the order).
  bool take(int fd, const SocketAddr& dst, std::string_view data);
  bool holds(const SocketAddr& dst) const { return count_ > 0 && dst == dst_; }
  // A datagram to (fd, dst) left now. True when the turn's end must be told (the batch was
  // idle): the owner calls flush() then.
  bool sent(int fd, const SocketAddr& dst);
  struct Flushed {
    size_t sent = 0;
    size_t failed = 0;
    int error = 0;  // errno of the last failure
    SocketAddr dst;
  };
  // Sends what is queued and ends the turn.
  Flushed flush();
  bool empty() const { return count_ == 0; }
  bool turn_open() const { return known_; }

 private:
  int fd_ = -1;
  bool known_ = false;  // a datagram to (fd_, dst_) left this turn
  SocketAddr dst_;
  size_t count_ = 0;
  size_t used_ = 0;
  std::array<uint32_t, kMaxDatagrams> length_{};
  std::unique_ptr<char[]> bytes_;  // allocated on first use: an idle worker holds none
};

}  // namespace core::net
