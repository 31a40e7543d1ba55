#include "core/net/acceptor.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/net/connection.h"
#include "core/net/net_context.h"
#include "core/net/net_worker.h"
#include "core/net/plain_socket.h"
#include "core/net/socket_util.h"

namespace core::net {
namespace {

// Connections accepted per readiness of a listener: one when several workers watch it, so that
// a worker about to spend a millisecond on a handshake does not take the next connection from
// an idle one (the listener stays readable: the loop comes back for the rest); with one worker,
// a batch saves trips through the event loop in a burst.
constexpr int kBatchShared = 1;
constexpr int kBatchAlone = 64;

int open_spare() {
  return ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

}  // namespace

Acceptor::Acceptor(NetContext& net, Listeners& listeners,
                   const std::vector<std::unique_ptr<NetWorker>>& workers)
    : net_(net),
      listeners_(listeners),
      spares_(workers.size()),
      batch_(workers.size() > 1 ? kBatchShared : kBatchAlone) {
  for (Spare& s : spares_) s.fd = open_spare();
}

Acceptor::~Acceptor() {
  for (Spare& s : spares_)
    if (s.fd >= 0) ::close(s.fd);
}

void Acceptor::readable(NetWorker& nw, int id, int fd) {
  for (int i = 0; i < batch_ && !nw.stopping; ++i) {
    SocketAddr peer;
    socklen_t len = SocketAddr::capacity();
    int conn_fd = ::accept4(fd, peer.sa(), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (conn_fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {
        if (shed_one(nw, fd)) continue;
        pause_accepting(nw);
        return;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        LOG_ERR("accept on %s failed: %s", listeners_.address(id).to_string().c_str(),
                strerror(errno));
      return;
    }
    peer.set_len(len);
    accept_one(nw, id, conn_fd, peer);
  }
}

// Out of file descriptors: the pending connection would keep the listener readable and spin the
// loop. Give back the spare descriptor, accept and close the connection, take the spare again.
// False when nothing could be shed: another worker took the freed descriptor first (they share
// one table), or there was no spare; counted only when a connection was really refused.
bool Acceptor::shed_one(NetWorker& nw, int listen_fd) {
  Spare& spare = spares_[nw.index()];
  if (spare.fd >= 0) ::close(spare.fd);
  int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd >= 0) ::close(fd);
  spare.fd = open_spare();
  if (fd < 0) return false;
  bump(net_.counters.refused);
  if (refuse_log_.allow()) LOG_ERR("accept: out of file descriptors; connection refused");
  return true;
}

// Without a spare the listeners would stay readable and the worker would spin on accept: they
// rest for 100 ms (nginx rests 500 ms), then take a spare again and resume. Connections waiting
// meanwhile stay in the kernel's backlog.
void Acceptor::pause_accepting(NetWorker& nw) {
  constexpr std::chrono::milliseconds kAcceptPause{100};
  listeners_.watch_streams(nw.index(), false);
  Spare& spare = spares_[nw.index()];
  if (!spare.pause) {
    spare.pause = std::make_unique<Timer>(nw.worker.base(), [this, &nw, &spare] {
      if (nw.stopping) return;
      if (spare.fd < 0) spare.fd = open_spare();
      listeners_.watch_streams(nw.index(), true);
    });
  }
  if (!spare.pause->armed()) spare.pause->arm(kAcceptPause);
}

void Acceptor::accept_one(NetWorker& nw, int listener_id, int fd, const SocketAddr& peer) {
  const ListenSpec& spec = listeners_.spec(listener_id);
  Admission& admission = net_.admission;
  size_t hold = 0;
  // Before anything is made for it (no SSL): the connections up keep what they need.
  if (!admission.admit(spec.transport, false, peer, hold)) {
    ::close(fd);
    return;
  }
  if (!admission.try_acquire_slot(spec.transport, false, peer)) {
    admission.release(hold);
    ::close(fd);
    return;
  }
  if (!admission.try_acquire_ip(peer, spec.transport)) {
    admission.release(hold);
    ::close(fd);
    admission.release_slot();
    return;
  }
  // TCP_NODELAY and TCP_USER_TIMEOUT come from the listening socket (Listeners::add).
  ConnectionParams p;
  p.id = net_.new_connection_id();
  p.fd = fd;
  p.transport = spec.transport;
  p.listener_id = listener_id;
  // Only a wildcard listener leaves the local address to learn (getsockname per connection).
  const SocketAddr& bound = listeners_.address(listener_id);
  p.local = bound.is_any() ? local_address(fd) : bound;
  p.peer = peer;
  p.user_timeout_ms = listeners_.user_timeout(listener_id);
  TransportSocketFactory* factory = spec.factory ? spec.factory : &plain_socket_factory();
  TransportSocketOptions opts{true, p.local, p.peer, p.id, {}};
  PoolPtr<TransportSocket> sock = factory->create(opts, net_.shm);
  const bool socket_made = sock != nullptr;
  PoolPtr<Connection> conn;
  if (socket_made) conn = make_in_pool<Connection>(net_.shm, net_, nw, p, std::move(sock));
  if (!conn) {
    if (socket_made) {
      bump(net_.counters.refused_memory);
      count_allocation_drop();
      if (refuse_log_.allow())
        LOG_WARN(
            "%s connection from %s refused: shared memory budget exhausted (shm in use %zu of "
            "%zu bytes)",
            spec.transport.name(), peer.to_string().c_str(), net_.shm.stats().in_use,
            net_.shm.budget());
    } else {
      // The factory said no and logged why (a per-IP handshake limit, its own memory).
      bump(net_.counters.refused_transport);
    }
    admission.release(hold);
    ::close(fd);
    admission.release_ip(peer);
    admission.release_slot();
    return;
  }
  bump(net_.counters.accepted);
  Connection* c = conn.release();
  c->hold_admission(hold);
  nw.add(c);
  net_.table.add(c->id(), nw.index(), spec.transport, peer);
  c->start_accepted();
}

}  // namespace core::net
