#include "core/net/net.h"

#include <cassert>

#include "core/base/log.h"
#include "core/net/acceptor.h"
#include "core/net/connector.h"
#include "core/net/listeners.h"
#include "core/net/net_context.h"
#include "core/net/net_worker.h"
#include "core/net/stream_sender.h"
#include "core/net/udp_endpoint.h"

namespace core::net {

Net::Net(const NetSettings& settings, MessageHandler& handler, Pool& shm)
    : net_(std::make_unique<NetContext>(settings, handler, shm)) {
  if (net_->settings.children < 1) net_->settings.children = 1;
  for (int i = 0; i < net_->settings.children; ++i)
    workers_.push_back(std::make_unique<NetWorker>(*net_, i));
  listeners_ = std::make_unique<Listeners>(net_->settings, workers_);
  acceptor_ = std::make_unique<Acceptor>(*net_, *listeners_, workers_);
  udp_ = std::make_unique<UdpEndpoint>(*net_, *listeners_, workers_);
  connector_ = std::make_unique<Connector>(*net_);
  streams_ = std::make_unique<StreamSender>(*net_, *connector_);
}

// The workers' connections close while the listeners, acceptor and senders are still there;
// then the members go in reverse order, the workers (and their event bases) last but the context.
Net::~Net() {
  stop();
  streams_.reset();
  connector_.reset();
  udp_.reset();
  acceptor_.reset();
  listeners_.reset();
  workers_.clear();
}

int Net::add_listener(const ListenSpec& spec) {
  if (started_) return -1;  // the workers own their listener lists once running
  return listeners_->add(spec);
}

SocketAddr Net::listen_address(int listener_id) const {
  if (listener_id < 0 || listener_id >= listeners_->count()) return SocketAddr();
  return listeners_->address(listener_id);
}

void Net::set_client_factory(Transport transport, TransportSocketFactory* factory) {
  connector_->set_factory(transport, factory);
}

void Net::set_connect_observer(ConnectObserver observer, void* context) {
  net_->connect_observer = observer;
  net_->connect_context = context;
}

void Net::add_alias(Transport transport, uint64_t id, const SocketAddr& alias,
                    std::string_view server_name) {
  net_->table.add_alias(id, transport, alias, server_name);
}

bool Net::start() {
  if (started_) return true;
  for (auto& nw : workers_)
    if (!nw->ready()) return false;
  listeners_->start(*udp_, *acceptor_);
  net_->admission.set_baseline();
  for (auto& nw : workers_) nw->worker.start();
  started_ = true;
  return true;
}

void Net::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  for (auto& nw : workers_) {
    NetWorker* w = nw.get();
    w->worker.post([this, w] {
      w->flush_deferred();  // what this turn queued leaves before the sockets close
      listeners_->shut_down(w->index());
      w->begin_shutdown(net_->settings.shutdown_flush);
    });
  }
  for (auto& nw : workers_) nw->worker.join();
}

SendResult Net::send(Transport transport, const SocketAddr& dst, std::string_view data,
                     uint64_t conn_hint, int listener_hint, const TlsIdentity& identity,
                     uint64_t connect_token) {
  NetWorker* cur = current_worker();
  if (transport == Transport::kUdp)
    return udp_->send(cur ? *cur : *workers_[0], dst, data, listener_hint);
  std::optional<ConnectionRef> ref;
  // The hint may come from a peer (a Via parameter): only a connection to dst's host counts.
  if (conn_hint != 0) ref = net_->table.find_to(conn_hint, transport, dst);
  if (!ref) ref = net_->table.find(transport, dst, identity);
  if (!ref && !connector_->client_domain_known(transport, dst, identity))
    return SendResult::kFailed;
  int target =
      ref ? ref->worker : (cur ? cur->index() : static_cast<int>(dst.hash() % workers_.size()));
  uint64_t id = ref ? ref->id : 0;
  if (cur != nullptr && cur->index() == target) {
    bool connecting = false;
    if (!streams_->send_here(*cur, id, transport, dst, data, identity, connect_token, &connecting))
      return SendResult::kFailed;
    return connecting ? SendResult::kConnecting : SendResult::kSent;
  }
  return streams_->post(*workers_[target], id, transport, dst, data, identity);
}

SendResult Net::send_on_connection(Transport transport, uint64_t id, std::string_view data) {
  auto ref = net_->table.find(id);
  if (!ref) {
    bump(net_->counters.send_failed);
    return SendResult::kFailed;
  }
  // An address no connect accepts: a connection that closes before its worker gets to the send
  // fails it instead of opening another.
  const SocketAddr nowhere;
  NetWorker* cur = current_worker();
  if (cur != nullptr && cur->index() == ref->worker)
    return streams_->send_here(*cur, id, transport, nowhere, data, {}) ? SendResult::kSent
                                                                       : SendResult::kFailed;
  return streams_->post(*workers_[ref->worker], id, transport, nowhere, data, {});
}

bool Net::post(int worker_index, std::function<void()> task) {
  if (worker_index < 0 || worker_index >= worker_count()) return false;
  return workers_[worker_index]->worker.post(std::move(task));
}

uint64_t Net::worker_udp_received(int index) const {
  return workers_.at(index)->udp_received.load(std::memory_order_relaxed);
}

uint64_t Net::worker_udp_handled(int index) const {
  return workers_.at(index)->udp_handled.load(std::memory_order_relaxed);
}

std::pair<int, int> Net::udp_buffers(int listener_id) const {
  if (listener_id < 0 || listener_id >= listeners_->count()) return {-1, -1};
  const UdpBuffers& b = listeners_->buffers(listener_id);
  return {b.receive, b.send};
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

NetStats NetCounters::snapshot() const {
  NetStats s;
#define SER_NET_COUNTER_COPY(name) s.name = name.load(std::memory_order_relaxed);
  SER_NET_COUNTERS(SER_NET_COUNTER_COPY)
#undef SER_NET_COUNTER_COPY
  for (size_t t = 0; t < Transport::kCount; ++t) {
    s.received[t] = received[t].load(std::memory_order_relaxed);
    s.sent[t] = sent[t].load(std::memory_order_relaxed);
    if (Transport(static_cast<Transport::Value>(t)).is_stream()) s.stream_received += s.received[t];
  }
  return s;
}

NetStats Net::stats() const {
  NetStats s = net_->counters.snapshot();
  for (const auto& nw : workers_)
    s.udp_received += nw->udp_received.load(std::memory_order_relaxed);
  s.received[Transport(Transport::kUdp).index()] = s.udp_received;
  return s;
}

size_t Net::connection_count() const {
  return net_->admission.active();
}

size_t Net::live_connections(Transport transport) const {
  return net_->admission.live(transport);
}

const MemoryGuard& Net::guard() const {
  return net_->admission.guard();
}

size_t Net::avg_tls_connection_bytes() const {
  return net_->admission.avg_tls_connection_bytes();
}

const NetSettings& Net::settings() const {
  return net_->settings;
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
  return nw.snapshot(with_list);
}

}  // namespace core::net
