#include "core/net/socket_util.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace core::net {

bool set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

int open_listen_socket(const SocketAddr& addr, bool stream, bool reuse_port) {
  int fd =
      ::socket(addr.af(), (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (reuse_port) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
  if (addr.af() == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
  if (::bind(fd, addr.sa(), addr.len()) != 0 || (stream && ::listen(fd, 1024) != 0)) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

SocketAddr local_address(int fd) {
  SocketAddr a;
  socklen_t len = SocketAddr::capacity();
  if (::getsockname(fd, a.sa(), &len) == 0) a.set_len(len);
  return a;
}

}  // namespace core::net
