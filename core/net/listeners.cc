#include "core/net/listeners.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/base/log.h"
#include "core/net/net_worker.h"
#include "core/net/socket_util.h"

namespace core::net {

ListenSocket::ListenSocket(NetWorker& owner, int listener, int socket)
    : nw(owner),
      id(listener),
      fd(socket),
      ev(
          owner.worker.base(), socket,
          [](evutil_socket_t, short, void* arg) {
            auto* ls = static_cast<ListenSocket*>(arg);
            ls->reader->readable(ls->nw, ls->id, ls->fd);
          },
          this) {}

ListenSocket::~ListenSocket() {
  ev.stop();
  if (fd >= 0) ::close(fd);
}

int Listeners::add(const ListenSpec& spec) {
  if (spec.transport == Transport::kTls && spec.factory == nullptr) {
    LOG_ERR("cannot listen on tls:%s: no TLS socket factory (ser built without TLS?)",
            spec.address.to_string().c_str());
    return -1;
  }
  int id = count();
  bool stream = spec.transport != Transport::kUdp;
  SocketAddr addr = spec.address;
  if (addr.port() != 0 && address_taken(addr, stream)) {
    LOG_ERR("cannot listen on %s:%s: address already in use (another ser running?)",
            spec.transport.name(), addr.to_string().c_str());
    return -1;
  }
  sockets_.resize(workers_.size());
  for (size_t w = 0; w < workers_.size(); ++w) {
    int fd = stream && w > 0 ? shared_stream_socket(id) : open_listen_socket(addr, stream, true);
    if (fd < 0) {
      LOG_ERR("cannot listen on %s:%s: %s", spec.transport.name(), addr.to_string().c_str(),
              strerror(errno));
      close_partial(id);
      return -1;
    }
    // Port 0: the first socket learns the kernel's port, the others bind to that one.
    if (addr.port() == 0) addr = local_address(fd);
    auto ls = std::make_unique<ListenSocket>(*workers_[w], id, fd);
    if (!ls->ev.valid()) {
      LOG_ERR("cannot listen on %s:%s: no event for its socket", spec.transport.name(),
              addr.to_string().c_str());
      sockets_[w].push_back(std::move(ls));
      close_partial(id);
      return -1;
    }
    sockets_[w].push_back(std::move(ls));
  }
  specs_.push_back(spec);
  bound_.push_back(addr);
  user_timeouts_.push_back(stream ? set_up_stream(fd(0, id)) : 0);
  buffers_.push_back(stream ? UdpBuffers{} : set_up_udp(spec, addr, id));
  LOG_INFO("listening on %s:%s", spec.transport.name(), addr.to_string().c_str());
  return id;
}

// Accepted sockets inherit the listening socket's TCP_USER_TIMEOUT (as its TCP_NODELAY).
uint32_t Listeners::set_up_stream(int fd) {
  uint32_t ms = tcp_user_timeout_for(settings_.send_timeout);
  return set_tcp_user_timeout(fd, std::chrono::milliseconds(ms)) ? ms : 0;
}

// A stream listener is one socket that every worker watches (each through its own dup, so that
// each closes its own at stop), not one SO_REUSEPORT socket per worker: the kernel's hash would
// give each new connection to a worker at random, and one busy in a long task (an RSA-3072
// signature costs 1.6 ms, a burst of them tens of ms) would hold up the connections hashed to
// it while another worker sits idle. Shared, a connection is accepted by whichever worker comes
// to it first, one at a time (Acceptor). The cost: each connection wakes every idle worker, all
// but one of which find nothing to accept (libevent 2.1 cannot ask for EPOLLEXCLUSIVE).
int Listeners::shared_stream_socket(int id) const {
  return ::fcntl(sockets_[0][id]->fd, F_DUPFD_CLOEXEC, 0);
}

// One peer (a carrier trunk, an SBC) sends from one address and port, which SO_REUSEPORT's hash
// ties to one worker's socket: that socket needs a buffer that rides out the peer's burst
// (Kamailio's maxbuffer, 4 MB). The datagrams are not spread over the workers at random: two
// workers would reorder one peer's messages (a 200 overtaking its 180 fails the call in sipp).
UdpBuffers Listeners::set_up_udp(const ListenSpec& spec, const SocketAddr& addr, int id) {
  UdpBuffers got;
  for (size_t w = 0; w < workers_.size(); ++w) {
    int fd = sockets_[w][id]->fd;
    got.receive = size_socket_buffer(fd, true, settings_.udp_rcvbuf);
    got.send = size_socket_buffer(fd, false, settings_.udp_sndbuf);
  }
  LOG_DBG("%s:%s: receive buffer %d bytes (udp_rcvbuf %zu), send buffer %d bytes (udp_sndbuf %zu)",
          spec.transport.name(), addr.to_string().c_str(), got.receive, settings_.udp_rcvbuf,
          got.send, settings_.udp_sndbuf);
  return got;
}

// The sockets of a listener that could not be bound on every worker are closed again.
void Listeners::close_partial(int id) {
  for (auto& list : sockets_)
    if (static_cast<int>(list.size()) > id) list.pop_back();
}

void Listeners::start(ListenerReader& udp, ListenerReader& acceptor) {
  for (auto& list : sockets_) {
    for (auto& ls : list) {
      ls->reader = specs_[ls->id].transport == Transport::kUdp ? &udp : &acceptor;
      ls->ev.watch(EV_READ);
    }
  }
}

void Listeners::watch_streams(int worker, bool on) {
  for (auto& ls : sockets_[worker])
    if (specs_[ls->id].transport != Transport::kUdp) ls->ev.watch(on ? EV_READ : 0);
}

void Listeners::shut_down(int worker) {
  if (sockets_.empty()) return;
  for (auto& ls : sockets_[worker]) {
    ls->ev.stop();
    if (specs_[ls->id].transport != Transport::kUdp && ls->fd >= 0) {
      ::close(ls->fd);
      ls->fd = -1;
    }
  }
}

}  // namespace core::net
