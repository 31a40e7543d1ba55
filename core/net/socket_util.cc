#include "core/net/socket_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstring>

namespace core::net {

bool set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

bool address_taken(const SocketAddr& addr, bool stream) {
  int fd = ::socket(addr.af(), (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int on = 1;
  // TCP: SO_REUSEADDR so that a TIME_WAIT left by our previous run does not count; a socket
  // in LISTEN still does. UDP: without it, any bound socket counts.
  if (stream) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (addr.af() == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
  bool taken = ::bind(fd, addr.sa(), addr.len()) != 0 && errno == EADDRINUSE;
  ::close(fd);
  return taken;
}

int open_listen_socket(const SocketAddr& addr, bool stream, bool reuse_port) {
  int fd =
      ::socket(addr.af(), (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (reuse_port) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
  if (addr.af() == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
  // Accepted connections inherit it from the listening socket: no system call per connection.
  if (stream) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  // A wildcard UDP socket must learn which local address each datagram was sent to: the proxy
  // puts it in Via/Record-Route.
  if (!stream && addr.is_any()) {
    if (addr.af() == AF_INET) setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
    if (addr.af() == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
  }
  if (::bind(fd, addr.sa(), addr.len()) != 0 || (stream && ::listen(fd, 1024) != 0)) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

int size_socket_buffer(int fd, bool receive, size_t want) {
  const int opt = receive ? SO_RCVBUF : SO_SNDBUF;
  const int force = receive ? SO_RCVBUFFORCE : SO_SNDBUFFORCE;
  constexpr size_t kSmallest = 64 * 1024;
  if (want > 0) {
    int bytes = static_cast<int>(std::min<size_t>(want, INT_MAX / 2));
    if (::setsockopt(fd, SOL_SOCKET, force, &bytes, sizeof(bytes)) != 0) {
      while (::setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof(bytes)) != 0 &&
             static_cast<size_t>(bytes) > kSmallest)
        bytes /= 2;
    }
  }
  int got = 0;
  socklen_t len = sizeof(got);
  return ::getsockopt(fd, SOL_SOCKET, opt, &got, &len) == 0 ? got : -1;
}

SocketAddr local_address(int fd) {
  SocketAddr a;
  socklen_t len = SocketAddr::capacity();
  if (::getsockname(fd, a.sa(), &len) == 0) a.set_len(len);
  return a;
}

bool tcp_output(int fd, TcpOutput& out) {
  int queued = 0;
  if (::ioctl(fd, SIOCOUTQ, &queued) != 0 || queued < 0) return false;
  tcp_info info{};
  socklen_t len = sizeof(info);
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
      len < offsetof(tcp_info, tcpi_bytes_acked) + sizeof(info.tcpi_bytes_acked))
    return false;
  out.queued = static_cast<size_t>(queued);
  out.acked = info.tcpi_bytes_acked;
  return true;
}

uint32_t tcp_user_timeout_for(std::chrono::milliseconds send_timeout) {
  return static_cast<uint32_t>(std::clamp<int64_t>(2 * send_timeout.count(), 0, UINT32_MAX));
}

bool set_tcp_user_timeout(int fd, std::chrono::milliseconds timeout) {
  unsigned int ms = static_cast<unsigned int>(timeout.count());
  return ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms)) == 0;
}

}  // namespace core::net
