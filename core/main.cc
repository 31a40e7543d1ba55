// ser: parse the command line, load the configuration, then run the proxy.
#include <iostream>

#include "core/command_line.h"
#include "core/server.h"

int main(int argc, char** argv) {
  core::ParseResult parsed = core::parse_command_line(argc, argv);
  if (auto code = core::handle_early_exit(parsed, std::cout, std::cerr)) return *code;
  const core::CommandLine& cmd = parsed.cmd;
  if (cmd.check_only) return core::run_check(cmd, std::cout, std::cerr);

  cfg::Config config;
  if (!core::load_config(cmd, &config, std::cerr)) return core::kExitConfigError;
  return core::run_server(config, cmd);
}
