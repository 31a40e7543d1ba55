#pragma once
// Runs the proxy: builds the runtime objects from the checked configuration (listeners, the
// compiled script, the stateless proxy, the workers), drops privileges, writes the pid file,
// and serves until SIGTERM/SIGINT.
#include "cfg/config_model.h"
#include "core/command_line.h"

namespace core {

// Returns the process exit code: 0 after a clean stop, 1 when something could not be set up
// (a socket that does not bind, a user that does not exist, ...), each said on one log line.
int run_server(const cfg::Config& config, const CommandLine& cmd);

}  // namespace core
