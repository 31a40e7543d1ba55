#include "core/server.h"

#include <cassert>
#include <iostream>

#include "cfg/param_table.h"
#include "core/base/block_allocator.h"
#include "core/base/fd_limit.h"
#include "core/base/log.h"
#include "core/base/pool.h"
#include "core/process.h"
#include "core/settings.h"
#include "core/systemd_notify.h"
#include "core/tls_support.h"

namespace core {

namespace {

using core::Transport;
using core::net::SocketAddr;

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

}  // namespace

Server::Server(CommandLine cmd) : cmd_(std::move(cmd)) {}

Server::~Server() = default;

int Server::run() {
  if (!build()) return kExitConfigError;
  set_up();
  if (!bind() || !open_control_socket() || !start()) return 1;
  int sig = wait_for_stop();
  LOG_NOTICE("signal %d: stopping (flushing pending writes)", sig);
  stop();
  log_stats();
  return 0;
}

bool Server::build() {
  BuildResult built = build_runtime(cmd_);
  if (!built.ok()) {
    std::cerr << built.text();
    return false;
  }
  runtime_.publish(std::move(built.runtime));
  const std::shared_ptr<const Runtime> rt = runtime();
  const cfg::CoreParams& core = rt->config.core;
  log_init(core.log_level, core.log_stderror || cmd_.log_stderr);
  // Warnings (expiring certificates, readable keys, ...) matter at every start, not only at -c.
  log_diagnostics(built.diagnostics);
  if (rt->config.uses_tls())
    LOG_NOTICE("TLS ready (%s; certificate keys through %s)", tls_library_version().c_str(),
               tls_key_methods().c_str());
  LOG_INFO("memory pools on %s", BlockAllocator::instance().name());
  return true;
}

namespace {

// One descriptor per connection: past the open-file limit accepts fail ("accept: out of file
// descriptors"), whatever tcp_max_connections says.
void log_fd_limit(const FdLimit& fds, uint32_t max_connections) {
  if (fds.now > fds.before)
    LOG_NOTICE("open-file limit raised from %llu to %llu (the hard limit)",
               static_cast<unsigned long long>(fds.before),
               static_cast<unsigned long long>(fds.now));
  if (fds.now < max_connections)
    LOG_INFO(
        "open-file limit %llu is below tcp_max_connections (%u): connections past it are "
        "refused",
        static_cast<unsigned long long>(fds.now), max_connections);
}

}  // namespace

void Server::set_up() {
  const std::shared_ptr<const Runtime> rt = runtime();
  const cfg::Config& config = rt->config;
  Pool::shm().set_budget(static_cast<size_t>(config.core.shm_mem_size_mb) << 20);
  log_fd_limit(raise_fd_limit(), config.core.tcp_max_connections);
  // Before any worker thread exists, so that they all inherit the mask.
  block_signals();
  proxy_ = std::make_unique<core::proxy::StatelessProxy>(locals_, rt->script, sender_,
                                                         proxy_settings(config));
  net_ = std::make_unique<core::net::Net>(net_settings(config), *proxy_);
  sender_.attach(net_.get());
  net_->set_connect_observer(&core::proxy::StatelessProxy::on_connect_result, proxy_.get());
  if (auto* client = rt->tls->client_factory()) net_->set_client_factory(Transport::kTls, client);
  ControlHooks hooks;
  hooks.reload = [this](control::ReloadScope scope) { return reload(scope); };
  hooks.extra_metrics = [this] { return reload_metrics(); };
  // serctl cfg: what is in effect, as ser.cfg spells it (the param table's getters).
  hooks.parameters = [this] { return cfg::effective_parameters(runtime()->config); };
  control_ = std::make_unique<ControlService>(
      *net_, proxy_->stats(), [this] { return runtime()->tls; }, std::move(hooks));
}

// Binds every listen socket and fills locals_. False when one fails (each failure logged).
bool Server::bind() {
  const std::shared_ptr<const Runtime> rt = runtime();
  const cfg::Config& config = rt->config;
  core::net::TransportSocketFactory* tls_factory = rt->tls->server_factory();
  bool ok = true;
  for (const auto& l : config.effective_listen()) {
    if (l.proto == Transport::kTls && (!tls_factory || config.tls.disable_tls)) continue;
    core::net::ListenSpec spec;
    spec.transport = l.proto;
    if (l.proto == Transport::kTls) spec.factory = tls_factory;
    // Numeric, or a host name resolved once at start.
    auto address = SocketAddr::resolve(l.host, l.port);
    if (!address) {
      LOG_ERR("listen=%s: cannot resolve '%s'", l.to_string().c_str(), l.host.c_str());
      ok = false;
      continue;
    }
    spec.address = *address;
    int id = net_->add_listener(spec);
    if (id < 0) {
      LOG_ERR("listen=%s: cannot bind (see above)", l.to_string().c_str());
      ok = false;
      continue;
    }
    SocketAddr bound = net_->listen_address(id);
    locals_.add({spec.transport, bound, id, advertised_host(bound, config), bound.port()});
    if (spec.transport == Transport::kUdp) {
      // udp_rcvbuf / udp_sndbuf: what the kernel granted, as getsockopt reports it.
      auto [rcv, snd] = net_->udp_buffers(id);
      LOG_NOTICE("listening on %s:%s (receive buffer %d bytes, send buffer %d bytes)",
                 spec.transport.name(), bound.to_string().c_str(), rcv, snd);
    } else {
      LOG_NOTICE("listening on %s:%s", spec.transport.name(), bound.to_string().c_str());
    }
  }
  for (const auto& a : config.core.aliases) locals_.add_alias(a);
  return bind_metrics() && ok;
}

// Bound with the SIP sockets, before privileges are dropped; served once the workers run.
bool Server::bind_metrics() {
  const std::string& listen = runtime()->config.core.metrics_listen;
  if (listen.empty()) return true;
  auto address = SocketAddr::parse(listen);
  assert(address);  // the config parser took only IP:PORT
  metrics_ = std::make_unique<control::MetricsHttpServer>(*control_);
  std::string error;
  if (!metrics_->listen(*address, &error)) {
    LOG_ERR("%s", error.c_str());
    return false;
  }
  return true;
}

// Bound as root, before privileges drop, so that it can be made in /run/ser and given to
// `user`. The default socket is best effort (README "Configuration"): ser run by hand, not as
// root, or beside another ser, still starts.
bool Server::open_control_socket() {
  const cfg::CoreParams& core = runtime()->config.core;
  cfg::ControlAddress address;
  control::SocketOwner owner;
  std::string error;
  // The parser checked the address; resolve_owner fails only where drop_privileges would,
  // with the same words ("user 'x' does not exist").
  if (!cfg::parse_control_address(core.ctl_socket, &address, &error) ||
      !control::resolve_owner(core.user, core.group, &owner, &error)) {
    LOG_ERR("%s", error.c_str());
    return false;
  }
  ctl_server_ = std::make_unique<control::ControlServer>(*control_);
  if (ctl_server_->open(address, owner, &error)) return true;
  ctl_server_.reset();
  if (core.ctl_socket != cfg::kDefaultCtlSocket) {
    LOG_ERR("%s", error.c_str());
    return false;
  }
  LOG_WARN("%s: running without a control socket (serctl cannot reach this ser; set ctl_socket)",
           error.c_str());
  return true;
}

bool Server::start() {
  const std::shared_ptr<const Runtime> rt = runtime();
  const cfg::CoreParams& core = rt->config.core;
  std::string error;
  // Detach first (it changes our pid), write the pid file while we may still write where
  // root can, then give up root: SER's order.
  if ((!cmd_.foreground && !detach(core.log_stderror || cmd_.log_stderr, &error)) ||
      !write_pid_file(cmd_.pid_file, &error)) {
    LOG_ERR("%s", error.c_str());
    return false;
  }
  if (!drop_privileges(core.user, core.group, &error)) {
    LOG_ERR("%s", error.c_str());
    remove_pid_file(cmd_.pid_file);  // still root here: the file is ours to remove
    return false;
  }
  if (!net_->start()) {
    LOG_ERR("cannot start the workers");
    remove_pid_file(cmd_.pid_file);
    return false;
  }
  LOG_NOTICE("ser started: %d workers", net_->worker_count());
  // After detach (no thread may cross the fork) and with the privileges reloads will have.
  {
    std::lock_guard<std::mutex> lock(reload_mu_);
    serving_ = true;  // reloads may swap from now on
    watch_tls_files(*rt);
  }
  control_->start();  // certificate expiry: said at start, then as it comes
  if (metrics_) {
    if (!metrics_->start(&error)) {
      LOG_ERR("%s", error.c_str());
      net_->stop();
      remove_pid_file(cmd_.pid_file);
      return false;
    }
    LOG_NOTICE("metrics on http://%s/metrics", metrics_->address().to_string().c_str());
  }
  // Its thread starts once the workers it asks exist, and after detach() (a fork).
  if (ctl_server_ && !ctl_server_->start(&error)) {
    LOG_ERR("%s", error.c_str());
    if (metrics_) metrics_->stop();
    net_->stop();
    remove_pid_file(cmd_.pid_file);
    return false;
  }
  // Every socket is bound and the workers run: systemd may start what depends on us.
  std::string status = "serving with " + std::to_string(net_->worker_count()) + " workers";
  SystemdNotify::ready(status.c_str());
  return true;
}

int Server::wait_for_stop() {
  // Summaries of throttled lines come out within a second of their window's end.
  // SIGHUP goes through the control service as `serctl reload` does (it re-checks expiry).
  return wait_for_stop_signal(
      [this] {
        LogThrottle::flush_all();
        control_->tick();
      },
      [this] { control_->reload(control::ReloadScope::kAll); });
}

void Server::stop() {
  SystemdNotify::stopping();
  if (ctl_server_) ctl_server_->stop();  // its calls go to the workers: it ends before them
  if (metrics_) metrics_->stop();        // a scrape asks the workers: it ends before they do
  std::unique_ptr<FileWatcher> watcher;
  {
    std::lock_guard<std::mutex> lock(reload_mu_);
    stopping_ = true;  // no reload from now on
    watcher = std::move(watcher_);
  }
  watcher.reset();  // joins its thread, outside the lock a reload it started may wait for
  net_->stop();
  LogThrottle::flush_all(true);
  remove_pid_file(cmd_.pid_file);
}

void Server::log_stats() const {
  const auto& st = proxy_->stats();
  LOG_NOTICE(
      "stopped: %llu requests, %llu forwarded, %llu replies forwarded, %llu local replies, %llu "
      "replies with a forged connection tag (;i=)",
      static_cast<unsigned long long>(st.requests.load()),
      static_cast<unsigned long long>(st.forwarded.load()),
      static_cast<unsigned long long>(st.replies_forwarded.load()),
      static_cast<unsigned long long>(st.local_replies.load()),
      static_cast<unsigned long long>(st.forged_conn_tags.load()));
  if (st.flow_routed.load() + st.flow_failed.load() + st.forged_flow_tokens.load() +
          st.aliases.load() !=
      0)
    LOG_NOTICE(
        "flows: %llu requests routed by a flow token, %llu answered 430 (flow gone), %llu "
        "403 (token did not verify); %llu connection aliases granted",
        static_cast<unsigned long long>(st.flow_routed.load()),
        static_cast<unsigned long long>(st.flow_failed.load()),
        static_cast<unsigned long long>(st.forged_flow_tokens.load()),
        static_cast<unsigned long long>(st.aliases.load()));
  std::string tls_line = runtime()->tls->stats_line();
  if (!tls_line.empty()) LOG_NOTICE("%s", tls_line.c_str());
  log_memory();
}

// At debug level: where the memory went over the run, one line per pool, then the guard.
void Server::log_memory() const {
  if (!log_enabled(LogLevel::kDebug)) return;
  control::MemoryInfo m = control_->memory();
  for (const auto& p : m.pools) {
    std::string name = p.worker < 0 ? p.name : p.name + " " + std::to_string(p.worker);
    LOG_DBG(
        "memory: pool %s: %llu bytes in use, peak %llu, budget %llu, %llu allocations, "
        "%llu failures",
        name.c_str(), static_cast<unsigned long long>(p.in_use),
        static_cast<unsigned long long>(p.peak), static_cast<unsigned long long>(p.budget),
        static_cast<unsigned long long>(p.allocations),
        static_cast<unsigned long long>(p.failures));
  }
  LOG_DBG(
      "memory: openssl %llu and libevent %llu bytes of shm; guard refused %llu "
      "connections and %llu outbound ones; %llu allocation drops",
      static_cast<unsigned long long>(m.openssl_in_use),
      static_cast<unsigned long long>(m.libevent_in_use),
      static_cast<unsigned long long>(m.refused_connections),
      static_cast<unsigned long long>(m.refused_handshakes),
      static_cast<unsigned long long>(m.allocation_drops));
}

int run_server(const CommandLine& cmd) {
  return Server(cmd).run();
}

}  // namespace core
