#include "core/net/net_worker.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "core/base/log.h"
#include "core/net/connection.h"
#include "core/net/net_context.h"

namespace core::net {

NetWorker::NetWorker(NetContext& n, int index)
    : net(n),
      worker(index, n.settings.pkg_budget),
      reap_trigger_(worker.init() ? worker.base() : nullptr, [this] { reap(); }),
      flush_trigger_(worker.base(), [this] { flush_deferred(); }) {
  worker.hold_wakes([this] { schedule_flush(); });
}

NetWorker::~NetWorker() {
  close_all();
  reap();
  shutdown_timer_.reset();
}

void NetWorker::add(Connection* conn) {
  conns.emplace(conn->id(), conn);
  net.admission.added(conn->transport());
}

Connection* NetWorker::find(uint64_t id) const {
  auto it = conns.find(id);
  return it == conns.end() ? nullptr : it->second;
}

void NetWorker::connection_gone(Connection* conn) {
  net.admission.release(conn->take_admission());
  net.admission.removed(conn->transport());
  net.table.remove(conn->id());
  if (!conn->outbound()) net.admission.release_ip(conn->peer());
  conns.erase(conn->id());
  net.admission.release_slot();
  std::replace(to_flush_.begin(), to_flush_.end(), conn, static_cast<Connection*>(nullptr));
  graveyard_.push_back(conn);
  reap_trigger_.fire();
  if (stopping && conns.empty()) worker.stop_loop();
}

void NetWorker::defer_flush(Connection* conn) {
  schedule_flush();
  to_flush_.push_back(conn);
}

void NetWorker::schedule_flush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  flush_trigger_.fire();
}

// By index: a flush that closes a connection nulls its entry in place.
void NetWorker::flush_deferred() {
  flush_scheduled_ = false;
  for (size_t i = 0; i < to_flush_.size(); ++i)
    if (Connection* c = to_flush_[i]) c->flush_deferred();
  to_flush_.clear();
  flush_udp();
  worker.release_wakes();
}

void NetWorker::flush_udp() {
  if (udp_out.empty() && !udp_out.turn_open()) return;
  UdpSendBatch::Flushed f = udp_out.flush();
  if (f.sent > 0) bump(net.counters.sent[Transport(Transport::kUdp).index()], f.sent);
  if (f.failed == 0) return;
  bump(net.counters.send_failed, f.failed);
  SER_LOG_THROTTLED(net.log.send_failed, LogLevel::kInfo, nullptr,
                    "udp send of %zu datagrams to %s failed: %s", f.failed,
                    f.dst.to_string().c_str(), std::strerror(f.error));
}

void NetWorker::reap() {
  if (graveyard_.empty()) return;
  for (Connection* c : graveyard_) PoolDeleter{&net.shm}(c);
  graveyard_.clear();
  // The last connection is freed: what shm holds now is the runtime's own (the baseline).
  if (net.admission.active() == 0) net.admission.set_baseline();
}

void NetWorker::close_all() {
  std::vector<Connection*> left;
  left.reserve(conns.size());
  for (auto& [id, conn] : conns) left.push_back(conn);
  for (Connection* c : left) c->close(CloseReason::kShutdown);
}

// Partial messages are what a trickling peer makes ser hold; capping them at half the pool
// keeps the other half for every connection's reads (the scratch buffer) and replies, and
// closing the largest holder makes the peer that holds most pay, not whoever asks next.
bool NetWorker::make_read_room(const Connection& needy, size_t extra) {
  const size_t share = worker.pool().budget() / 2;
  if (share == 0) return true;
  while (read_held + extra > share) {
    Connection* largest = nullptr;
    for (auto& [id, c] : conns)
      if (c != &needy && (largest == nullptr || c->read_held() > largest->read_held())) largest = c;
    if (largest == nullptr || largest->read_held() <= needy.read_held() + extra) return false;
    largest->close(CloseReason::kReadShare);
  }
  return true;
}

void NetWorker::begin_shutdown(std::chrono::milliseconds flush) {
  stopping = true;
  // Connections with pending writes get up to `flush` to drain; the rest close now.
  std::vector<Connection*> all;
  for (auto& [id, c] : conns) all.push_back(c);
  for (Connection* c : all) c->close_when_flushed(CloseReason::kShutdown);
  if (conns.empty()) {
    worker.stop_loop();
    return;
  }
  shutdown_timer_ = std::make_unique<Timer>(worker.base(), [this] {
    close_all();
    worker.stop_loop();
  });
  shutdown_timer_->arm(flush);
}

WorkerSnapshot NetWorker::snapshot(bool with_list) const {
  WorkerSnapshot w;
  w.index = index();
  w.connections = conns.size();
  if (with_list) w.list.reserve(conns.size());
  for (const auto& [id, conn] : conns) {
    ConnectionState st = conn->state();
    ++w.by_state[conn->transport().index()][static_cast<size_t>(st)];
    if (with_list) w.list.push_back(conn->snapshot());
  }
  return w;
}

}  // namespace core::net
