#pragma once
// Receive buffers for the UDP sockets of the options mode, shared by all of them (one event loop,
// one socket read at a time): one recvmmsg(2) takes up to kBatch datagrams at once.
#include <sys/socket.h>

#include <cstddef>
#include <string_view>
#include <vector>

namespace sipbench {

class UdpReceiver {
 public:
  static constexpr size_t kBatch = 32;
  static constexpr size_t kSize = 8192;  // an OPTIONS answer is a few hundred bytes

  UdpReceiver();
  // Datagrams read from `fd` without waiting; -1 and errno as recvmmsg(2).
  int receive(int fd);
  std::string_view datagram(int i) const;
  bool truncated(int i) const;
  size_t capacity() const { return kBatch; }

 private:
  std::vector<char> storage_;
  std::vector<iovec> iov_;
  std::vector<mmsghdr> headers_;
};

}  // namespace sipbench
