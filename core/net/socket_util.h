#pragma once
// Socket creation for listeners and outbound connections.
#include "core/net/socket_addr.h"

namespace core::net {

bool set_nonblocking(int fd);
// A bound UDP or listening TCP socket (non-blocking, close-on-exec, SO_REUSEADDR, SO_REUSEPORT
// when `reuse_port`, IPV6_V6ONLY on IPv6 so that a v4 and a v6 listener can share a port).
// Returns the fd or -1 with errno set.
int open_listen_socket(const SocketAddr& addr, bool stream, bool reuse_port);
// The locally bound address of fd.
SocketAddr local_address(int fd);

}  // namespace core::net
