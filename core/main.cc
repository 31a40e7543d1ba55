// ser: parse the command line, then check the configuration (-c) or run the proxy. Both
// build the runtime the same way (core/runtime.h).
#include <iostream>

#include "core/command_line.h"
#include "core/server.h"

int main(int argc, char** argv) {
  core::ParseResult parsed = core::parse_command_line(argc, argv);
  if (auto code = core::handle_early_exit(parsed, std::cout, std::cerr)) return *code;
  if (parsed.cmd.check_only) return core::run_check(parsed.cmd, std::cout, std::cerr);
  return core::run_server(parsed.cmd);
}
