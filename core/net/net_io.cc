// Net's data path: receiving on listeners, accepting, sending and connecting.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "core/base/log.h"
#include "core/net/connection.h"
#include "core/net/net.h"
#include "core/net/net_worker.h"
#include "core/net/plain_socket.h"
#include "core/net/socket_util.h"

namespace core::net {
namespace {

constexpr size_t kMaxDatagram = 65535;
constexpr int kBatch = 64;

// What a TLS handshake allocates above the connection's steady figure before it completes:
// OpenSSL 3's record buffers, key shares and certificate messages, measured at about 55 kB
// over a TLS 1.3 handshake with an RSA-2048 or P-256 key (SSL_MODE_RELEASE_BUFFERS on).
constexpr size_t kHandshakeHoldBytes = 64 * 1024;

PlainSocketFactory& default_factory() {
  static PlainSocketFactory factory;
  return factory;
}

// " (N more not logged)" after a throttled line, or nothing.
std::string suppressed_note(LogThrottle& throttle) {
  uint64_t n = throttle.take_suppressed();
  return n == 0 ? std::string() : " (" + std::to_string(n) + " more not logged)";
}

bool only_crlf(std::string_view data) {
  return data.find_first_not_of("\r\n") == std::string_view::npos;
}

}  // namespace

const size_t kPlainConnectionBytes = sizeof(Connection) + sizeof(PlainSocket);

// A plain connection costs its objects, made at once; a TLS one what a TLS connection holds on
// average (at least a plain one's objects). An outbound TLS connection starts its handshake at
// once and reserves its peak now, until the handshake is done; an accepted one reserves it when
// its ClientHello arrives (admit_handshake): a silent peer must not hold 64 KiB of the budget
// for tls_handshake_timeout, or a few hundred of them lock every new client out.
bool Net::admit(Transport t, bool outbound, const SocketAddr& peer, size_t& hold) {
  size_t cost = kPlainConnectionBytes;
  hold = 0;
  if (t == Transport::kTls) {
    if (outbound) hold = kHandshakeHoldBytes;
    cost = std::max(avg_tls_connection_bytes(), kPlainConnectionBytes) + hold;
  }
  auto kind = outbound ? MemoryGuard::Kind::kHandshake : MemoryGuard::Kind::kConnection;
  if (guard_.admit(cost, hold, kind)) return true;
  log_refusal(t, outbound, peer, cost);
  return false;
}

bool Net::admit_handshake(Connection& conn) {
  if (conn.outbound()) return true;  // reserved at the connect
  size_t hold = kHandshakeHoldBytes;
  if (!guard_.admit(hold, hold, MemoryGuard::Kind::kConnection)) {
    log_refusal(conn.transport(), false, conn.peer(), hold);
    return false;
  }
  conn.hold_admission(hold);  // an accepted connection holds none before this
  return true;
}

void Net::log_refusal(Transport t, bool outbound, const SocketAddr& peer, size_t cost) {
  if (guard_log_.allow()) {
    MemoryGuardStats g = guard_.stats();
    LOG_WARN(
        "%s %s %s refused: the shared memory budget is nearly spent (shm %zu of %zu bytes in "
        "use, %zu held for handshakes in progress, this one needs %zu; refusing above %zu, "
        "accepting again below %zu; raise -m / shm_mem_size)%s",
        t.name(), outbound ? "connect to" : "connection from", peer.to_string().c_str(),
        shm_.in_use(), shm_.budget(), g.reserved, cost, g.high_water, g.low_water,
        suppressed_note(guard_log_).c_str());
  }
}

void Net::udp_ready(NetWorker& nw, int listener_id) {
  ListenSocket& ls = nw.listeners[listener_id];
  ByteBuffer& scratch = nw.worker.scratch();
  std::span<char> space = scratch.prepare(kMaxDatagram + 1);
  if (space.size() <= kMaxDatagram) {
    drop_datagrams(ls.fd, listener_id);
    return;
  }
  const SocketAddr& bound = bound_[listener_id];
  for (int i = 0; i < kBatch; ++i) {
    SocketAddr src;
    SocketAddr dst = bound;
    ssize_t n =
        recv_datagram(ls.fd, space.data(), space.size(), src, bound.is_any() ? &dst : nullptr);
    if (n < 0) break;  // EAGAIN: drained (errors of earlier sendto calls are ignored too)
    std::string_view data(space.data(), static_cast<size_t>(n));
    if (data.empty() || only_crlf(data)) {  // NAT keep-alives (RFC 5626 §3.5.1 uses STUN/CRLF)
      bump(counters_->pings);
      continue;
    }
    if (data.size() > settings_.max_message_size) {
      bump(counters_->too_big);
      if (drop_log_.allow())
        LOG_WARN("udp datagram of %zu bytes from %s over max_message_size; dropped", data.size(),
                 src.to_string().c_str());
      continue;
    }
    bump(counters_->udp_received);
    bump(counters_->received[Transport(Transport::kUdp).index()]);
    ReceivedMessage msg{Transport::kUdp, src, dst, 0, listener_id, nw.worker.index(), data};
    handler_.on_message(msg);
  }
  scratch.clear();
}

// No buffer to read into (the worker's pool refused it): the datagrams waiting are dropped and
// counted, or the listener would stay readable and spin the loop until memory came back.
void Net::drop_datagrams(int fd, int listener_id) {
  int dropped = 0;
  char byte;
  while (dropped < kBatch && ::recv(fd, &byte, 1, MSG_TRUNC | MSG_DONTWAIT) >= 0) {
    ++dropped;
    count_allocation_drop();
  }
  if (dropped > 0 && drop_log_.allow())
    LOG_WARN("udp:%s: %d datagrams dropped: no memory to read them (worker pool exhausted)%s",
             bound_[listener_id].to_string().c_str(), dropped, suppressed_note(drop_log_).c_str());
}

void Net::accept_ready(NetWorker& nw, int listener_id) {
  ListenSocket& ls = nw.listeners[listener_id];
  for (int i = 0; i < kBatch && !nw.stopping; ++i) {
    SocketAddr peer;
    socklen_t len = SocketAddr::capacity();
    int fd = ::accept4(ls.fd, peer.sa(), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {
        if (shed_one(nw, ls.fd)) continue;
        pause_accepting(nw);
        return;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        LOG_ERR("accept on %s failed: %s", bound_[listener_id].to_string().c_str(),
                strerror(errno));
      return;
    }
    peer.set_len(len);
    accept_one(nw, listener_id, fd, peer);
  }
}

// Out of file descriptors: the pending connection would keep the listener readable and spin the
// loop. Give back the spare descriptor, accept and close the connection, take the spare again.
// False when nothing could be shed: another worker took the freed descriptor first (they share
// one table), or there was no spare; counted only when a connection was really refused.
bool Net::shed_one(NetWorker& nw, int listen_fd) {
  if (nw.spare_fd >= 0) ::close(nw.spare_fd);
  int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd >= 0) ::close(fd);
  nw.spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bump(counters_->refused);
  if (refuse_log_.allow()) LOG_ERR("accept: out of file descriptors; connection refused");
  return true;
}

// Without a spare the listeners would stay readable and the worker would spin on accept: they
// rest for 100 ms (nginx rests 500 ms), then take a spare again and resume. Connections waiting
// meanwhile stay in the kernel's backlog.
void Net::pause_accepting(NetWorker& nw) {
  constexpr std::chrono::milliseconds kAcceptPause{100};
  for (ListenSocket& l : nw.listeners)
    if (l.ev != nullptr && specs_[l.id].transport != Transport::kUdp) event_del(l.ev);
  if (!nw.accept_pause) {
    nw.accept_pause = std::make_unique<Timer>(nw.worker.base(), [this, &nw] {
      if (nw.stopping) return;
      if (nw.spare_fd < 0) nw.spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      for (ListenSocket& l : nw.listeners)
        if (l.ev != nullptr && specs_[l.id].transport != Transport::kUdp) event_add(l.ev, nullptr);
    });
  }
  if (!nw.accept_pause->armed()) nw.accept_pause->arm(kAcceptPause);
}

void Net::accept_one(NetWorker& nw, int listener_id, int fd, const SocketAddr& peer) {
  const ListenSpec& spec = specs_[listener_id];
  size_t hold = 0;
  // Before anything is made for it (no SSL): the connections up keep what they need.
  if (!admit(spec.transport, false, peer, hold)) {
    ::close(fd);
    return;
  }
  if (!try_acquire_slot()) {
    guard_.release(hold);
    bump(counters_->refused);
    if (refuse_log_.allow())
      LOG_WARN("%s connection from %s refused: tcp_max_connections (%zu) reached%s",
               spec.transport.name(), peer.to_string().c_str(), settings_.max_connections,
               suppressed_note(refuse_log_).c_str());
    ::close(fd);
    return;
  }
  if (!try_acquire_ip(peer, spec.transport)) {
    guard_.release(hold);
    ::close(fd);
    release_slot();
    return;
  }
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  ConnectionParams p;
  p.id = next_id_.fetch_add(1, std::memory_order_relaxed);
  p.fd = fd;
  p.transport = spec.transport;
  p.listener_id = listener_id;
  p.local = local_address(fd);
  p.peer = peer;
  TransportSocketFactory* factory = spec.factory ? spec.factory : &default_factory();
  TransportSocketOptions opts{true, p.local, p.peer, p.id, {}};
  PoolPtr<TransportSocket> sock = factory->create(opts, shm_);
  if (!sock) {
    // The factory said no and logged why (a per-IP handshake limit, its own memory).
    bump(counters_->refused_transport);
    guard_.release(hold);
    ::close(fd);
    per_ip_.release(IpKey::of(peer));
    release_slot();
    return;
  }
  PoolPtr<Connection> conn = make_in_pool<Connection>(shm_, *this, nw, p, std::move(sock));
  if (!conn) {
    bump(counters_->refused_memory);
    count_allocation_drop();
    guard_.release(hold);
    if (refuse_log_.allow())
      LOG_WARN(
          "%s connection from %s refused: shared memory budget exhausted (shm in use %zu of "
          "%zu bytes)",
          spec.transport.name(), peer.to_string().c_str(), shm_.stats().in_use, shm_.budget());
    ::close(fd);
    per_ip_.release(IpKey::of(peer));
    release_slot();
    return;
  }
  bump(counters_->accepted);
  Connection* c = conn.release();
  c->hold_admission(hold);
  nw.conns.emplace(c->id(), c);
  connection_added(spec.transport);
  table_.add(c->id(), nw.worker.index(), spec.transport, peer);
  c->start_accepted();
}

// A NAT'd office or an SBC legitimately holds hundreds of connections from one address; past
// the limit one peer would crowd everyone else out of tcp_max_connections.
bool Net::try_acquire_ip(const SocketAddr& peer, Transport transport) {
  IpKey key = IpKey::of(peer);
  if (per_ip_.try_acquire(key)) return true;
  bump(counters_->refused_per_ip);
  if (refuse_log_.allow())
    LOG_WARN("%s connection from %s refused: tcp_max_connections_per_ip (%u) reached for %s%s",
             transport.name(), peer.to_string().c_str(), per_ip_.limit(), key.to_string().c_str(),
             suppressed_note(refuse_log_).c_str());
  return false;
}

SendResult Net::send(Transport transport, const SocketAddr& dst, std::string_view data,
                     uint64_t conn_hint, int listener_hint, const TlsIdentity& identity,
                     uint64_t connect_token) {
  if (transport == Transport::kUdp) return send_udp(dst, data, listener_hint);
  std::optional<ConnectionRef> ref;
  // The hint may come from a peer (a Via parameter): only a connection to dst's host counts.
  if (conn_hint != 0) ref = table_.find_to(conn_hint, transport, dst);
  if (!ref) ref = table_.find(transport, dst, identity);
  if (!ref && !client_domain_known(transport, dst, identity)) return SendResult::kFailed;
  NetWorker* cur = current_worker();
  int target = ref ? ref->worker
                   : (cur ? cur->worker.index() : static_cast<int>(dst.hash() % workers_.size()));
  uint64_t id = ref ? ref->id : 0;
  if (cur != nullptr && cur->worker.index() == target) {
    bool connecting = false;
    if (!send_on_worker(*cur, id, transport, dst, data, identity, connect_token, &connecting))
      return SendResult::kFailed;
    return connecting ? SendResult::kConnecting : SendResult::kSent;
  }
  return post_send(*workers_[target], id, transport, dst, data, identity);
}

SendResult Net::send_on_connection(Transport transport, uint64_t id, std::string_view data) {
  auto ref = table_.find(id);
  if (!ref) {
    bump(counters_->send_failed);
    return SendResult::kFailed;
  }
  // An address no connect accepts: a connection that closes before its worker gets to the send
  // fails it instead of opening another.
  const SocketAddr nowhere;
  NetWorker* cur = current_worker();
  if (cur != nullptr && cur->worker.index() == ref->worker)
    return send_on_worker(*cur, id, transport, nowhere, data, {}) ? SendResult::kSent
                                                                  : SendResult::kFailed;
  return post_send(*workers_[ref->worker], id, transport, nowhere, data, {});
}

// A client domain id is the script's word (tls_client_domain("ID")), possibly read from the
// message: one the TLS runtime does not know fails here, where the forward can count it, rather
// than in a connection that could never start.
bool Net::client_domain_known(Transport t, const SocketAddr& dst, const TlsIdentity& identity) {
  if (t != Transport::kTls || identity.client_domain.empty()) return true;
  TransportSocketFactory* factory = client_factories_[static_cast<int>(t)];
  if (factory != nullptr && factory->knows_client_domain(identity.client_domain)) return true;
  bump(counters_->send_failed);
  LogEscaped id(identity.client_domain);  // may come from the message
  SER_LOG_THROTTLED(log_.send_failed, LogLevel::kError, nullptr,
                    "send to tls:%s failed: no client domain with id \"%s\" "
                    "(tls_client_domain[\"ID\"] or tls.cfg [client:any] with server_id)",
                    dst.to_string().c_str(), id.c_str());
  return false;
}

// A send handed to another worker: one shm block holding the parameters and the bytes (the
// message, then the identity's client domain and server name), so a cross-worker message costs
// one accounted allocation and no std::function.
struct Net::PostedSend {
  Net* net;
  NetWorker* nw;
  uint64_t id;
  Transport transport;
  SocketAddr dst;
  size_t size;
  size_t domain_size;
  size_t name_size;
  char* data() { return reinterpret_cast<char*>(this + 1); }
  char* domain() { return data() + size; }
  char* name() { return domain() + domain_size; }
  static void run(void* arg) {
    auto* p = static_cast<PostedSend*>(arg);
    TlsIdentity identity{{p->domain(), p->domain_size}, {p->name(), p->name_size}};
    p->net->send_on_worker(*p->nw, p->id, p->transport, p->dst, {p->data(), p->size}, identity);
    Pool& shm = p->net->shm_;
    p->~PostedSend();
    shm.deallocate(p);
  }
};

SendResult Net::post_send(NetWorker& nw, uint64_t id, Transport transport, const SocketAddr& dst,
                          std::string_view data, const TlsIdentity& identity) {
  const size_t extra = identity.client_domain.size() + identity.server_name.size();
  void* mem = shm_.allocate(sizeof(PostedSend) + data.size() + extra);
  if (mem == nullptr) {
    bump(counters_->send_failed);
    count_allocation_drop();
    if (drop_log_.allow())
      LOG_WARN("send to %s:%s dropped: shared memory budget exhausted", transport.name(),
               dst.to_string().c_str());
    return SendResult::kFailed;
  }
  auto* p = new (mem) PostedSend{this,
                                 &nw,
                                 id,
                                 transport,
                                 dst,
                                 data.size(),
                                 identity.client_domain.size(),
                                 identity.server_name.size()};
  std::memcpy(p->data(), data.data(), data.size());
  if (!identity.client_domain.empty())
    std::memcpy(p->domain(), identity.client_domain.data(), identity.client_domain.size());
  if (!identity.server_name.empty())
    std::memcpy(p->name(), identity.server_name.data(), identity.server_name.size());
  if (nw.worker.post(&PostedSend::run, p)) return SendResult::kPosted;
  p->~PostedSend();
  shm_.deallocate(p);
  bump(counters_->send_failed);
  return SendResult::kFailed;
}

SendResult Net::send_udp(const SocketAddr& dst, std::string_view data, int listener_hint) {
  NetWorker* cur = current_worker();
  NetWorker& nw = cur ? *cur : *workers_[0];
  int fd = -1;
  if (listener_hint >= 0 && listener_hint < static_cast<int>(specs_.size()) &&
      specs_[listener_hint].transport == Transport::kUdp && bound_[listener_hint].af() == dst.af())
    fd = nw.listeners[listener_hint].fd;
  for (size_t i = 0; fd < 0 && i < specs_.size(); ++i) {
    if (specs_[i].transport == Transport::kUdp && bound_[i].af() == dst.af())
      fd = nw.listeners[i].fd;
  }
  if (fd < 0 || ::sendto(fd, data.data(), data.size(), 0, dst.sa(), dst.len()) < 0) {
    const char* why = fd < 0 ? "no udp socket of that family" : strerror(errno);
    bump(counters_->send_failed);
    SER_LOG_THROTTLED(log_.send_failed, LogLevel::kInfo, nullptr, "udp send to %s failed: %s",
                      dst.to_string().c_str(), why);
    return SendResult::kFailed;
  }
  bump(counters_->sent[Transport(Transport::kUdp).index()]);
  return SendResult::kSent;
}

bool Net::send_on_worker(NetWorker& nw, uint64_t id, Transport t, const SocketAddr& dst,
                         std::string_view data, const TlsIdentity& identity, uint64_t connect_token,
                         bool* connecting) {
  bool ok = false;
  if (!nw.stopping) {
    auto it = id != 0 ? nw.conns.find(id) : nw.conns.end();
    if (it != nw.conns.end()) {
      ok = it->second->send(data);
    } else {
      // No connection, or it closed meanwhile: RFC 3261 §18.2.2 — connect to the address.
      ok = connect_and_send(nw, t, dst, data, identity, connect_token, connecting);
    }
  }
  bump(ok ? counters_->sent[t.index()] : counters_->send_failed);
  return ok;
}

bool Net::connect_and_send(NetWorker& nw, Transport t, const SocketAddr& dst, std::string_view data,
                           const TlsIdentity& identity, uint64_t connect_token, bool* connecting) {
  if (!dst.valid() || dst.port() == 0) return false;
  TransportSocketFactory* factory = client_factories_[t.index()];
  if (factory == nullptr && t == Transport::kTls) {
    // Asked for TLS (sips:, transport=tls, forward_tls): never in the clear instead.
    SER_LOG_THROTTLED(log_.no_tls, LogLevel::kError, nullptr,
                      "send to tls:%s refused: no TLS for outbound connections (ser built "
                      "without TLS, disable_tls, or no TLS configured); not sent in the clear",
                      dst.to_string().c_str());
    return false;
  }
  if (factory == nullptr) factory = &default_factory();
  size_t hold = 0;
  if (!admit(t, true, dst, hold)) return false;
  if (!try_acquire_slot()) {
    guard_.release(hold);
    bump(counters_->refused);
    SER_LOG_THROTTLED(refuse_log_, LogLevel::kWarning, nullptr,
                      "connect to %s:%s refused: tcp_max_connections (%zu) reached", t.name(),
                      dst.to_string().c_str(), settings_.max_connections);
    return false;
  }
  bump(counters_->connects);
  int fd = ::socket(dst.af(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int rc = fd < 0 ? -1 : ::connect(fd, dst.sa(), dst.len());
  if (fd < 0 || (rc != 0 && errno != EINPROGRESS)) {
    const char* why = strerror(errno);
    bump(counters_->connect_failed);
    SER_LOG_THROTTLED(log_.connect_failed, LogLevel::kInfo, nullptr, "connect to %s:%s failed: %s",
                      t.name(), dst.to_string().c_str(), why);
    if (fd >= 0) ::close(fd);
    guard_.release(hold);
    release_slot();
    return false;
  }
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  ConnectionParams p;
  p.id = next_id_.fetch_add(1, std::memory_order_relaxed);
  p.fd = fd;
  p.transport = t;
  p.outbound = true;
  p.local = local_address(fd);
  p.peer = dst;
  TransportSocketOptions opts{false, p.local, p.peer, p.id, identity};
  PoolPtr<TransportSocket> sock = factory->create(opts, shm_);
  PoolPtr<Connection> conn;
  if (sock) conn = make_in_pool<Connection>(shm_, *this, nw, p, std::move(sock));
  if (!conn) {
    bump(counters_->refused_memory);
    count_allocation_drop();
    guard_.release(hold);
    SER_LOG_THROTTLED(refuse_log_, LogLevel::kWarning, nullptr,
                      "connect to %s:%s refused: shared memory budget exhausted", t.name(),
                      dst.to_string().c_str());
    ::close(fd);
    release_slot();
    return false;
  }
  Connection* c = conn.release();
  c->hold_admission(hold);
  nw.conns.emplace(c->id(), c);
  connection_added(t);
  table_.add_outbound(c->id(), nw.worker.index(), t, dst, identity);
  if (!c->start_connecting(rc == 0) || !c->send(data)) return false;
  // Told later, from the loop, how the connect ends (never from inside this send).
  if (connect_token != 0 && c->watch_connect(connect_token) && connecting) *connecting = true;
  return true;
}

void Net::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  for (auto& nw : workers_) {
    NetWorker* w = nw.get();
    w->worker.post([this, w] { begin_shutdown(*w); });
  }
  for (auto& nw : workers_) nw->worker.join();
}

void Net::begin_shutdown(NetWorker& nw) {
  nw.stopping = true;
  // TCP listeners close now so that new clients are refused at once; UDP sockets only stop
  // reading: other threads may still be sending from them until the Net is destroyed.
  for (ListenSocket& l : nw.listeners) {
    if (l.ev != nullptr) event_del(l.ev);
    if (specs_[l.id].transport != Transport::kUdp && l.fd >= 0) {
      ::close(l.fd);
      l.fd = -1;
    }
  }
  // Connections with pending writes get up to shutdown_flush to drain; the rest close now.
  std::vector<Connection*> all;
  for (auto& [id, c] : nw.conns) all.push_back(c);
  for (Connection* c : all) c->close_when_flushed(CloseReason::kShutdown);
  if (nw.conns.empty()) {
    nw.worker.stop_loop();
    return;
  }
  nw.shutdown_timer = std::make_unique<Timer>(nw.worker.base(), [&nw] {
    std::vector<Connection*> left;
    for (auto& [id, c] : nw.conns) left.push_back(c);
    for (Connection* c : left) c->close(CloseReason::kShutdown);
    nw.worker.stop_loop();
  });
  nw.shutdown_timer->arm(settings_.shutdown_flush);
}

}  // namespace core::net
