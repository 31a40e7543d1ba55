#include "core/server.h"

#include <cstring>
#include <iostream>
#include <memory>
#include <thread>

#include "cfg/diagnostics.h"
#include "core/base/log.h"
#include "core/base/pool.h"
#include "core/net/net.h"
#include "core/process.h"
#include "core/proxy/local_sockets.h"
#include "core/proxy/stateless_proxy.h"
#include "core/script/compiled_script.h"
#if SER_WITH_TLS
#include "tls/tls_runtime.h"
#endif

namespace core {

namespace {

using core::net::SocketAddr;
using core::net::Transport;

Transport to_transport(cfg::Proto p) {
  switch (p) {
    case cfg::Proto::kUdp:
      return Transport::kUdp;
    case cfg::Proto::kTcp:
      return Transport::kTcp;
    case cfg::Proto::kTls:
      return Transport::kTls;
  }
  return Transport::kUdp;
}

// The host we write into Via and Record-Route for a socket. A wildcard address says nothing
// to a peer, so the first `alias` stands in for it (else the loopback address, with a warning).
std::string advertised_host(const SocketAddr& bound, const cfg::Config& config) {
  if (bound.is_any()) {
    if (!config.core.aliases.empty()) return config.core.aliases.front();
    LOG_WARN(
        "listening on a wildcard address without an alias: Via and Record-Route will name "
        "the loopback address; set alias = <your host name>");
    return bound.af() == AF_INET6 ? "[::1]" : "127.0.0.1";
  }
  std::string ip = bound.ip_string();
  return bound.af() == AF_INET6 ? "[" + ip + "]" : ip;
}

core::net::NetSettings net_settings(const cfg::Config& config) {
  core::net::NetSettings s;
  int children = config.core.children;
  if (children <= 0) children = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  s.children = children;
  s.max_connections = config.core.tcp_max_connections;
  s.max_connections_per_ip = config.core.tcp_max_connections_per_ip;
  s.connection_lifetime = config.core.tcp_connection_lifetime;
  s.connect_timeout = config.core.tcp_connect_timeout;
  s.send_timeout = config.core.tcp_send_timeout;
  s.msg_read_timeout = config.core.tcp_msg_read_timeout;
  s.crlf_pong = config.core.tcp_crlf_pong;
  s.max_message_size = config.core.max_message_size;
  s.pkg_budget = static_cast<size_t>(config.core.pkg_mem_size_mb) << 20;
  return s;
}

// Binds every listen socket; fills `locals`. False when one fails (each failure logged).
bool bind_listeners(const cfg::Config& config, core::net::Net& net,
                    core::proxy::LocalSockets& locals,
                    core::net::TransportSocketFactory* tls_factory) {
  bool ok = true;
  for (const auto& l : config.effective_listen()) {
    if (l.proto == cfg::Proto::kTls && (!tls_factory || config.tls.disable_tls)) continue;
    core::net::ListenSpec spec;
    spec.transport = to_transport(l.proto);
    if (l.proto == cfg::Proto::kTls) spec.factory = tls_factory;
    // Numeric, or a host name resolved once at start.
    auto address = SocketAddr::resolve(l.host, l.port);
    if (!address) {
      LOG_ERR("listen=%s: cannot resolve '%s'", l.to_string().c_str(), l.host.c_str());
      ok = false;
      continue;
    }
    spec.address = *address;
    int id = net.add_listener(spec);
    if (id < 0) {
      LOG_ERR("listen=%s: cannot bind (see above)", l.to_string().c_str());
      ok = false;
      continue;
    }
    SocketAddr bound = net.listen_address(id);
    locals.add({spec.transport, bound, id, advertised_host(bound, config), bound.port()});
    LOG_NOTICE("listening on %s:%s", core::net::transport_name(spec.transport),
               bound.to_string().c_str());
  }
  for (const auto& a : config.core.aliases) locals.add_alias(a);
  return ok;
}

#if SER_WITH_TLS
// Log lines for what the config check found that is not an error (expiring certificates,
// readable keys): they matter at every start, not only at `ser -c`.
void log_diagnostics(const cfg::Diagnostics& diags) {
  for (const auto& d : diags.all()) {
    if (d.severity == cfg::Severity::kError)
      LOG_ERR("%s", d.to_string().c_str());
    else
      LOG_WARN("%s", d.to_string().c_str());
  }
}

#endif

}  // namespace

int run_server(const cfg::Config& config, const CommandLine& cmd) {
  log_init(config.core.log_level, config.core.log_stderror || cmd.log_stderr);
  Pool::shm().set_budget(static_cast<size_t>(config.core.shm_mem_size_mb) << 20);
  cfg::Diagnostics diags;
  auto script = core::script::CompiledScript::compile(config.script, diags);
  if (!script) {
    diags.print(std::cerr);
    return kExitConfigError;
  }
  core::net::TransportSocketFactory* tls_server = nullptr;
#if SER_WITH_TLS
  std::unique_ptr<tls::TlsRuntime> tls_runtime;
  if (config.uses_tls()) {
    cfg::Diagnostics tls_diags;
    tls_runtime = tls::TlsRuntime::create(config, tls_diags);
    log_diagnostics(tls_diags);
    if (!tls_runtime) return kExitConfigError;
    tls_server = tls_runtime->server_factory();
    LOG_NOTICE("TLS ready (%s)", tls::library_version().c_str());
  }
#endif
  block_signals();
  core::proxy::LocalSockets locals;
  core::proxy::NetSender sender;
  core::proxy::ProxySettings psettings;
  psettings.max_message_size = config.core.max_message_size;
  core::proxy::StatelessProxy proxy(locals, script.get(), sender, psettings);
  core::net::Net net(net_settings(config), proxy);
  sender.attach(&net);
#if SER_WITH_TLS
  if (tls_runtime) net.set_client_factory(Transport::kTls, tls_runtime->client_factory());
#endif
  if (!bind_listeners(config, net, locals, tls_server)) return 1;
  std::string error;
  // Detach first (it changes our pid), write the pid file while we may still write where
  // root can, then give up root: SER's order.
  if ((!cmd.foreground && !detach(config.core.log_stderror || cmd.log_stderr, &error)) ||
      !write_pid_file(cmd.pid_file, &error)) {
    LOG_ERR("%s", error.c_str());
    return 1;
  }
  if (!drop_privileges(config.core.user, config.core.group, &error)) {
    LOG_ERR("%s", error.c_str());
    remove_pid_file(cmd.pid_file);  // still root here: the file is ours to remove
    return 1;
  }
  if (!net.start()) {
    LOG_ERR("cannot start the workers");
    remove_pid_file(cmd.pid_file);
    return 1;
  }
  LOG_NOTICE("ser started: %d workers", net.worker_count());
  // Summaries of throttled lines come out within a second of their window's end.
  int sig = wait_for_stop_signal([] { LogThrottle::flush_all(); });
  LOG_NOTICE("signal %d: stopping (flushing pending writes)", sig);
  net.stop();
  LogThrottle::flush_all(true);
  remove_pid_file(cmd.pid_file);
  const auto& st = proxy.stats();
  LOG_NOTICE(
      "stopped: %llu requests, %llu forwarded, %llu replies forwarded, %llu local replies, %llu "
      "replies with a forged connection tag (;i=)",
      static_cast<unsigned long long>(st.requests.load()),
      static_cast<unsigned long long>(st.forwarded.load()),
      static_cast<unsigned long long>(st.replies_forwarded.load()),
      static_cast<unsigned long long>(st.local_replies.load()),
      static_cast<unsigned long long>(st.forged_conn_tags.load()));
#if SER_WITH_TLS
  if (tls_runtime) LOG_NOTICE("%s", tls_runtime->stats_line().c_str());
#endif
  return 0;
}

}  // namespace core
