// ser: parse the command line, load the configuration, then (issue 3) run the proxy.
#include <iostream>

#include "core/command_line.h"

int main(int argc, char** argv) {
  core::ParseResult parsed = core::parse_command_line(argc, argv);
  if (auto code = core::handle_early_exit(parsed, std::cout, std::cerr)) return *code;
  const core::CommandLine& cmd = parsed.cmd;
  if (cmd.check_only) return core::run_check(cmd, std::cout, std::cerr);

  cfg::Config config;
  if (!core::load_config(cmd, &config, std::cerr)) return core::kExitConfigError;
  // The proxy core comes with the next issue; until then say so instead of pretending to run.
  std::cerr << "ser: configuration loaded; the proxy core is not built yet\n";
  return core::kExitNoCore;
}
