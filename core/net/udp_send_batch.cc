#include "core/net/udp_send_batch.h"

#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <new>

namespace core::net {

bool UdpSendBatch::take(int fd, const SocketAddr& dst, std::string_view data) {
  if (!known_ || fd != fd_ || !(dst == dst_)) return false;
  if (count_ == kMaxDatagrams || data.size() > kBytes - used_) return false;
  if (!bytes_) {
    bytes_.reset(new (std::nothrow) char[kBytes]);
    if (!bytes_) return false;
  }
  std::memcpy(bytes_.get() + used_, data.data(), data.size());
  length_[count_++] = static_cast<uint32_t>(data.size());
  used_ += data.size();
  return true;
}

bool UdpSendBatch::sent(int fd, const SocketAddr& dst) {
  if (known_ && fd == fd_ && dst == dst_) return false;
  const bool was_idle = !known_;  // nothing is queued without a datagram sent first
  if (count_ == 0) {              // a new destination once the queued ones to the last have left
    fd_ = fd;
    dst_ = dst;
    known_ = true;
  }
  return was_idle;
}

UdpSendBatch::Flushed UdpSendBatch::flush() {
  Flushed out;
  out.dst = dst_;
  if (count_ > 0) {
    std::array<iovec, kMaxDatagrams> iov;
    std::array<mmsghdr, kMaxDatagrams> msgs{};
    char* at = bytes_.get();
    for (size_t i = 0; i < count_; ++i) {
      iov[i] = iovec{at, length_[i]};
      at += length_[i];
      msghdr& h = msgs[i].msg_hdr;
      h.msg_name = const_cast<sockaddr*>(dst_.sa());
      h.msg_namelen = dst_.len();
      h.msg_iov = &iov[i];
      h.msg_iovlen = 1;
    }
    size_t i = 0;
    while (i < count_) {
      int n = ::sendmmsg(fd_, msgs.data() + i, static_cast<unsigned>(count_ - i), 0);
      if (n > 0) {
        i += static_cast<size_t>(n);
        out.sent += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {  // this one failed (as its own sendto would have); the rest are tried
        out.error = n < 0 ? errno : EIO;
        ++out.failed;
        ++i;
      }
    }
  }
  count_ = 0;
  used_ = 0;
  known_ = false;
  return out;
}

}  // namespace core::net
