// Server::reload: the runtime built beside the running one (build_runtime, the path of
// `ser -c` and start-up), then swapped in whole, or nothing changes (DESIGN.md principle 4).
#include <string>

#include "core/base/log.h"
#include "core/restart_changes.h"
#include "core/server.h"
#include "core/systemd_notify.h"

namespace core {

namespace {

// tls_reload_on_change: an ACME client writes a certificate, a key and a chain within a few
// milliseconds; half a second of quiet makes them one reload.
constexpr std::chrono::milliseconds kTlsFilesQuiet{500};

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// The diagnostics without their summary line, one log line each.
void log_reasons(const BuildResult& built) {
  for (const auto& d : built.diagnostics.all())
    if (d.severity == cfg::Severity::kError) LOG_ERR("reload failed: %s", d.to_string().c_str());
}

}  // namespace

control::ReloadResult Server::reload(control::ReloadScope scope) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  const std::shared_ptr<const Runtime> running = runtime();
  const bool tls_only = scope == control::ReloadScope::kTlsOnly;
  control::ReloadResult result;
  if (!serving_ || stopping_) {
    result.diagnostics = "ser is not serving (starting or stopping): nothing reloaded\n";
    return result;
  }
  SystemdReloading notify;  // systemd: RELOADING=1 now, READY=1 once this reload is over
  BuildResult built = build_runtime(cmd_, running->generation + 1, {running.get(), tls_only});
  if (!built.ok()) {
    reloads_failed_.fetch_add(1, std::memory_order_relaxed);
    result.diagnostics = built.text();
    result.generation = running->generation;
    const size_t errors = built.diagnostics.error_count();
    LOG_ERR("reload failed: %s has %zu error%s; the running configuration stays in service",
            cmd_.config_file.c_str(), errors, errors == 1 ? "" : "s");
    log_reasons(built);
    return result;
  }
  log_diagnostics(built.diagnostics);  // warnings: expiring certificates, readable keys
  result.diagnostics = built.text();
  swap_in(std::move(built.runtime), *running, tls_only, result);
  return result;
}

void Server::swap_in(std::shared_ptr<const Runtime> next, const Runtime& running, bool tls_only,
                     control::ReloadResult& result) {
  result.restart_required = restart_only_changes(running.config, next->config);
  if (!tls_only) {
    proxy_->set_script(next->script);
    result.changed.push_back("route script");
  }
  if (next->tls_domains) {
    next->tls->use_domains(next->tls_domains);
    result.changed.push_back("tls domains");
  }
  if (next->config.core.log_level != running.config.core.log_level) {
    log_set_level(next->config.core.log_level);
    result.changed.push_back("log_level");
  }
  result.ok = true;
  result.generation = next->generation;
  const Runtime& rt = *next;
  runtime_.publish(std::move(next));
  const uint64_t n = reloads_ok_.fetch_add(1, std::memory_order_relaxed) + 1;
  LOG_NOTICE("reload #%llu ok: generation %llu in service (%s)", static_cast<unsigned long long>(n),
             static_cast<unsigned long long>(result.generation),
             result.changed.empty() ? "nothing to swap" : joined(result.changed, ", ").c_str());
  for (const auto& r : result.restart_required)
    LOG_WARN("reload #%llu: %s: not applied until restart", static_cast<unsigned long long>(n),
             r.c_str());
  watch_tls_files(rt);
}

ReloadStats Server::reload_stats() const {
  ReloadStats s;
  s.ok = reloads_ok_.load(std::memory_order_relaxed);
  s.failed = reloads_failed_.load(std::memory_order_relaxed);
  s.generation = runtime()->generation;
  return s;
}

std::vector<control::Metric> Server::reload_metrics() const {
  const ReloadStats s = reload_stats();
  const char* help =
      "Reloads (SIGHUP, serctl reload, serctl tls reload, tls_reload_on_change) by result";
  return {
      {"reloads_total", {{"result", "ok"}}, static_cast<double>(s.ok), true, help},
      {"reloads_total", {{"result", "failed"}}, static_cast<double>(s.failed), true, help},
      {"runtime_generation",
       {},
       static_cast<double>(s.generation),
       false,
       "Generation of the configuration in service: 1 at start, +1 per successful reload"},
  };
}

void Server::watch_tls_files(const Runtime& rt) {
  std::vector<std::string> files;
  if (rt.config.tls.reload_on_change) files = rt.tls->files();
  if (files.empty()) {
    // Not destroyed here: this may run on the watcher's own thread (a reload it started).
    if (watcher_) watcher_->watch({});
    return;
  }
  if (!watcher_) {
    auto watcher = std::make_unique<FileWatcher>(
        kTlsFilesQuiet, [this](const std::vector<std::string>& changed) {
          LOG_NOTICE("tls_reload_on_change: %s changed: reloading the TLS domains",
                     joined(changed, ", ").c_str());
          // Through the control service, as `serctl tls reload`: it re-checks expiry.
          control_->reload(control::ReloadScope::kTlsOnly);
        });
    std::string error;
    if (!watcher->start(&error)) {
      LOG_ERR("tls_reload_on_change: %s; certificate files are not watched", error.c_str());
      return;
    }
    watcher_ = std::move(watcher);
  }
  watcher_->watch(std::move(files));
}

}  // namespace core
