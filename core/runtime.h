#pragma once
// Everything ser builds from ser.cfg before it serves: the checked configuration (command line
// applied), the compiled route script and the TLS runtime. `ser -c`, start-up and every reload
// build it with build_runtime(), so a configuration passes `-c` exactly when it starts and
// the three say the same thing about one that does not.
#include <cstdint>
#include <memory>
#include <string>

#include "cfg/config_model.h"
#include "cfg/diagnostics.h"
#include "core/command_line.h"
#include "core/script/compiled_script.h"
#include "tls/tls_runtime.h"

namespace core {

struct Runtime {
  cfg::Config config;
  // Shared by every worker (running it is const and allocation-free); a reload swaps in a new
  // one while messages in flight finish with the old.
  std::shared_ptr<const script::CompiledScript> script;
  // Never null: a TLS-less runtime (null factories) when TLS is not used or not built in.
  // A reload keeps the running one (its factories serve the listeners, its limiter and ticket
  // keys carry over) and builds only a new domain set for it.
  std::shared_ptr<tls::TlsRuntime> tls;
  // The domain set this runtime built (put in service by TlsRuntime::use_domains on reload);
  // null when it built none (no TLS, or a reload that kept the running set).
  std::shared_ptr<const tls::DomainSet> tls_domains;
  uint64_t generation = 0;  // 1 for the runtime built at start, +1 per successful reload
};

struct BuildResult {
  std::string path;                        // the configuration file, as given
  std::shared_ptr<const Runtime> runtime;  // null when the configuration has errors
  cfg::Diagnostics diagnostics;            // every error and warning, in the order found

  bool ok() const { return runtime != nullptr; }
  // What `ser -c` prints to stderr, start-up prints before it exits and a failed reload
  // returns: each diagnostic on its own line (`file:line:col: error: ...`), then, on failure,
  // `ser: FILE: N errors in the configuration`.
  std::string text() const;
};

// What a reload builds beside the running runtime.
struct Rebuild {
  const Runtime* running = nullptr;  // null at start
  bool tls_only = false;             // keep the running route script (`serctl tls reload`)
};

// Loads cmd.config_file (with its includes and tls_config file), applies the command line
// over it, compiles the route script and builds the TLS runtime. Touches no socket, thread or
// signal: it runs beside a live server on reload (`rebuild.running`), where it builds a new
// domain set for the running TLS runtime instead of a new runtime.
BuildResult build_runtime(const CommandLine& cmd, uint64_t generation = 1,
                          const Rebuild& rebuild = {});

// The diagnostics as log lines (errors at ERR, the rest at WARN): warnings matter at every
// start and reload, not only at `ser -c`.
void log_diagnostics(const cfg::Diagnostics& diags);

}  // namespace core
