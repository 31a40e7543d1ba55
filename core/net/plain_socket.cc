#include "core/net/plain_socket.h"

#include <sys/socket.h>

#include <cerrno>

#include "core/base/memory_guard.h"

namespace core::net {

PostIoAction PlainSocket::on_connected(int fd, bool /*is_server*/) {
  fd_ = fd;
  return PostIoAction::kKeepOpen;
}

IoResult PlainSocket::do_read(ReadBuffer& buffer) {
  IoResult r;
  std::span<char> space = buffer.prepare(16384);
  if (space.empty()) {  // the pool refused: close rather than spin on a readable fd
    count_allocation_drop();
    r.action = PostIoAction::kClose;
    return r;
  }
  ssize_t n = ::recv(fd_, space.data(), space.size(), 0);
  if (n > 0) {
    buffer.commit(static_cast<size_t>(n));
    r.bytes = static_cast<size_t>(n);
  } else if (n == 0) {
    r.end_of_stream = true;
  } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    r.action = PostIoAction::kClose;
  }
  return r;
}

IoResult PlainSocket::do_write(std::string_view data) {
  IoResult r;
  while (r.bytes < data.size()) {
    ssize_t n = ::send(fd_, data.data() + r.bytes, data.size() - r.bytes, MSG_NOSIGNAL);
    if (n > 0) {
      r.bytes += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    r.action = PostIoAction::kClose;
    break;
  }
  return r;
}

PoolPtr<TransportSocket> PlainSocketFactory::create(const TransportSocketOptions& /*options*/,
                                                    Pool& pool) {
  PoolPtr<PlainSocket> s = make_in_pool<PlainSocket>(pool);
  return PoolPtr<TransportSocket>(s.release(), PoolDeleter{&pool});
}

PlainSocketFactory& plain_socket_factory() {
  static PlainSocketFactory factory;
  return factory;
}

}  // namespace core::net
