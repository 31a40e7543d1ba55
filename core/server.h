#pragma once
// The composition root of a running proxy. Server::run() reads as its steps: build the
// runtime (core/runtime.h, the path `ser -c` and reload take too), set up the proxy and the
// workers, bind the listeners, start (detach, pid file, privileges, workers), wait for a
// signal, stop. It holds the runtime in service, which the control plane reads and a reload
// replaces.
#include <atomic>
#include <memory>
#include <mutex>

#include "core/base/published.h"
#include "core/command_line.h"
#include "core/control/control_server.h"
#include "core/control/metrics_http_server.h"
#include "core/control/server_control.h"
#include "core/control_service.h"
#include "core/file_watcher.h"
#include "core/net/net.h"
#include "core/proxy/local_sockets.h"
#include "core/proxy/stateless_proxy.h"
#include "core/runtime.h"

namespace core {

// Reload counters, for the metrics.
struct ReloadStats {
  uint64_t ok = 0;
  uint64_t failed = 0;
  uint64_t generation = 0;  // of the runtime in service: 1 at start, +1 per successful reload
};

class Server {
 public:
  explicit Server(CommandLine cmd);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Returns the process exit code: 0 after a clean stop, 1 when the configuration has errors
  // (its diagnostics on stderr, as `ser -c` prints them) or something could not be set up (a
  // socket that does not bind, a user that does not exist, ...), each said on one log line.
  int run();

  // What the control socket and /metrics read; null before run() has set up the workers.
  ControlService* control() { return control_.get(); }
  // The runtime in service; null before run() has built it. Any thread.
  std::shared_ptr<const Runtime> runtime() const { return runtime_.get(); }

  // Re-reads the configuration (the same -f file and command line), builds and validates it
  // beside the running runtime, and swaps the new route script (kAll) and TLS domain set in;
  // or, when anything fails, changes nothing and returns the diagnostics `ser -c` prints.
  // Parameters that only a restart applies are listed in restart_required. One reload at a
  // time: SIGHUP, tls_reload_on_change and the control socket may ask at once. Any thread
  // but a worker's.
  control::ReloadResult reload(control::ReloadScope scope);
  ReloadStats reload_stats() const;
  // reloads_total{result="ok"|"failed"} and runtime_generation, for /metrics.
  std::vector<control::Metric> reload_metrics() const;

 private:
  bool build();                // the runtime from cmd_, diagnostics to stderr on failure
  void set_up();               // logging, pools, the proxy and the workers' Net (nothing bound yet)
  bool bind();                 // every listen socket
  bool bind_metrics();         // metrics_listen, when set
  bool open_control_socket();  // ctl_socket (its thread starts in start())
  bool start();                // detach, pid file, privileges, workers
  int wait_for_stop();         // until SIGTERM/SIGINT; returns the signal
  void stop();                 // workers stopped, pending writes flushed, pid file removed
  void log_stats() const;
  void log_memory() const;
  // Applies what a successful reload built; the reasons and results go to `result`.
  void swap_in(std::shared_ptr<const Runtime> next, const Runtime& running, bool tls_only,
               control::ReloadResult& result);
  // tls_reload_on_change: watches the files of `rt`'s domain set (none when off).
  void watch_tls_files(const Runtime& rt);

  const CommandLine cmd_;
  Published<Runtime> runtime_;
  std::mutex reload_mu_;  // one reload at a time; guards watcher_ and stopping_
  bool serving_ = false;  // started: there is a proxy to swap a script into
  bool stopping_ = false;
  std::atomic<uint64_t> reloads_ok_{0};
  std::atomic<uint64_t> reloads_failed_{0};
  std::unique_ptr<FileWatcher> watcher_;  // created at the first need; stopped at stop()
  core::proxy::LocalSockets locals_;
  core::proxy::NetSender sender_;
  // Destroyed before what they point to (members are destroyed in reverse order).
  std::unique_ptr<core::proxy::StatelessProxy> proxy_;
  std::unique_ptr<core::net::Net> net_;
  std::unique_ptr<ControlService> control_;
  std::unique_ptr<control::MetricsHttpServer> metrics_;  // null without metrics_listen
  std::unique_ptr<control::ControlServer> ctl_server_;   // null without a control socket
};

// main's entry for a start (not -c): Server(cmd).run().
int run_server(const CommandLine& cmd);

}  // namespace core
