#include "core/net/net.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <string>

#include "core/base/library_memory.h"
#include "core/base/log.h"
#include "core/net/connection.h"
#include "core/net/net_worker.h"
#include "core/net/plain_socket.h"
#include "core/net/socket_util.h"

namespace core::net {
NetWorker::~NetWorker() {
  for (ListenSocket& l : listeners) {
    if (l.ev != nullptr) event_free(l.ev);
    if (l.fd >= 0) ::close(l.fd);
  }
  std::vector<Connection*> left;
  for (auto& [id, conn] : conns) left.push_back(conn);
  for (Connection* c : left) c->close(CloseReason::kShutdown);
  reap();
  shutdown_timer.reset();
  if (spare_fd >= 0) ::close(spare_fd);
  if (reap_event != nullptr) event_free(reap_event);
}

void NetWorker::reap() {
  if (graveyard.empty()) return;
  for (Connection* c : graveyard) PoolDeleter{&net.shm_}(c);
  graveyard.clear();
  // The last connection is freed: what shm holds now is the runtime's own (Net's baseline).
  if (net.active_.load(std::memory_order_relaxed) == 0) net.set_baseline();
}

void NetWorker::on_reap(evutil_socket_t, short, void* arg) {
  static_cast<NetWorker*>(arg)->reap();
}

Net::Net(const NetSettings& settings, MessageHandler& handler, Pool& shm)
    : settings_(settings),
      handler_(handler),
      shm_(shm),
      per_ip_(settings.max_connections_per_ip),
      counters_(std::make_unique<Counters>()),
      guard_(shm, settings.shm_high_water, settings.shm_low_water) {
  if (settings_.children < 1) settings_.children = 1;
  for (int i = 0; i < settings_.children; ++i) {
    auto nw = std::make_unique<NetWorker>(*this, i, settings_.pkg_budget);
    nw->spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (nw->worker.init())
      nw->reap_event = event_new(nw->worker.base(), -1, 0, &NetWorker::on_reap, nw.get());
    workers_.push_back(std::move(nw));
  }
}

Net::~Net() {
  stop();
  workers_.clear();
}

int Net::add_listener(const ListenSpec& spec) {
  if (started_) return -1;  // the workers own their listener lists once running
  if (spec.transport == Transport::kTls && spec.factory == nullptr) {
    LOG_ERR("cannot listen on tls:%s: no TLS socket factory (ser built without TLS?)",
            spec.address.to_string().c_str());
    return -1;
  }
  int id = static_cast<int>(specs_.size());
  bool stream = spec.transport != Transport::kUdp;
  SocketAddr addr = spec.address;
  if (addr.port() != 0 && address_taken(addr, stream)) {
    LOG_ERR("cannot listen on %s:%s: address already in use (another ser running?)",
            spec.transport.name(), addr.to_string().c_str());
    return -1;
  }
  for (auto& nw : workers_) {
    int fd = open_listen_socket(addr, stream, true);
    if (fd < 0) {
      LOG_ERR("cannot listen on %s:%s: %s", spec.transport.name(), addr.to_string().c_str(),
              strerror(errno));
      for (auto& other : workers_) {
        if (static_cast<int>(other->listeners.size()) > id) {
          ::close(other->listeners[id].fd);
          other->listeners.pop_back();
        }
      }
      return -1;
    }
    // Port 0: the first socket learns the kernel's port, the others bind to that one.
    if (addr.port() == 0) addr = local_address(fd);
    nw->listeners.push_back(ListenSocket{this, nw.get(), id, fd, nullptr});
  }
  specs_.push_back(spec);
  bound_.push_back(addr);
  LOG_INFO("listening on %s:%s", spec.transport.name(), addr.to_string().c_str());
  return id;
}

SocketAddr Net::listen_address(int listener_id) const {
  if (listener_id < 0 || listener_id >= static_cast<int>(bound_.size())) return SocketAddr();
  return bound_[listener_id];
}

void Net::set_client_factory(Transport transport, TransportSocketFactory* factory) {
  client_factories_[transport.index()] = factory;
}

bool Net::start() {
  if (started_) return true;
  for (auto& nw : workers_) {
    if (nw->worker.base() == nullptr || nw->reap_event == nullptr) return false;
    for (ListenSocket& l : nw->listeners) {
      l.ev = event_new(
          nw->worker.base(), l.fd, EV_READ | EV_PERSIST,
          [](evutil_socket_t, short, void* arg) {
            auto* ls = static_cast<ListenSocket*>(arg);
            if (ls->net->specs_[ls->id].transport == Transport::kUdp) {
              ls->net->udp_ready(*ls->owner, ls->id);
            } else {
              ls->net->accept_ready(*ls->owner, ls->id);
            }
          },
          &l);
      if (l.ev == nullptr || event_add(l.ev, nullptr) != 0) return false;
    }
  }
  set_baseline();
  for (auto& nw : workers_) nw->worker.start();
  started_ = true;
  return true;
}

bool Net::post(int worker_index, std::function<void()> task) {
  if (worker_index < 0 || worker_index >= worker_count()) return false;
  return workers_[worker_index]->worker.post(std::move(task));
}

Pool& Net::worker_pool(int index) {
  return workers_.at(index)->worker.pool();
}

NetWorker* Net::current_worker() const {
  Worker* w = Worker::current();
  if (w == nullptr) return nullptr;
  for (auto& nw : workers_)
    if (&nw->worker == w) return nw.get();
  return nullptr;
}

NetStats Net::stats() const {
  NetStats s;
#define SER_NET_COUNTER_COPY(name) s.name = counters_->name.load(std::memory_order_relaxed);
  SER_NET_COUNTERS(SER_NET_COUNTER_COPY)
#undef SER_NET_COUNTER_COPY
  for (size_t t = 0; t < 3; ++t) {
    s.received[t] = counters_->received[t].load(std::memory_order_relaxed);
    s.sent[t] = counters_->sent[t].load(std::memory_order_relaxed);
  }
  return s;
}

const char* connection_state_name(ConnectionState s) {
  switch (s) {
    case ConnectionState::kConnecting:
      return "connecting";
    case ConnectionState::kHandshake:
      return "handshake";
    case ConnectionState::kOpen:
      return "open";
    case ConnectionState::kClosing:
      return "closing";
  }
  return "?";
}

WorkerSnapshot Net::snapshot_worker(int index, bool with_list) const {
  const NetWorker& nw = *workers_.at(index);
  assert(nw.worker.is_current() || !started_);
  WorkerSnapshot w;
  w.index = index;
  w.connections = nw.conns.size();
  if (with_list) w.list.reserve(nw.conns.size());
  for (const auto& [id, conn] : nw.conns) {
    ConnectionState st = conn->state();
    ++w.by_state[conn->transport().index()][static_cast<size_t>(st)];
    if (with_list) w.list.push_back(conn->snapshot());
  }
  return w;
}

bool Net::try_acquire_slot() {
  size_t prev = active_.fetch_add(1, std::memory_order_relaxed);
  if (prev < settings_.max_connections) return true;
  active_.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

// Partial messages are what a trickling peer makes ser hold; capping them at half the pool
// keeps the other half for every connection's reads (the scratch buffer) and replies, and
// closing the largest holder makes the peer that holds most pay, not whoever asks next.
bool Net::make_read_room(NetWorker& nw, const Connection& needy, size_t extra) {
  const size_t share = nw.worker.pool().budget() / 2;
  if (share == 0) return true;
  while (nw.read_held + extra > share) {
    Connection* largest = nullptr;
    for (auto& [id, c] : nw.conns)
      if (c != &needy && (largest == nullptr || c->read_held() > largest->read_held())) largest = c;
    if (largest == nullptr || largest->read_held() <= needy.read_held() + extra) return false;
    largest->close(CloseReason::kReadShare);
  }
  return true;
}

void Net::handshake_finished(Connection& conn) {
  guard_.release(conn.take_admission());
}

void Net::set_baseline() {
  openssl_baseline_.store(library_memory().openssl.in_use, std::memory_order_relaxed);
  baseline_.store(shm_.in_use(), std::memory_order_relaxed);
}

size_t Net::avg_tls_connection_bytes() const {
  size_t tls = live_connections(Transport::kTls);
  if (tls == 0) return 0;
  size_t streams = tls + live_connections(Transport::kTcp);
  size_t openssl = library_memory().openssl.in_use;
  size_t openssl_base = openssl_baseline_.load(std::memory_order_relaxed);
  size_t openssl_gain = openssl > openssl_base ? openssl - openssl_base : 0;
  size_t in_use = shm_.in_use();
  size_t base = baseline_.load(std::memory_order_relaxed);
  size_t gain = in_use > base ? in_use - base : 0;
  size_t rest = gain > openssl_gain ? gain - openssl_gain : 0;
  return openssl_gain / tls + rest / streams;
}

void Net::connection_gone(NetWorker& nw, Connection* conn) {
  guard_.release(conn->take_admission());
  live_[conn->transport().index()].fetch_sub(1, std::memory_order_relaxed);
  table_.remove(conn->id());
  if (!conn->outbound()) per_ip_.release(IpKey::of(conn->peer()));
  nw.conns.erase(conn->id());
  release_slot();
  nw.graveyard.push_back(conn);
  event_active(nw.reap_event, EV_TIMEOUT, 0);
  if (nw.stopping && nw.conns.empty()) nw.worker.stop_loop();
}

}  // namespace core::net
