// ser.cfg text from anyone who can write a config file (or a fuzzer): the lexer, the parser
// with its error recovery, name resolution of listen addresses, and the script compiler with
// its checks. Checks: no crash, no exception escaping as an "internal error" (every problem
// must be a diagnostic naming file:line:col), and a compiled script exactly when no error.
#include <string>

#include "cfg/config_loader.h"
#include "core/script/compiled_script.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/numeric_resolver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = (fuzz::quiet_logs(), true);
  (void)quiet;
  const std::string text(fuzz::as_text(data, size));
  // include_file, import_file and tls_config read files: keep them to names that do not
  // exist (the configuration sits in a directory that does not, so only ".." or an absolute
  // name leaves it) and away from devices and /proc, which can block or never end.
  for (const char* word : {"..", "/dev", "/proc", "/sys"}) {
    if (text.find(word) != std::string::npos) return 0;
  }
  cfg::Config config;
  cfg::Diagnostics diags;
  const bool ok = cfg::load_config_text("/nonexistent-ser-fuzz/ser.cfg", text, &config, &diags);
  for (const auto& d : diags.all()) {
    FUZZ_CHECK(d.message.rfind("internal error", 0) != 0, "%s", d.to_string().c_str());
  }
  (void)ok;
  // The compiler judges the script (its checks, then compilation), also after other errors,
  // as build_runtime does: whatever the parser recovered must be refused with a diagnostic,
  // never with an internal error or a crash.
  cfg::Diagnostics compile_diags;
  auto script = core::script::CompiledScript::compile(config.script, compile_diags);
  FUZZ_CHECK((script != nullptr) != compile_diags.has_errors(),
             "compile result and errors disagree");
  for (const auto& d : compile_diags.all()) {
    FUZZ_CHECK(d.message.rfind("internal", 0) != 0, "%s", d.to_string().c_str());
  }
  return 0;
}
