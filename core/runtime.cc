#include "core/runtime.h"

#include <sstream>

#include "cfg/config_loader.h"
#include "core/base/log.h"
#include "core/process.h"
#include "core/tls_support.h"

namespace core {

namespace {

// Start-up gives up root for these accounts after binding: one that does not exist must fail
// `ser -c` as it fails the start.
void check_accounts(const cfg::Config& config, cfg::Diagnostics& diags) {
  const cfg::CoreParams& core = config.core;
  std::string missing = missing_account(core.user, core.group);
  if (missing.empty()) return;
  const char* param = missing.starts_with("user") ? "user" : "group";
  auto at = config.set_at.find(param);
  diags.error(at != config.set_at.end() ? at->second : cfg::SourceLoc{config.main_file, 0, 0},
              missing);
}

// The TLS part of a reload: a new domain set for the running TLS runtime. A configuration
// that starts using TLS only now is checked whole (its files must be right), but served only
// after a restart (restart_only_changes says so): the listeners' factories are made at start.
bool rebuild_tls(Runtime& rt, const Runtime& running, cfg::Diagnostics& diags) {
  rt.tls = running.tls;
  if (!rt.config.uses_tls()) return true;  // the running set stays until the restart
  if (running.tls->domains() == nullptr) return build_tls_runtime(rt.config, diags) != nullptr;
  rt.tls_domains = running.tls->build_domains(rt.config, diags);
  return rt.tls_domains != nullptr;
}

// Builds the TLS side from a checked configuration and stores it with `script`; false with
// the reasons in diags.
bool build_objects(Runtime& rt, const Rebuild& rebuild,
                   std::shared_ptr<const script::CompiledScript> script, cfg::Diagnostics& diags) {
  bool tls_ok;
  if (rebuild.running) {
    tls_ok = rebuild_tls(rt, *rebuild.running, diags);
  } else {
    rt.tls = build_tls_runtime(rt.config, diags);
    tls_ok = rt.tls != nullptr;
    if (tls_ok) rt.tls_domains = rt.tls->domains();
  }
  if (!script || !tls_ok || diags.has_errors()) return false;
  rt.script = std::move(script);
  return true;
}

// What tls_client_domain("ID") may name: the ids of the client domains (none without TLS).
std::vector<std::string> client_domain_ids(const cfg::Config& config) {
  std::vector<std::string> ids;
  for (const auto& d : config.tls_domains)
    if (d.kind == cfg::TlsDomainKind::kClient && !d.id.empty()) ids.push_back(d.id);
  return ids;
}

}  // namespace

std::string BuildResult::text() const {
  std::ostringstream out;
  diagnostics.print(out);
  if (!ok()) {
    size_t n = diagnostics.error_count();
    out << "ser: " << path << ": " << n << (n == 1 ? " error" : " errors")
        << " in the configuration\n";
  }
  return out.str();
}

BuildResult build_runtime(const CommandLine& cmd, uint64_t generation, const Rebuild& rebuild) {
  BuildResult result;
  result.path = cmd.config_file;
  cfg::Diagnostics& diags = result.diagnostics;
  auto rt = std::make_shared<Runtime>();
  rt->generation = generation;
  bool loaded = cfg::load_config_file(cmd.config_file, &rt->config, &diags);
  // The script is compiled even when the file has other errors (the parser recovers), so
  // that one run reports them all.
  std::shared_ptr<const script::CompiledScript> script =
      script::CompiledScript::compile(rt->config.script, diags, client_domain_ids(rt->config));
  if (!loaded || diags.has_errors()) return result;
  for (const auto& l : cmd.extra_listen)
    if (has_listen(rt->config.core, l))
      diags.warning({"ser", 0, 0},
                    "-l " + l.to_string() + ": already a listen socket of " + cmd.config_file);
  apply_overrides(cmd, &rt->config);
  check_accounts(rt->config, diags);
  // `serctl tls reload` keeps the running script (this one only had to be free of errors).
  if (rebuild.tls_only && rebuild.running) script = rebuild.running->script;
  if (!build_objects(*rt, rebuild, std::move(script), diags)) return result;
  result.runtime = std::move(rt);
  return result;
}

void log_diagnostics(const cfg::Diagnostics& diags) {
  for (const auto& d : diags.all()) {
    if (d.severity == cfg::Severity::kError)
      LOG_ERR("%s", d.to_string().c_str());
    else
      LOG_WARN("%s", d.to_string().c_str());
  }
}

}  // namespace core
