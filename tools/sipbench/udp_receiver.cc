#include "tools/sipbench/udp_receiver.h"

namespace sipbench {

UdpReceiver::UdpReceiver() : storage_(kBatch * kSize), iov_(kBatch), headers_(kBatch) {
  for (size_t i = 0; i < kBatch; ++i) {
    iov_[i] = {storage_.data() + i * kSize, kSize};
    headers_[i].msg_hdr.msg_iov = &iov_[i];
    headers_[i].msg_hdr.msg_iovlen = 1;
  }
}

int UdpReceiver::receive(int fd) {
  return recvmmsg(fd, headers_.data(), static_cast<unsigned>(kBatch), MSG_DONTWAIT, nullptr);
}

std::string_view UdpReceiver::datagram(int i) const {
  const auto& h = headers_[static_cast<size_t>(i)];
  return {static_cast<const char*>(h.msg_hdr.msg_iov->iov_base), h.msg_len};
}

bool UdpReceiver::truncated(int i) const {
  return (headers_[static_cast<size_t>(i)].msg_hdr.msg_flags & MSG_TRUNC) != 0;
}

}  // namespace sipbench
