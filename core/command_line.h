#pragma once
// The `ser` command line: SER's flags (-f -c -D -E -d -n -l -m -M -u -g -P -V -h), parsed with
// Boost.Program_options into a plain struct, and applied over the loaded configuration
// (the command line wins over ser.cfg, as in SER).
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "cfg/config_model.h"

namespace core {

// Exit codes of `ser`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitConfigError = 1;  // the configuration has errors
inline constexpr int kExitUsage = 2;        // bad flag or flag value
inline constexpr int kExitNoCore = 3;       // config fine, proxy core not built yet (issue 2)

// Where `-f` points when not given: SER_DEFAULT_CONFIG when defined at build time, else
// PREFIX/etc/ser/ser.cfg with PREFIX the directory above the ser binary's (`make install`
// puts sbin/ser and etc/ser/ser.cfg there); when that does not exist but PREFIX/etc/ser.cfg
// does (running build/ser in the source tree), that one.
std::string default_config_file();

struct CommandLine {
  std::string config_file;                      // -f, else default_config_file()
  bool check_only = false;                      // -c
  bool foreground = false;                      // -D
  bool log_stderr = false;                      // -E
  int debug_raise = 0;                          // number of -d
  std::optional<int> children;                  // -n
  std::vector<cfg::ListenConfig> extra_listen;  // -l (repeatable)
  std::optional<uint32_t> shm_mem_mb;           // -m
  std::optional<uint32_t> pkg_mem_mb;           // -M
  std::string user;                             // -u
  std::string group;                            // -g
  std::string pid_file;                         // -P
};

enum class ParseOutcome { kRun, kHelp, kVersion, kError };

struct ParseResult {
  ParseOutcome outcome = ParseOutcome::kRun;
  CommandLine cmd;
  std::string error;  // kError: what was wrong, one line
};

ParseResult parse_command_line(int argc, const char* const argv[]);

// `-h` text (also printed, on stderr, after a usage error).
std::string usage_text();
// `-V` text: version, TLS support and the OpenSSL version built against.
std::string version_text();

// One `-l` value, same syntax as `listen=` (PROTO:ADDR[:PORT]). Returns "" or the error.
std::string parse_listen_arg(const std::string& text, cfg::ListenConfig* out);

// True when `l` is already one of the configuration's listen sockets (an -l that repeats one).
bool has_listen(const cfg::CoreParams& core, const cfg::ListenConfig& l);

// Command-line values over the file's: children, extra listens, memory sizes, user, group,
// log level (each -d raises it by one, up to 4) and log to stderr.
void apply_overrides(const CommandLine& cmd, cfg::Config* config);

// The `-c` summary: listeners and TLS domains (address, SNI, certificate, method).
void print_summary(const cfg::Config& config, std::ostream& out);

// `ser -c`: build the runtime as start-up does (core/runtime.h), print the warnings and the
// summary (exit 0) or the diagnostics (exit 1).
int run_check(const CommandLine& cmd, std::ostream& out, std::ostream& err);

// What main does for -h, -V and usage errors; returns the exit code, or nullopt to go on.
std::optional<int> handle_early_exit(const ParseResult& parsed, std::ostream& out,
                                     std::ostream& err);

}  // namespace core
