#pragma once
// serctl's commands: which JSON-RPC calls each makes and how it prints their results.
// Exit codes (README.md "serctl"): 0 ok; 1 the server answered an error or a reload failed;
// 2 usage; 3 no answer (cannot connect, closed, timed out).
#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "cfg/control_address.h"
#include "tools/serctl/output_format.h"

namespace serctl {

enum ExitCode : int { kExitOk = 0, kExitError = 1, kExitUsage = 2, kExitNoAnswer = 3 };

struct Call {
  std::string method;
  Json params;  // null: none sent
};

struct Command {
  std::vector<Call> calls;
  // The human form of the results (one per call, in order).
  std::string (*human)(const std::vector<Json>& results, int64_t now) = nullptr;
  // The --json form: the single result, or an object naming each for several calls.
  std::vector<std::string> json_names;
};

// The words after the options ("tls", "list"). Null with `error` for a usage error.
std::optional<Command> parse_command(const std::vector<std::string>& words, std::string* error);

struct RunOptions {
  cfg::ControlAddress address;
  bool json = false;
  std::chrono::milliseconds timeout{30000};
};

// Connects, makes the calls, prints to `out` (errors to `err`); returns the exit code.
int run_command(const Command& command, const RunOptions& options, std::ostream& out,
                std::ostream& err);

// The command list of --help.
const char* command_help();

}  // namespace serctl
