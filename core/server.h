#pragma once
// The composition root of a running proxy. Server::run() reads as its steps: build the
// runtime (core/runtime.h, the path `ser -c` and reload take too), set up the proxy and the
// workers, bind the listeners, start (detach, pid file, privileges, workers), wait for a
// signal, stop. It holds the runtime in service, which the control plane reads and a reload
// replaces.
#include <memory>

#include "core/command_line.h"
#include "core/control/control_server.h"
#include "core/control/metrics_http_server.h"
#include "core/control_service.h"
#include "core/net/net.h"
#include "core/proxy/local_sockets.h"
#include "core/proxy/stateless_proxy.h"
#include "core/runtime.h"

namespace core {

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

  // The runtime in service; null before run() has built it.
  const std::shared_ptr<const Runtime>& runtime() const { return runtime_; }
  // What the control socket and /metrics read; null before run() has set up the workers.
  ControlService* control() { return control_.get(); }

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

  const CommandLine cmd_;
  std::shared_ptr<const Runtime> runtime_;
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
