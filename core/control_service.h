#pragma once
// The ServerControl of the running server (core/control/server_control.h): what the control
// socket, serctl and /metrics see. Everything is read from the owners of the data, never
// copied ahead: connections and per-worker figures are asked of each worker (Net::post) and
// waited for a bounded time, so a busy or stuck worker is reported instead of blocking the
// control thread; counters are relaxed atomics read in place; the TLS side comes through
// tls::TlsRuntime (core knows no OpenSSL; a runtime without TLS has no domains).
//
// Reload and the effective parameters belong to the composition root, which hands them in as
// functions (ControlHooks), with any metrics of its own (reload counters), and the TLS runtime
// in service (a reload may replace it).
//
// Safe to call from several threads at once (the control socket's, the metrics endpoint's,
// the main thread's tick()): each call gathers its own answers; the expiry checks take a lock.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/pool.h"
#include "core/control/server_control.h"
#include "core/net/net.h"
#include "core/proxy/proxy_types.h"
#include "tls/tls_runtime.h"

namespace core {

// The TLS runtime in service (never null: a TLS-less one without TLS).
using TlsSource = std::function<std::shared_ptr<tls::TlsRuntime>()>;

struct ControlHooks {
  std::function<control::ReloadResult(control::ReloadScope)> reload;
  std::function<std::vector<std::pair<std::string, std::string>>()> parameters;
  std::function<std::vector<control::Metric>()> extra_metrics;  // e.g. reloads_total
};

class ControlService final : public control::ServerControl {
 public:
  // How long a worker may take to answer before it is reported as not answering.
  static constexpr std::chrono::milliseconds kWorkerWait{1000};
  // How often tick() looks at the certificates' expiry (the policy logs once per band).
  static constexpr int64_t kExpiryCheckSeconds = 3600;

  ControlService(net::Net& net, const proxy::ProxyStats& proxy_stats, TlsSource tls,
                 ControlHooks hooks, Pool& shm = Pool::shm());

  control::ReloadResult reload(control::ReloadScope scope) override;
  std::vector<control::Metric> metrics() override;
  std::vector<control::ConnectionInfo> connections() override;
  std::vector<control::WorkerInfo> workers() override;
  std::vector<control::DomainInfo> tls_domains() override;
  control::MemoryInfo memory() override;
  std::vector<std::pair<std::string, std::string>> parameters() override;

  // Start-up: the certificates' expiry as the configuration check just logged it (a
  // certificate within 30 days of its notAfter was a warning of that check); what changes
  // afterwards is logged by tick().
  void start();
  // About once a second from the main thread: the hourly expiry check, which logs a
  // certificate crossing 30, 7 or 1 days before its notAfter, or expiring (tls/cert_expiry.h).
  void tick();
  // After a successful reload made without reload() (SIGHUP, tls_reload_on_change): as start()
  // for what is now in service.
  void reloaded();

  // Tests (from the thread that asks): a shorter wait for workers, a fixed clock (unix seconds).
  void set_worker_wait(std::chrono::milliseconds wait) { worker_wait_ = wait; }
  void set_clock(std::function<int64_t()> now) { now_ = std::move(now); }

 private:
  // Each worker's snapshot, or nullopt for one that did not answer within worker_wait_
  // (logged).
  std::vector<std::optional<net::WorkerSnapshot>> gather(bool with_list);
  void append_connection_metrics(const std::vector<std::optional<net::WorkerSnapshot>>& snaps,
                                 std::vector<control::Metric>& out) const;
  void append_net_metrics(std::vector<control::Metric>& out) const;
  void append_proxy_metrics(std::vector<control::Metric>& out) const;
  static void append_memory_metrics(const control::MemoryInfo& m,
                                    std::vector<control::Metric>& out);

  net::Net& net_;
  const proxy::ProxyStats& proxy_stats_;
  TlsSource tls_;
  ControlHooks hooks_;
  Pool& shm_;
  std::chrono::milliseconds worker_wait_ = kWorkerWait;
  std::function<int64_t()> now_;
  std::mutex expiry_mu_;  // the expiry watch's state: tick() and a reload may run at once
  int64_t next_expiry_check_ = 0;
};

}  // namespace core
