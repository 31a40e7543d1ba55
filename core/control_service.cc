#include "core/control_service.h"

#include <condition_variable>
#include <ctime>
#include <memory>
#include <mutex>

#include "core/base/library_memory.h"
#include "core/base/log.h"
#include "core/base/memory_guard.h"

namespace core {

namespace {

using control::counter;
using control::gauge;
using control::Metric;
using net::ConnectionState;

constexpr Transport kStreams[] = {Transport::kTcp, Transport::kTls};
constexpr Transport kAll[] = {Transport::kUdp, Transport::kTcp, Transport::kTls};

control::ConnectionInfo to_info(const net::ConnectionSnapshot& c, int worker,
                                std::chrono::steady_clock::time_point now) {
  control::ConnectionInfo i;
  i.id = c.id;
  i.transport = c.transport.name();
  i.local = c.local.to_string();
  i.peer = c.peer.to_string();
  i.outbound = c.outbound;
  i.state = net::connection_state_name(c.state);
  i.worker = worker;
  i.age_seconds = std::chrono::duration<double>(now - c.created).count();
  i.bytes_in = c.bytes_in;
  i.bytes_out = c.bytes_out;
  i.domain = c.domain;
  i.sni = c.sni;
  i.version = c.version;
  i.cipher = c.cipher;
  i.peer_subject = c.peer_subject;
  i.peer_not_after = c.peer_not_after;
  i.peer_verified = c.peer_verified;
  return i;
}

}  // namespace

ControlService::ControlService(net::Net& net, const proxy::ProxyStats& proxy_stats, TlsSource tls,
                               ControlHooks hooks, Pool& shm)
    : net_(net),
      proxy_stats_(proxy_stats),
      tls_(std::move(tls)),
      hooks_(std::move(hooks)),
      shm_(shm),
      now_([] { return static_cast<int64_t>(std::time(nullptr)); }) {}

// The tasks own the shared state: a worker that answers after the wait writes into it after
// the caller has gone.
std::vector<std::optional<net::WorkerSnapshot>> ControlService::gather(bool with_list) {
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::optional<net::WorkerSnapshot>> got;
    int left = 0;
  };
  auto shared = std::make_shared<Shared>();
  int n = net_.worker_count();
  shared->got.resize(static_cast<size_t>(n));
  shared->left = n;
  net::Net* net = &net_;
  for (int i = 0; i < n; ++i) {
    bool posted = net_.post(i, [shared, net, i, with_list] {
      net::WorkerSnapshot snap = net->snapshot_worker(i, with_list);
      std::lock_guard<std::mutex> lock(shared->mu);
      shared->got[static_cast<size_t>(i)] = std::move(snap);
      --shared->left;
      shared->cv.notify_all();
    });
    if (!posted) {
      std::lock_guard<std::mutex> lock(shared->mu);
      --shared->left;
    }
  }
  std::unique_lock<std::mutex> lock(shared->mu);
  shared->cv.wait_for(lock, worker_wait_, [&] { return shared->left == 0; });
  for (int i = 0; i < n; ++i) {
    if (!shared->got[static_cast<size_t>(i)])
      LOG_WARN(
          "control: worker %d did not answer within %lld ms (busy, stuck or stopped); its "
          "connections are left out",
          i, static_cast<long long>(worker_wait_.count()));
  }
  return shared->got;
}

std::vector<control::ConnectionInfo> ControlService::connections() {
  std::vector<control::ConnectionInfo> out;
  auto now = std::chrono::steady_clock::now();
  for (const auto& snap : gather(true)) {
    if (!snap) continue;
    for (const auto& c : snap->list) out.push_back(to_info(c, snap->index, now));
  }
  return out;
}

std::vector<control::WorkerInfo> ControlService::workers() {
  std::vector<control::WorkerInfo> out;
  auto snaps = gather(false);
  for (int i = 0; i < static_cast<int>(snaps.size()); ++i) {
    control::WorkerInfo w;
    w.index = i;
    w.answered = snaps[static_cast<size_t>(i)].has_value();
    if (w.answered) w.connections = snaps[static_cast<size_t>(i)]->connections;
    PoolStats ps = net_.worker_pool(i).stats();
    w.pool_in_use = ps.in_use;
    w.pool_peak = ps.peak;
    w.pool_budget = ps.budget;
    out.push_back(w);
  }
  return out;
}

// Read in place: the pools' and the libraries' counters, the guard's, and Net's live
// connection counts are atomics, so no worker is asked.
control::MemoryInfo ControlService::memory() {
  control::MemoryInfo m;
  auto info = [](std::string name, int worker, const PoolStats& ps) {
    return control::PoolInfo{std::move(name), worker,         ps.in_use,  ps.peak,
                             ps.budget,       ps.allocations, ps.failures};
  };
  m.pools.push_back(info("shm", -1, shm_.stats()));
  for (int i = 0; i < net_.worker_count(); ++i)
    m.pools.push_back(info("pkg", i, net_.worker_pool(i).stats()));
  LibraryMemory libs = library_memory();
  m.openssl_in_use = libs.openssl.in_use;
  m.libevent_in_use = libs.libevent.in_use;
  m.tls_connections = net_.live_connections(Transport::kTls);
  m.avg_tls_connection_bytes = net_.avg_tls_connection_bytes();
  MemoryGuardStats g = net_.guard().stats();
  m.high_water = g.high_water;
  m.low_water = g.low_water;
  m.refusing = g.refusing;
  m.refused_connections = g.refused_connections;
  m.refused_handshakes = g.refused_handshakes;
  m.allocation_drops = allocation_drops();
  return m;
}

std::vector<control::DomainInfo> ControlService::tls_domains() {
  return tls_()->domain_infos(now_());
}

std::vector<std::pair<std::string, std::string>> ControlService::parameters() {
  if (!hooks_.parameters) return {};
  return hooks_.parameters();
}

control::ReloadResult ControlService::reload(control::ReloadScope scope) {
  if (!hooks_.reload) {
    control::ReloadResult r;
    r.diagnostics = "reload is not available in this server";
    return r;
  }
  control::ReloadResult r = hooks_.reload(scope);
  if (r.ok) reloaded();
  return r;
}

void ControlService::start() {
  std::lock_guard<std::mutex> lock(expiry_mu_);
  int64_t now = now_();
  tls_()->check_expiry(now, /*just_checked=*/true);
  next_expiry_check_ = now + kExpiryCheckSeconds;
}

void ControlService::tick() {
  std::lock_guard<std::mutex> lock(expiry_mu_);
  int64_t now = now_();
  if (now < next_expiry_check_) return;
  tls_()->check_expiry(now, /*just_checked=*/false);
  next_expiry_check_ = now + kExpiryCheckSeconds;
}

void ControlService::reloaded() {
  std::lock_guard<std::mutex> lock(expiry_mu_);
  int64_t now = now_();
  tls_()->check_expiry(now, /*just_checked=*/true);
  next_expiry_check_ = now + kExpiryCheckSeconds;
}

std::vector<Metric> ControlService::metrics() {
  std::vector<Metric> out;
  append_connection_metrics(gather(false), out);
  append_net_metrics(out);
  append_proxy_metrics(out);
  tls_()->append_metrics(out, now_());
  append_memory_metrics(memory(), out);
  if (hooks_.extra_metrics) {
    for (auto& m : hooks_.extra_metrics()) out.push_back(std::move(m));
  }
  return out;
}

void ControlService::append_connection_metrics(
    const std::vector<std::optional<net::WorkerSnapshot>>& snaps, std::vector<Metric>& out) const {
  uint64_t by_state[Transport::kCount][net::kConnectionStates] = {};
  int answered = 0;
  for (const auto& s : snaps) {
    if (!s) continue;
    ++answered;
    for (size_t t = 0; t < 3; ++t)
      for (size_t st = 0; st < net::kConnectionStates; ++st) by_state[t][st] += s->by_state[t][st];
  }
  for (Transport t : kStreams) {
    for (size_t st = 0; st < net::kConnectionStates; ++st) {
      out.push_back(
          gauge("connections", static_cast<double>(by_state[t.index()][st]),
                "Live stream connections by transport and state",
                {{"transport", t.name()},
                 {"state", net::connection_state_name(static_cast<ConnectionState>(st))}}));
    }
  }
  out.push_back(gauge("workers", static_cast<double>(snaps.size()), "Worker threads"));
  out.push_back(gauge("workers_unanswered", static_cast<double>(snaps.size() - answered),
                      "Workers that did not answer the control plane in time (their "
                      "connections are missing from the connection gauges)"));
}

void ControlService::append_net_metrics(std::vector<Metric>& out) const {
  net::NetStats s = net_.stats();
  out.push_back(
      counter("connections_accepted_total", s.accepted, "Inbound stream connections accepted"));
  const char* refused_help = "Inbound stream connections refused, by reason";
  out.push_back(counter("connections_refused_total", s.refused, refused_help,
                        {{"reason", "tcp_max_connections"}}));
  out.push_back(counter("connections_refused_total", s.refused_per_ip, refused_help,
                        {{"reason", "tcp_max_connections_per_ip"}}));
  out.push_back(
      counter("connections_refused_total", s.refused_memory, refused_help, {{"reason", "memory"}}));
  out.push_back(counter("connections_refused_total", s.refused_transport, refused_help,
                        {{"reason", "transport_socket"}}));
  out.push_back(counter("connects_total", s.connects, "Outbound connects started"));
  const char* connect_help = "Outbound connects that failed, by reason";
  out.push_back(
      counter("connect_failures_total", s.connect_failed, connect_help, {{"reason", "refused"}}));
  out.push_back(
      counter("connect_failures_total", s.connect_timeouts, connect_help, {{"reason", "timeout"}}));
  const char* closed_help =
      "Stream connections closed, by reason (shutdown and framing not counted)";
  const std::pair<const char*, uint64_t> closed[] = {{"eof", s.closed_eof},
                                                     {"error", s.closed_error},
                                                     {"idle", s.closed_idle},
                                                     {"read_share", s.closed_read_share},
                                                     {"send_timeout", s.send_timeouts},
                                                     {"handshake_timeout", s.handshake_timeouts},
                                                     {"message_read_timeout", s.msg_read_timeouts}};
  for (const auto& [reason, n] : closed)
    out.push_back(counter("connections_closed_total", n, closed_help, {{"reason", reason}}));
  for (Transport t : kAll) {
    out.push_back(counter("messages_received_total", s.received[t.index()],
                          "SIP messages received, by transport", {{"transport", t.name()}}));
  }
  for (Transport t : kAll) {
    out.push_back(counter("messages_sent_total", s.sent[t.index()],
                          "SIP messages sent (written or queued on a connection), by transport",
                          {{"transport", t.name()}}));
  }
  for (int i = 0; i < net_.worker_count(); ++i) {
    out.push_back(counter("worker_udp_received_total", net_.worker_udp_received(i),
                          "UDP datagrams read, by worker", {{"worker", std::to_string(i)}}));
  }
  for (int i = 0; i < net_.worker_count(); ++i) {
    out.push_back(counter("worker_udp_handled_total", net_.worker_udp_handled(i),
                          "UDP datagrams handled, by worker (after the hand-over by Call-ID)",
                          {{"worker", std::to_string(i)}}));
  }
  out.push_back(counter("keepalives_total", s.pings, "CRLF keep-alives received"));
  const char* drop_help = "Messages dropped, by reason";
  const std::pair<const char*, uint64_t> drops[] = {{"queue_full", s.queue_full},
                                                    {"too_big", s.too_big},
                                                    {"bad_framing", s.framing_errors},
                                                    {"send_failed", s.send_failed}};
  for (const auto& [reason, n] : drops)
    out.push_back(counter("messages_dropped_total", n, drop_help, {{"reason", reason}}));
}

void ControlService::append_proxy_metrics(std::vector<Metric>& out) const {
  auto load = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  const proxy::ProxyStats& p = proxy_stats_;
  const char* drop_help = "Messages dropped, by reason";
  const std::pair<const char*, uint64_t> drops[] = {
      {"forged_connection_tag", load(p.forged_conn_tags)},
      {"malformed", load(p.bad_dropped)},
      {"not_ours", load(p.not_ours)},
      {"script", load(p.script_dropped)},
      {"dns", load(p.dns_failed)},
      {"dns_queue_full", load(p.dns_queue_full)}};
  for (const auto& [reason, n] : drops)
    out.push_back(counter("messages_dropped_total", n, drop_help, {{"reason", reason}}));
  out.push_back(counter("sip_requests_total", load(p.requests), "SIP requests handled"));
  out.push_back(counter("sip_responses_total", load(p.responses), "SIP responses handled"));
  out.push_back(
      counter("sip_requests_forwarded_total", load(p.forwarded), "SIP requests forwarded"));
  out.push_back(counter("sip_responses_forwarded_total", load(p.replies_forwarded),
                        "SIP responses forwarded"));
  out.push_back(counter("sip_local_replies_total", load(p.local_replies),
                        "SIP replies sent by ser itself (script sl_send_reply, errors)"));
  out.push_back(counter("sip_bad_requests_total", load(p.bad_requests),
                        "Malformed SIP requests answered with an error"));
  out.push_back(counter("sip_dns_resolutions_total", load(p.dns_resolutions),
                        "Requests held while their next hop was looked up (RFC 3263)"));
  out.push_back(counter("sip_next_target_total", load(p.next_targets),
                        "Requests moved to their next DNS target after a failed connect"));
  out.push_back(counter("sip_forward_failures_total", load(p.send_failed),
                        "SIP messages that could not be handed to the network"));
  const char* flow_help =
      "Requests whose Route carried an RFC 5626 flow token: sent over the flow, answered 430 "
      "(flow gone), or 403 (token did not verify)";
  const std::pair<const char*, uint64_t> flows[] = {{"routed", load(p.flow_routed)},
                                                    {"failed", load(p.flow_failed)},
                                                    {"forged", load(p.forged_flow_tokens)}};
  for (const auto& [result, n] : flows)
    out.push_back(counter("sip_flow_requests_total", n, flow_help, {{"result", result}}));
  out.push_back(counter("connection_aliases_total", load(p.aliases),
                        "Requests whose Via alias made their connection reusable (RFC 5923)"));
}

// Each name once, its samples adjacent (the text format wants a family's samples together).
void ControlService::append_memory_metrics(const control::MemoryInfo& m, std::vector<Metric>& out) {
  auto labels = [](const control::PoolInfo& p) {
    control::MetricLabels l{{"pool", p.name}};
    if (p.worker >= 0) l.emplace_back("worker", std::to_string(p.worker));
    return l;
  };
  auto per_pool = [&](const char* name, bool is_counter, const char* help, auto field) {
    for (const auto& p : m.pools) {
      uint64_t v = field(p);
      out.push_back(is_counter ? counter(name, v, help, labels(p))
                               : gauge(name, static_cast<double>(v), help, labels(p)));
    }
  };
  using P = const control::PoolInfo&;
  per_pool("pool_in_use_bytes", false, "Memory pool bytes in use", [](P p) { return p.in_use; });
  per_pool("pool_peak_bytes", false, "Most memory pool bytes in use at once",
           [](P p) { return p.peak; });
  per_pool("pool_budget_bytes", false, "Memory pool budget in bytes (0 = unlimited)",
           [](P p) { return p.budget; });
  per_pool("pool_allocations_total", true, "Memory pool allocations made",
           [](P p) { return p.allocations; });
  per_pool("pool_failures_total", true, "Memory pool allocations refused",
           [](P p) { return p.failures; });
  const char* lib_help = "Shared pool bytes held by a library (OpenSSL, libevent)";
  out.push_back(gauge("library_memory_bytes", static_cast<double>(m.openssl_in_use), lib_help,
                      {{"library", "openssl"}}));
  out.push_back(gauge("library_memory_bytes", static_cast<double>(m.libevent_in_use), lib_help,
                      {{"library", "libevent"}}));
  out.push_back(gauge("tls_connection_shm_bytes", static_cast<double>(m.avg_tls_connection_bytes),
                      "Shared pool bytes held per live TLS connection, on average (README: "
                      "Operations, memory)"));
  out.push_back(gauge("memory_guard_high_water_bytes", static_cast<double>(m.high_water),
                      "Shared pool mark above which new connections are refused (0 = no budget)"));
  out.push_back(gauge("memory_guard_low_water_bytes", static_cast<double>(m.low_water),
                      "Shared pool mark below which new connections are accepted again"));
  out.push_back(gauge("memory_guard_refusing", m.refusing ? 1 : 0,
                      "1 while the memory guard refuses new connections"));
  const char* refused_help = "New connections refused by the memory guard, by kind";
  out.push_back(counter("memory_guard_refused_total", m.refused_connections, refused_help,
                        {{"kind", "inbound"}}));
  out.push_back(counter("memory_guard_refused_total", m.refused_handshakes, refused_help,
                        {{"kind", "outbound"}}));
  out.push_back(counter("allocation_drops_total", m.allocation_drops,
                        "Messages and connections dropped because an allocation failed"));
}

}  // namespace core
