#include "core/runtime.h"

#include <sstream>

#include "cfg/config_loader.h"
#include "core/base/log.h"
#include "core/tls_support.h"

namespace core {

namespace {

bool has_listen(const cfg::CoreParams& core, const cfg::ListenConfig& l) {
  for (const auto& have : core.listen)
    if (have.to_string() == l.to_string()) return true;
  return false;
}

// Builds the runtime objects from a checked configuration; false with the reasons in diags.
bool build_objects(Runtime& rt, cfg::Diagnostics& diags) {
  // Both are built even when the first fails, so one run reports every error.
  std::shared_ptr<const script::CompiledScript> script =
      script::CompiledScript::compile(rt.config.script, diags);
  std::shared_ptr<tls::TlsRuntime> tls = build_tls_runtime(rt.config, diags);
  if (!script || !tls || diags.has_errors()) return false;
  rt.script = std::move(script);
  rt.tls = std::move(tls);
  return true;
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

BuildResult build_runtime(const CommandLine& cmd, uint64_t generation) {
  BuildResult result;
  result.path = cmd.config_file;
  cfg::Diagnostics& diags = result.diagnostics;
  auto rt = std::make_shared<Runtime>();
  rt->generation = generation;
  if (!cfg::load_config_file(cmd.config_file, &rt->config, &diags) || diags.has_errors())
    return result;
  for (const auto& l : cmd.extra_listen)
    if (has_listen(rt->config.core, l))
      diags.warning({"ser", 0, 0},
                    "-l " + l.to_string() + ": already a listen socket of " + cmd.config_file);
  apply_overrides(cmd, &rt->config);
  if (!build_objects(*rt, diags)) return result;
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
