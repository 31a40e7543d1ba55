#pragma once
// The measured part of the options mode, on the event loop the Runner set the connections up
// on: a warm-up (sent, not counted), the counted run of -d seconds, then a drain of up to
// --timeout for the answers still outstanding. Without --rate each connection keeps -w requests
// outstanding (refilled after each read); with --rate a fine timer offers R requests per second
// in total, spread over the connections in turn, each capped at -w outstanding. A request not
// answered within --timeout is lost (no retransmission: over UDP this is a loss probe).
#include <event2/event.h>

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tools/sipbench/load_connection.h"
#include "tools/sipbench/options.h"
#include "tools/sipbench/response_matcher.h"
#include "tools/sipbench/run_stats.h"
#include "tools/sipbench/udp_receiver.h"

namespace sipbench {

struct LoadTimes {
  double warmup_s = 0;
  double run_s = 0;           // the counted run (rate_per_s's divisor)
  double cpu_s = 0;           // sipbench's own CPU, the whole process (set-up included)
  double run_cpu_s = 0;       // sipbench's own CPU during the counted run
  uint64_t behind_ticks = 0;  // --rate: ticks that could not send all that was due (windows full)
};

class LoadRun {
 public:
  using Clock = std::chrono::steady_clock;
  LoadRun(const Options& options, event_base* base, uint64_t run_id, RunStats& stats,
          std::ostream& progress);
  ~LoadRun();
  LoadRun(const LoadRun&) = delete;
  LoadRun& operator=(const LoadRun&) = delete;

  // A TCP/TLS connection the Runner set up.
  void adopt(OpenSocket socket);
  // -T udp: opens -c sockets, each bound to its own port and connected to the target.
  void open_udp();
  // Runs warm-up, counted run and drain; every request sent in the counted run ends counted as
  // answered, non_2xx or lost.
  LoadTimes run();

  // For the connections.
  const Options& options() const { return options_; }
  event_base* base() { return base_; }
  std::string_view prefix() const { return prefix_; }
  UdpReceiver& udp_receiver() { return *udp_receiver_; }
  void sent(bool counted);
  void count(const Match& match, Clock::time_point now);
  void lost(const PendingTable::Entry& request);
  void error(ErrorKind kind, std::string_view text) { stats_.count_error(kind, text); }
  void closed(LoadConnection& c);
  void after_read(LoadConnection& c, Clock::time_point now);

 private:
  enum class Phase : uint8_t { kWarmup, kRun, kDrain, kDone };
  bool sending() const { return phase_ == Phase::kWarmup || phase_ == Phase::kRun; }
  bool counting() const { return phase_ == Phase::kRun; }
  bool paced() const { return options_.rate > 0; }
  void add_timer(event* ev, std::chrono::microseconds after);
  void start_counting();
  void end_counting();
  void finish();
  void pace();
  void expire_old();
  void print_progress();
  const char* phase_name() const;
  static void on_phase(evutil_socket_t, short, void* arg);
  static void on_pace(evutil_socket_t, short, void* arg);
  static void on_expire(evutil_socket_t, short, void* arg);
  static void on_progress(evutil_socket_t, short, void* arg);
  static void on_signal(evutil_socket_t sig, short, void* arg);

  const Options& options_;
  event_base* base_;
  uint64_t run_id_;
  std::string prefix_;
  RunStats& stats_;
  std::ostream& progress_;
  std::unique_ptr<UdpReceiver> udp_receiver_;
  std::vector<std::unique_ptr<LoadConnection>> connections_;
  std::vector<event*> events_;  // freed with the run
  event* phase_timer_ = nullptr;
  Phase phase_ = Phase::kWarmup;
  uint64_t alive_ = 0;
  uint64_t outstanding_ = 0;
  // --rate
  Clock::time_point pace_start_;
  uint64_t issued_ = 0;                   // requests sent since pace_start_
  size_t next_ = 0;                       // the connection the next paced request goes to
  std::vector<LoadConnection*> touched_;  // by this tick, to flush (sized once)
  std::vector<uint8_t> is_touched_;       // by connection index
  uint64_t behind_ticks_ = 0;
  // progress and times
  uint64_t sent_all_ = 0;
  uint64_t answered_all_ = 0;
  uint64_t answered_at_last_line_ = 0;
  Clock::time_point start_, run_start_, run_end_;
  double cpu_at_run_start_ = 0;
  double cpu_at_run_end_ = 0;
};

}  // namespace sipbench
