#pragma once
// What the control plane (JSON-RPC control socket, serctl, the metrics endpoint) may ask of the
// running server. The composition root (core/server.cc) implements it; the control socket and
// the metrics endpoint only read these plain structs, so they know neither OpenSSL nor the
// workers. Every call is made from the control thread, never from a worker; calls that need a
// worker's data (connections, workers) post to each worker and wait a bounded time.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace core::control {

// One counter with its Prometheus-style identity: `name` (snake_case, no prefix: the exporter
// adds `ser_`; counters already end in `_total`), optional labels, help text. `counter` =
// monotonic; else a gauge. Metrics of one name are adjacent and share their help text.
struct Metric {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
  bool counter = true;
  std::string help;
};

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

inline Metric counter(std::string name, uint64_t value, std::string help,
                      MetricLabels labels = {}) {
  return Metric{std::move(name), std::move(labels), static_cast<double>(value), true,
                std::move(help)};
}

inline Metric gauge(std::string name, double value, std::string help, MetricLabels labels = {}) {
  return Metric{std::move(name), std::move(labels), value, false, std::move(help)};
}

// What a reload did. `ok` false: nothing changed, `diagnostics` holds the reasons
// (`file:line:col: error: ...`, one per line). `restart_required`: parameters that differ from
// the running ones but only take effect at restart (listeners, children, pools), one per entry.
struct ReloadResult {
  bool ok = false;
  std::string diagnostics;
  std::vector<std::string> restart_required;
  std::vector<std::string> changed;  // what the reload changed ("route script", "tls domains")
  uint64_t generation = 0;           // runtime generation in service after the call
};

enum class ReloadScope { kAll, kTlsOnly };

// One live stream connection (TCP or TLS), as a worker saw it when asked.
struct ConnectionInfo {
  uint64_t id = 0;
  std::string transport;  // "tcp", "tls"
  std::string local;      // "IP:port"
  std::string peer;
  bool outbound = false;
  std::string state;  // "connecting", "handshake", "open", "closing"
  int worker = -1;
  double age_seconds = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  // TLS only (empty otherwise):
  std::string domain;
  std::string sni;
  std::string version;
  std::string cipher;
  std::string peer_subject;
  int64_t peer_not_after = 0;  // unix time, 0 when no peer certificate
  bool peer_verified = false;
};

struct WorkerInfo {
  int index = 0;
  uint64_t connections = 0;
  uint64_t pool_in_use = 0;
  uint64_t pool_peak = 0;
  uint64_t pool_budget = 0;
  bool answered = true;  // false: busy or stuck, no answer within ~1 s (connections unknown)
};

struct DomainInfo {
  std::string name;  // `tls_domain[127.0.0.1:5061]`, `default server domain`
  std::string kind;  // "server", "client"
  std::string certificate_file;
  std::string subject;
  std::vector<std::string> sans;
  int64_t not_after = 0;  // unix time, 0 without a certificate
  double days_left = 0;
  // "" when more than 30 days are left; else the warning the log gives, e.g. "expires in 6
  // days" or "EXPIRED 2 days ago".
  std::string expiry;
  bool verify_peer = false;
};

// One memory pool as the control plane shows it (`serctl mem`, mem.stats, the ser_pool_*
// metrics): the shared pool ("shm", budget -m) or one worker's private pool ("pkg", budget -M).
struct PoolInfo {
  std::string name;  // "shm" or "pkg"
  int worker = -1;   // pkg: the worker's index
  uint64_t in_use = 0;
  uint64_t peak = 0;
  uint64_t budget = 0;  // 0 = unlimited
  uint64_t allocations = 0;
  uint64_t failures = 0;  // refused by the budget or by the allocator
};

// Where memory goes and what the shared budget's guard is doing (DESIGN.md principle 3).
struct MemoryInfo {
  std::vector<PoolInfo> pools;  // shm first, then each worker's pkg
  // The parts of shm held by the libraries (both allocate through the shared pool).
  uint64_t openssl_in_use = 0;
  uint64_t libevent_in_use = 0;
  // Live TLS connections and the shm bytes they hold on average (OpenSSL state, engine and
  // connection objects), 0 when there are none.
  uint64_t tls_connections = 0;
  uint64_t avg_tls_connection_bytes = 0;
  // The guard: above high_water new connections and handshakes are refused until shm falls
  // below low_water (bytes; 0 when shm has no budget).
  uint64_t high_water = 0;
  uint64_t low_water = 0;
  bool refusing = false;
  uint64_t refused_connections = 0;  // new connections closed at once by the guard
  uint64_t refused_handshakes = 0;   // outbound handshakes not started by the guard
  uint64_t allocation_drops = 0;     // messages or connections dropped on a failed allocation
};

class ServerControl {
 public:
  virtual ~ServerControl() = default;
  // Re-reads the configuration from disk and swaps the new runtime in, or changes nothing.
  virtual ReloadResult reload(ReloadScope scope) = 0;
  // Every counter and gauge (connections, handshakes, messages, drops, reloads, pools,
  // certificate not-after), in the order the exporter prints them.
  virtual std::vector<Metric> metrics() = 0;
  virtual std::vector<ConnectionInfo> connections() = 0;
  virtual std::vector<WorkerInfo> workers() = 0;
  virtual std::vector<DomainInfo> tls_domains() = 0;
  // The pools, the libraries' shares and the budget guard (read in place; no worker is asked).
  virtual MemoryInfo memory() = 0;
  // The effective value of every global parameter (`name` -> value as ser.cfg spells it).
  virtual std::vector<std::pair<std::string, std::string>> parameters() = 0;
};

}  // namespace core::control
