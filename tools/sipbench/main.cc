// sipbench: a SIP load tool for UDP, TCP and TLS (see README, Tools).
//   sipbench options TARGET -c CONNS -w WINDOW -d SECONDS [--rate R]   pipelined OPTIONS
//   sipbench idle TARGET -c CONNECTIONS [-d SECONDS]   hold connections, each after one OPTIONS
//   sipbench handshake TARGET -n TOTAL [--options] [--resume]   connect, handshake, close
// Progress goes to stderr; the summary and one JSON line (the last line) to stdout.
#include <unistd.h>

#include <csignal>
#include <ctime>
#include <iostream>

#include "core/base/fd_limit.h"
#include "tools/sipbench/fd_limit.h"
#include "tools/sipbench/load_run.h"
#include "tools/sipbench/load_summary.h"
#include "tools/sipbench/options.h"
#include "tools/sipbench/runner.h"
#include "tools/sipbench/tls_client.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailures = 1;  // the run went through, but some connections failed
constexpr int kExitUsage = 2;

// The options mode: the Runner sets the connections up (-p at once), then LoadRun measures.
int run_options(const sipbench::Options& options, sipbench::Runner& runner, uint64_t run_id) {
  if (options.transport == sipbench::Transport::kUdp)
    runner.leave_loop();
  else
    runner.run();
  auto& stats = runner.stats();
  sipbench::LoadTimes times;
  if (!runner.stopped()) {
    sipbench::LoadRun load(options, runner.base(), run_id, stats, std::cerr);
    if (options.transport == sipbench::Transport::kUdp) {
      load.open_udp();
      std::cerr << "sipbench: " << stats.load.connections_up << " of " << options.connections
                << " UDP sockets open\n";
    } else {
      for (const auto& socket : runner.take_up()) load.adopt(socket);
    }
    times = load.run();
  }
  sipbench::print_load_summary(std::cout, options, stats, times);
  std::cout << sipbench::load_json(options, stats, times) << std::endl;
  return sipbench::load_clean(options, stats) ? kExitOk : kExitFailures;
}

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
      options.mode == sipbench::Mode::kHandshake ? options.concurrency : options.connections;
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
  if (options.mode == sipbench::Mode::kOptions) return run_options(options, runner, run_id);
  auto times = runner.run();
  auto& stats = runner.stats();
  sipbench::print_summary(std::cout, options, stats, times);
  std::cout << sipbench::summary_json(options, stats, times) << std::endl;
  bool clean = stats.failed == 0 &&
               stats.errors[static_cast<size_t>(sipbench::ErrorKind::kClosedWhileHeld)] == 0;
  return clean ? kExitOk : kExitFailures;
}
