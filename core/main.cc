// ser: parse the command line, then check the configuration (-c) or run the proxy. Both
// build the runtime the same way (core/runtime.h).
#include <iostream>

#include "core/base/library_memory.h"
#include "core/base/pool.h"
#include "core/command_line.h"
#include "core/server.h"

int main(int argc, char** argv) {
  // Before anything can call into OpenSSL or libevent: neither takes allocation functions once
  // it has allocated, and every byte of theirs belongs in shm (DESIGN.md principle 3).
  if (!core::install_library_allocators(core::Pool::shm()))
    std::cerr << "ser: warning: OpenSSL allocated before main(); its memory is not counted in "
                 "shm (-m)\n";
  core::ParseResult parsed = core::parse_command_line(argc, argv);
  if (auto code = core::handle_early_exit(parsed, std::cout, std::cerr)) return *code;
  if (parsed.cmd.check_only) return core::run_check(parsed.cmd, std::cout, std::cerr);
  return core::run_server(parsed.cmd);
}
