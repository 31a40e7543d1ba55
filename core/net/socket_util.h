#pragma once
// Socket creation for listeners and outbound connections.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "core/net/socket_addr.h"

namespace core::net {

// True when another process already holds `addr` (SO_REUSEPORT would otherwise let a second
// ser silently share the port with the first: Linux allows it for the same user).
bool address_taken(const SocketAddr& addr, bool stream);

bool set_nonblocking(int fd);
// A bound UDP or listening TCP socket (non-blocking, close-on-exec, SO_REUSEADDR, SO_REUSEPORT
// when `reuse_port`, IPV6_V6ONLY on IPv6 so that a v4 and a v6 listener can share a port).
// Returns the fd or -1 with errno set.
int open_listen_socket(const SocketAddr& addr, bool stream, bool reuse_port);
// Kamailio's maxbuffer probing for one buffer of a socket (SO_RCVBUF when `receive`, else
// SO_SNDBUF): `want` bytes past net.core.rmem_max/wmem_max when the process may
// (SO_RCVBUFFORCE/SO_SNDBUFFORCE, CAP_NET_ADMIN), else halving from `want` until the kernel
// takes it (it caps a request at the sysctl's maximum); 0 leaves the kernel's default. Returns
// what the socket then has as getsockopt reports it (the kernel doubles what it is asked, for
// its bookkeeping), or -1.
int size_socket_buffer(int fd, bool receive, size_t want);
// The locally bound address of fd.
SocketAddr local_address(int fd);

// What the kernel holds of a TCP socket's output: `queued`, bytes the peer has not acknowledged
// yet, sent or not (SIOCOUTQ); `acked`, the running count of bytes it acknowledged (TCP_INFO's
// tcpi_bytes_acked, Linux 4.1). False when the kernel does not say.
struct TcpOutput {
  size_t queued = 0;
  uint64_t acked = 0;
};
bool tcp_output(int fd, TcpOutput& out);
// TCP_USER_TIMEOUT (RFC 5482): the kernel drops the connection when sent data stays
// unacknowledged this long, zero-window probes included (Linux 5.x), also after close().
bool set_tcp_user_timeout(int fd, std::chrono::milliseconds timeout);
// The TCP_USER_TIMEOUT (ms) for a connection with this send timeout: twice it, a backstop to the
// send deadline (Connection::apply_user_timeout).
uint32_t tcp_user_timeout_for(std::chrono::milliseconds send_timeout);

}  // namespace core::net
