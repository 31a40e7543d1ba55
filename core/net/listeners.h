#pragma once
// The listen sockets of a Net (internal to core/net), opened before start: a UDP ListenSpec is
// bound once per worker (SO_REUSEPORT), a stream one is one socket watched by every worker (see
// listeners.cc); a readable socket is handed to the ListenerReader of its transport (the
// Acceptor, or the UdpEndpoint).
#include <memory>
#include <vector>

#include "core/net/net.h"
#include "core/net/socket_addr.h"
#include "core/net/worker.h"

namespace core::net {

struct NetWorker;

// A UDP socket's buffers as the kernel reports them (getsockopt), -1 when not asked.
struct UdpBuffers {
  int receive = -1;
  int send = -1;
};

class ListenerReader {
 public:
  virtual ~ListenerReader() = default;
  // Listener `id`'s socket of worker `nw` is readable; called on that worker's thread.
  virtual void readable(NetWorker& nw, int id, int fd) = 0;
};

// One listener's socket on one worker.
struct ListenSocket {
  ListenSocket(NetWorker& owner, int listener, int socket);
  ~ListenSocket();
  ListenSocket(const ListenSocket&) = delete;
  ListenSocket& operator=(const ListenSocket&) = delete;

  NetWorker& nw;
  int id;
  int fd;
  ListenerReader* reader = nullptr;  // set by Listeners::start
  IoEvent ev;
};

class Listeners {
 public:
  Listeners(const NetSettings& settings, const std::vector<std::unique_ptr<NetWorker>>& workers)
      : settings_(settings), workers_(workers) {}
  Listeners(const Listeners&) = delete;
  Listeners& operator=(const Listeners&) = delete;

  // Opens the listener's socket(s) for every worker; the listener id, or -1 (logged) on failure.
  int add(const ListenSpec& spec);
  int count() const { return static_cast<int>(specs_.size()); }
  const ListenSpec& spec(int id) const { return specs_[id]; }
  // The address listener `id` is bound to (with the port the kernel chose for port 0).
  const SocketAddr& address(int id) const { return bound_[id]; }
  // What the kernel granted listener `id`'s UDP sockets (udp_rcvbuf, udp_sndbuf); -1 unknown.
  const UdpBuffers& buffers(int id) const { return buffers_[id]; }
  // The TCP_USER_TIMEOUT (ms) stream listener `id` gives the connections it accepts (twice the
  // send timeout at start: most connections keep it, without a system call each); 0: none.
  uint32_t user_timeout(int id) const { return user_timeouts_[id]; }
  // Worker `worker`'s socket of listener `id`.
  int fd(int worker, int id) const { return sockets_[worker][id]->fd; }
  // Every socket watched, UDP ones read by `udp`, stream ones by `acceptor`.
  void start(ListenerReader& udp, ListenerReader& acceptor);
  // Stream listeners of worker `worker` stop (false) or resume (true) being watched.
  void watch_streams(int worker, bool on);
  // Stop: worker `worker` reads none of its sockets any more and closes its stream ones, so that
  // new clients are refused at once; UDP sockets stay open: other threads may still send from
  // them until the Net is destroyed.
  void shut_down(int worker);

 private:
  void close_partial(int id);
  // Worker 0's socket of stream listener `id`, for another worker (a descriptor of its own).
  int shared_stream_socket(int id) const;
  // TCP_USER_TIMEOUT on a stream listener's socket: what it set (ms), 0 if refused.
  uint32_t set_up_stream(int fd);
  // The buffers of one UDP listener's sockets.
  UdpBuffers set_up_udp(const ListenSpec& spec, const SocketAddr& addr, int id);

  const NetSettings& settings_;
  const std::vector<std::unique_ptr<NetWorker>>& workers_;
  std::vector<ListenSpec> specs_;
  std::vector<SocketAddr> bound_;
  std::vector<UdpBuffers> buffers_;
  std::vector<uint32_t> user_timeouts_;
  // [worker][listener id]
  std::vector<std::vector<std::unique_ptr<ListenSocket>>> sockets_;
};

}  // namespace core::net
