#pragma once
// One run: a single libevent loop that opens connections while at most --concurrency are being
// set up, counts how each ends, prints a progress line each second, and (idle) holds the ones
// set up until --duration has passed after the last, until SIGINT/SIGTERM, or until the
// server has closed them all.
#include <event2/event.h>
#include <netinet/in.h>
#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <ostream>
#include <vector>

#include "tools/sipbench/bench_connection.h"
#include "tools/sipbench/options.h"
#include "tools/sipbench/run_stats.h"

namespace sipbench {

class TlsClient;

class Runner {
 public:
  using Clock = std::chrono::steady_clock;
  // `tls` is null for -T tcp. `progress` gets the line per second and the notices.
  Runner(const Options& options, TlsClient* tls, uint64_t run_id, std::ostream& progress);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // False (and `error`) when libevent cannot be set up.
  bool init(std::string* error);
  // Runs to the end, closes every connection and returns the times (CPU measured after).
  RunTimes run();
  RunStats& stats() { return stats_; }
  // Options mode: the connections set up, handed over at the end of run() (the caller owns them).
  std::vector<OpenSocket> take_up() { return std::move(up_); }
  bool stopped() const { return stopping_; }
  // Takes the Runner's progress line and timers off the loop and leaves its signals to the
  // LoadRun (run() ends with it; -T udp, which sets nothing up, calls it instead of run()).
  void leave_loop();

  // For the connections.
  const Options& options() const { return options_; }
  event_base* base() { return base_; }
  TlsClient* tls() { return tls_; }
  uint64_t run_id() const { return run_id_; }
  const in_addr* local_ip(uint64_t serial) const;
  // With --resume over TLS 1.3: the ticket comes after the handshake; wait for it.
  bool wants_ticket(SSL* ssl) const;
  // Set up in `micros`; true when the connection stays (idle), false when it was freed.
  bool connection_set_up(BenchConnection& c, uint64_t micros, bool resumed);
  // Ended by an error (counted here); the connection is freed.
  void connection_failed(BenchConnection& c, ErrorKind kind, const std::string& text,
                         bool was_held);
  void out_of_fds();

 private:
  uint64_t target() const;
  void fill();
  void release(BenchConnection& c);
  void maybe_end_setup();
  void print_progress();
  static void on_tick(evutil_socket_t, short, void* arg);
  static void on_signal(evutil_socket_t, short, void* arg);
  static void on_hold_end(evutil_socket_t, short, void* arg);

  const Options& options_;
  TlsClient* tls_;
  uint64_t run_id_;
  std::ostream& progress_;
  RunStats stats_;
  event_base* base_ = nullptr;
  std::vector<event*> events_;  // tick, signals, hold end: freed with the runner
  event* tick_ = nullptr;       // the progress line
  event* hold_end_ = nullptr;
  std::vector<std::unique_ptr<BenchConnection>> slots_;
  std::vector<size_t> free_slots_;
  std::vector<OpenSocket> up_;
  uint64_t in_flight_ = 0;  // being set up
  bool fds_exhausted_ = false;
  bool stopping_ = false;
  bool setup_ended_ = false;
  bool handed_over_ = false;
  Clock::time_point start_;
  Clock::time_point setup_end_;
};

}  // namespace sipbench
