// sipbench: a SIP load tool for TCP and TLS (see README, Tools).
//   sipbench idle TARGET -c CONNECTIONS [-d SECONDS]   hold connections, each after one OPTIONS
//   sipbench handshake TARGET -n TOTAL [--options] [--resume]   connect, handshake, close
// Progress goes to stderr; the summary and one JSON line (the last line) to stdout.
#include <unistd.h>

#include <csignal>
#include <ctime>
#include <iostream>

#include "core/base/fd_limit.h"
#include "tools/sipbench/fd_limit.h"
#include "tools/sipbench/options.h"
#include "tools/sipbench/runner.h"
#include "tools/sipbench/tls_client.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailures = 1;  // the run went through, but some connections failed
constexpr int kExitUsage = 2;

}  // namespace

int main(int argc, char** argv) {
  auto parsed = sipbench::parse_options(argc, argv);
  if (parsed.help) {
    std::cout << parsed.usage;
    return kExitOk;
  }
  if (!parsed.options) {
    std::cerr << "sipbench: " << parsed.error << "\n" << parsed.usage;
    return kExitUsage;
  }
  const sipbench::Options& options = *parsed.options;
  // SSL_write writes to the socket with write(2): a server gone must be an error, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  uint64_t limit = core::raise_fd_limit().now;
  uint64_t at_once =
      options.mode == sipbench::Mode::kIdle ? options.connections : options.concurrency;
  if (auto warning = sipbench::fd_limit_warning(at_once, limit); !warning.empty())
    std::cerr << warning << "\n";
  std::unique_ptr<sipbench::TlsClient> tls;
  std::string error;
  if (options.transport == sipbench::Transport::kTls) {
    tls = sipbench::TlsClient::create(options, &error);
    if (!tls) {
      std::cerr << "sipbench: " << error << "\n";
      return kExitUsage;
    }
  }
  uint64_t run_id = (static_cast<uint64_t>(std::time(nullptr)) << 20) ^ getpid();
  sipbench::Runner runner(options, tls.get(), run_id, std::cerr);
  if (!runner.init(&error)) {
    std::cerr << "sipbench: " << error << "\n";
    return kExitUsage;
  }
  auto times = runner.run();
  auto& stats = runner.stats();
  sipbench::print_summary(std::cout, options, stats, times);
  std::cout << sipbench::summary_json(options, stats, times) << std::endl;
  bool clean = stats.failed == 0 &&
               stats.errors[static_cast<size_t>(sipbench::ErrorKind::kClosedWhileHeld)] == 0;
  return clean ? kExitOk : kExitFailures;
}
