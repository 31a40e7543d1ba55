#include "tools/sipbench/runner.h"

#include <sys/resource.h>

#include <cassert>
#include <csignal>
#include <cstdio>

#include "tools/sipbench/tls_client.h"

namespace sipbench {

Runner::Runner(const Options& options, TlsClient* tls, uint64_t run_id, std::ostream& progress)
    : options_(options), tls_(tls), run_id_(run_id), progress_(progress) {}

Runner::~Runner() {
  slots_.clear();  // connections first: their events belong to base_
  for (event* ev : events_) event_free(ev);
  if (base_) event_base_free(base_);
}

bool Runner::init(std::string* error) {
  // Precise timers (timerfd): the options mode's --rate paces with sub-millisecond ticks.
  event_config* config = event_config_new();
  if (config) event_config_set_flag(config, EVENT_BASE_FLAG_PRECISE_TIMER);
  base_ = config ? event_base_new_with_config(config) : nullptr;
  if (config) event_config_free(config);
  if (!base_) {
    *error = "event_base_new failed";
    return false;
  }
  timeval second{1, 0};
  tick_ = event_new(base_, -1, EV_PERSIST, &Runner::on_tick, this);
  events_.push_back(tick_);
  if (options_.progress) event_add(tick_, &second);
  for (int sig : {SIGINT, SIGTERM}) {
    event* ev = evsignal_new(base_, sig, &Runner::on_signal, this);
    events_.push_back(ev);
    event_add(ev, nullptr);
  }
  hold_end_ = evtimer_new(base_, &Runner::on_hold_end, this);
  events_.push_back(hold_end_);
  return true;
}

uint64_t Runner::target() const {
  return options_.mode == Mode::kHandshake ? options_.total : options_.connections;
}

const in_addr* Runner::local_ip(uint64_t serial) const {
  if (options_.local_ips.empty()) return nullptr;
  return &options_.local_ips[serial % options_.local_ips.size()];
}

bool Runner::wants_ticket(SSL* ssl) const {
  return options_.resume && ssl && SSL_version(ssl) == TLS1_3_VERSION &&
         !TlsClient::got_session(ssl);
}

void Runner::fill() {
  while (!stopping_ && !fds_exhausted_ && in_flight_ < options_.concurrency &&
         stats_.started < target()) {
    size_t slot = slots_.size();
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slots_.emplace_back();
    }
    auto serial = stats_.started++;
    slots_[slot] = std::make_unique<BenchConnection>(*this, serial, slot);
    if (slots_[slot]->start()) {
      ++in_flight_;
    } else {  // counted by kind in start()
      slots_[slot].reset();
      free_slots_.push_back(slot);
    }
  }
  maybe_end_setup();
}

void Runner::release(BenchConnection& c) {
  size_t slot = c.slot();
  assert(slot < slots_.size() && slots_[slot].get() == &c);
  slots_[slot].reset();
  free_slots_.push_back(slot);
}

bool Runner::connection_set_up(BenchConnection& c, uint64_t micros, bool resumed) {
  assert(in_flight_ > 0);
  --in_flight_;
  ++stats_.succeeded;
  if (resumed) ++stats_.resumed;
  stats_.latency.add(micros);
  bool keep = options_.mode != Mode::kHandshake;
  if (keep) {
    stats_.max_held = std::max(stats_.max_held, ++stats_.held);
  } else {
    release(c);
  }
  fill();
  return keep;
}

void Runner::connection_failed(BenchConnection& c, ErrorKind kind, const std::string& text,
                               bool was_held) {
  if (was_held) {
    --stats_.held;
    stats_.count_error(ErrorKind::kClosedWhileHeld, text);
    if (stats_.held == 0 && setup_ended_) {
      progress_ << "sipbench: the server closed every connection held; ending\n";
      event_base_loopexit(base_, nullptr);
    }
  } else {
    assert(in_flight_ > 0);
    --in_flight_;
    stats_.count_error(kind, text);
  }
  release(c);
  fill();
}

void Runner::out_of_fds() {
  if (fds_exhausted_) return;
  fds_exhausted_ = true;
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  progress_ << "sipbench: out of file descriptors with " << stats_.held + in_flight_
            << " connections open (RLIMIT_NOFILE " << rl.rlim_cur
            << "): opening no more; raise the limit (ulimit -n) or use fewer connections\n";
}

void Runner::maybe_end_setup() {
  if (setup_ended_ || in_flight_ > 0) return;
  if (!stopping_ && !fds_exhausted_ && stats_.started < target()) return;
  setup_ended_ = true;
  setup_end_ = Clock::now();
  if (options_.mode == Mode::kOptions) {
    // Printed with -q too: the set-up is done, the measured run starts.
    progress_ << "sipbench: " << stats_.held << " of " << options_.connections
              << " connections up\n";
    event_base_loopexit(base_, nullptr);
    return;
  }
  if (options_.mode == Mode::kIdle && !stopping_ && stats_.held > 0) {
    // Printed with -q too: scripts wait for this line to measure the server with them held.
    progress_ << "sipbench: " << stats_.held << " connections up; holding them for "
              << options_.duration.count() / 1000.0 << " s\n";
    timeval tv{static_cast<time_t>(options_.duration.count() / 1000),
               static_cast<suseconds_t>(options_.duration.count() % 1000 * 1000)};
    evtimer_add(hold_end_, &tv);
    return;
  }
  event_base_loopexit(base_, nullptr);
}

void Runner::print_progress() {
  char line[200];
  std::snprintf(
      line, sizeof line, "sipbench: %.0f s: %llu set up, %llu failed, %llu held, %llu setting up\n",
      seconds_between(start_, Clock::now()), static_cast<unsigned long long>(stats_.succeeded),
      static_cast<unsigned long long>(stats_.failed), static_cast<unsigned long long>(stats_.held),
      static_cast<unsigned long long>(in_flight_));
  progress_ << line << std::flush;
}

void Runner::on_tick(evutil_socket_t, short, void* arg) {
  static_cast<Runner*>(arg)->print_progress();
}

void Runner::on_signal(evutil_socket_t sig, short, void* arg) {
  auto* self = static_cast<Runner*>(arg);
  if (self->handed_over_) return;  // the LoadRun's own handler acts, if it runs
  self->progress_ << "sipbench: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ": stopping\n";
  self->stopping_ = true;
  if (!self->setup_ended_) {
    self->setup_ended_ = true;
    self->setup_end_ = Clock::now();
  }
  event_base_loopbreak(self->base_);
}

void Runner::on_hold_end(evutil_socket_t, short, void* arg) {
  event_base_loopexit(static_cast<Runner*>(arg)->base_, nullptr);
}

void Runner::leave_loop() {
  // The signal events stay: `timeout` sends its SIGTERM twice (to sipbench, then to the
  // group), and a second one must not find the default action.
  event_del(tick_);
  event_del(hold_end_);
  handed_over_ = true;
}

RunTimes Runner::run() {
  start_ = Clock::now();
  fill();
  event_base_dispatch(base_);
  auto end = Clock::now();
  leave_loop();
  if (options_.mode == Mode::kOptions && !stopping_) {
    for (auto& c : slots_)
      if (c && c->state() == BenchConnection::State::kHeld) up_.push_back(c->hand_over());
  }
  slots_.clear();
  RunTimes times;
  times.wall_seconds = seconds_between(start_, setup_ended_ ? setup_end_ : end);
  times.total_seconds = seconds_between(start_, end);
  times.cpu_seconds = own_cpu_seconds();
  return times;
}

}  // namespace sipbench
