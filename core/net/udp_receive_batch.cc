#include "core/net/udp_receive_batch.h"

#include <algorithm>
#include <cstring>

namespace core::net {

UdpReceiveBatch::~UdpReceiveBatch() {
  pool_.deallocate(buf_);
}

// kSlots slots if the pool gives them, else one: a worker short of memory still reads. The
// message headers point at the slots from then on; a read resets only what the kernel wrote.
bool UdpReceiveBatch::reserve() {
  if (buf_ != nullptr) return true;
  for (int n : {kSlots, 1}) {
    buf_ = static_cast<char*>(pool_.allocate(n * kSlotBytes));
    if (buf_ != nullptr) {
      slots_ = n;
      break;
    }
  }
  if (buf_ == nullptr) return false;
  for (int i = 0; i < slots_; ++i) {
    iov_[i] = {buf_ + i * kSlotBytes, kSlotBytes};
    msghdr& mh = msgs_[i].msg_hdr;
    mh.msg_name = src_[i].sa();
    mh.msg_iov = &iov_[i];
    mh.msg_iovlen = 1;
    mh.msg_control = control_[i];
  }
  return true;
}

int UdpReceiveBatch::read(int fd, const SocketAddr& bound) {
  if (!reserve()) return -1;
  for (int i = 0; i < slots_; ++i) {
    msgs_[i].msg_hdr.msg_namelen = SocketAddr::capacity();
    msgs_[i].msg_hdr.msg_controllen = kControl;  // packet info comes on wildcard sockets only
  }
  int n = ::recvmmsg(fd, msgs_.data(), static_cast<unsigned>(slots_), MSG_DONTWAIT, nullptr);
  if (n <= 0) return 0;  // EAGAIN: drained (an error of an earlier sendto is reported here too)
  const bool want_dst = bound.is_any();
  for (int i = 0; i < n; ++i) {
    msghdr& mh = msgs_[i].msg_hdr;
    src_[i].set_len(mh.msg_namelen);
    sizes_[i] = std::min<size_t>(msgs_[i].msg_len, kSlotBytes);
    dst_[i] = bound;
    if (want_dst) destination(mh, dst_[i]);
  }
  return n;
}

// The address the datagram was sent to, from its packet-info message, written into `dst`
// (the socket's wildcard address: same family, and the port stays).
void UdpReceiveBatch::destination(msghdr& mh, SocketAddr& dst) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO && dst.af() == AF_INET) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      reinterpret_cast<sockaddr_in*>(dst.sa())->sin_addr = info.ipi_addr;
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
               dst.af() == AF_INET6) {
      in6_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      reinterpret_cast<sockaddr_in6*>(dst.sa())->sin6_addr = info.ipi6_addr;
    }
  }
}

}  // namespace core::net
