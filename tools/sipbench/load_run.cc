#include "tools/sipbench/load_run.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace sipbench {

namespace {

constexpr int kUdpBuffer = 1 << 20;  // the replies to -w requests never overflow it
constexpr std::chrono::milliseconds kExpireEvery{100};

}  // namespace

LoadRun::LoadRun(const Options& options, event_base* base, uint64_t run_id, RunStats& stats,
                 std::ostream& progress)
    : options_(options),
      base_(base),
      run_id_(run_id),
      prefix_(id_prefix(run_id)),
      stats_(stats),
      progress_(progress) {
  if (options.transport == Transport::kUdp) udp_receiver_ = std::make_unique<UdpReceiver>();
  connections_.reserve(options.connections);
  touched_.reserve(options.connections);
  is_touched_.assign(options.connections, 0);
}

LoadRun::~LoadRun() {
  connections_.clear();  // their events first
  for (event* ev : events_) event_free(ev);
}

void LoadRun::adopt(OpenSocket socket) {
  auto index = static_cast<uint32_t>(connections_.size());
  RequestTemplate request(options_.transport, options_.target, socket.local, options_.ruri, run_id_,
                          index);
  auto c = std::make_unique<LoadConnection>(*this, index, socket, std::move(request));
  if (!c->start()) {
    error(ErrorKind::kConnectFailed, "event_new failed");
    return;
  }
  connections_.push_back(std::move(c));
  ++alive_;
  ++stats_.load.connections_up;
}

void LoadRun::open_udp() {
  for (uint64_t i = 0; i < options_.connections; ++i) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      int err = errno;
      bool fds = err == EMFILE || err == ENFILE;
      error(fds ? ErrorKind::kFdLimit : ErrorKind::kConnectFailed,
            std::string("socket: ") + std::strerror(err));
      if (fds) return;
      continue;
    }
    // Root may pass net.core.rmem_max (as Kamailio's maxbuffer probing does); else the cap.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kUdpBuffer, sizeof kUdpBuffer) != 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kUdpBuffer, sizeof kUdpBuffer);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (!options_.local_ips.empty())
      local.sin_addr = options_.local_ips[i % options_.local_ips.size()];
    socklen_t len = sizeof local;
    // Its own port each (bind to port 0), so a server hashing peers sees -c of them.
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        connect(fd, reinterpret_cast<const sockaddr*>(&options_.target), sizeof options_.target) !=
            0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) {
      error(ErrorKind::kConnectFailed, std::string("udp socket: ") + std::strerror(errno));
      close(fd);
      continue;
    }
    adopt({fd, nullptr, local});
  }
}

void LoadRun::add_timer(event* ev, std::chrono::microseconds after) {
  timeval tv{static_cast<time_t>(after.count() / 1000000),
             static_cast<suseconds_t>(after.count() % 1000000)};
  event_add(ev, &tv);
}

LoadTimes LoadRun::run() {
  LoadTimes times;
  stats_.latency.clear();  // the set-up's; from here on, the requests'
  if (connections_.empty()) return times;
  phase_timer_ = evtimer_new(base_, &LoadRun::on_phase, this);
  events_.push_back(phase_timer_);
  event* expire = event_new(base_, -1, EV_PERSIST, &LoadRun::on_expire, this);
  events_.push_back(expire);
  add_timer(expire, kExpireEvery);
  if (options_.progress) {
    event* ev = event_new(base_, -1, EV_PERSIST, &LoadRun::on_progress, this);
    events_.push_back(ev);
    add_timer(ev, std::chrono::seconds(1));
  }
  for (int sig : {SIGINT, SIGTERM}) {
    event* ev = evsignal_new(base_, sig, &LoadRun::on_signal, this);
    events_.push_back(ev);
    event_add(ev, nullptr);
  }
  start_ = pace_start_ = Clock::now();
  if (options_.warmup.count() > 0) {
    phase_ = Phase::kWarmup;
    add_timer(phase_timer_, options_.warmup);
  } else {
    start_counting();
  }
  if (paced()) {
    // A fine tick: about one request per tick, between 0.2 and 1 ms.
    auto tick = std::chrono::microseconds(
        std::clamp<int64_t>(static_cast<int64_t>(1e6 / options_.rate), 200, 1000));
    event* ev = event_new(base_, -1, EV_PERSIST, &LoadRun::on_pace, this);
    events_.push_back(ev);
    add_timer(ev, tick);
  } else {
    for (auto& c : connections_) {
      c->fill(start_, counting());
      c->flush();
    }
  }
  event_base_dispatch(base_);
  if (phase_ != Phase::kDone) finish();
  if (options_.warmup.count() > 0) times.warmup_s = seconds_between(start_, run_start_);
  times.run_s = seconds_between(run_start_, run_end_);
  times.cpu_s = own_cpu_seconds();
  times.run_cpu_s = cpu_at_run_end_ - cpu_at_run_start_;
  times.behind_ticks = behind_ticks_;
  assert(stats_.load.sent == stats_.load.answered + stats_.load.non_2xx + stats_.load.lost);
  return times;
}

void LoadRun::start_counting() {
  phase_ = Phase::kRun;
  run_start_ = Clock::now();
  cpu_at_run_start_ = own_cpu_seconds();
  add_timer(phase_timer_, options_.duration);
}

void LoadRun::end_counting() {
  phase_ = Phase::kDrain;
  run_end_ = Clock::now();
  cpu_at_run_end_ = own_cpu_seconds();
  if (outstanding_ == 0) {
    finish();
    return;
  }
  add_timer(phase_timer_, options_.timeout);
}

// The end: whatever is still outstanding is lost.
void LoadRun::finish() {
  if (phase_ == Phase::kWarmup) {
    run_start_ = Clock::now();
    cpu_at_run_start_ = own_cpu_seconds();
  }
  if (phase_ == Phase::kWarmup || phase_ == Phase::kRun) {
    run_end_ = Clock::now();
    cpu_at_run_end_ = own_cpu_seconds();
  }
  phase_ = Phase::kDone;
  for (auto& c : connections_) c->expire(Clock::time_point::max());
  event_base_loopexit(base_, nullptr);
}

void LoadRun::on_phase(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<LoadRun*>(arg);
  switch (self->phase_) {
    case Phase::kWarmup:
      self->start_counting();
      return;
    case Phase::kRun:
      self->end_counting();
      return;
    case Phase::kDrain:
    case Phase::kDone:
      self->finish();
      return;
  }
}

void LoadRun::sent(bool counted) {
  ++outstanding_;
  ++sent_all_;
  if (counted) ++stats_.load.sent;
}

void LoadRun::count(const Match& match, Clock::time_point now) {
  switch (match.outcome) {
    case Outcome::kAnswered:
      --outstanding_;
      ++answered_all_;
      if (!match.request.counted) return;
      ++stats_.load.answered;
      stats_.latency.add(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(now - match.request.sent).count()));
      return;
    case Outcome::kNon2xx:
      --outstanding_;
      if (!match.request.counted) return;
      if (stats_.load.non_2xx++ == 0) stats_.load.first_non_2xx = match.status;
      return;
    case Outcome::kProvisional:
      return;
    case Outcome::kUnmatched:
      error(ErrorKind::kUnmatched, "a response to no outstanding request (late or duplicate)");
      return;
    case Outcome::kNotResponse:
      error(ErrorKind::kBadFraming, "a message that is not a SIP response");
      return;
  }
}

void LoadRun::lost(const PendingTable::Entry& request) {
  assert(outstanding_ > 0);
  --outstanding_;
  if (request.counted) ++stats_.load.lost;
}

void LoadRun::closed(LoadConnection&) {
  assert(alive_ > 0);
  if (--alive_ == 0 && phase_ != Phase::kDone) {
    progress_ << "sipbench: every connection closed; ending\n";
    finish();
  }
}

void LoadRun::after_read(LoadConnection& c, Clock::time_point now) {
  if (sending() && !paced()) {
    c.fill(now, counting());
    c.flush();
  } else if (phase_ == Phase::kDrain && outstanding_ == 0) {
    finish();
  }
}

// Sends what is due by now at the offered rate, in turn over the connections with room; what
// cannot go (every window full) stays due: the next ticks catch up as answers free the windows.
void LoadRun::pace() {
  if (!sending()) return;
  auto now = Clock::now();
  auto due_total = static_cast<uint64_t>(options_.rate * seconds_between(pace_start_, now));
  if (due_total <= issued_) return;
  uint64_t due = due_total - issued_;
  size_t n = connections_.size();
  size_t tried = 0;
  while (due > 0 && tried < n) {
    LoadConnection& c = *connections_[next_];
    next_ = (next_ + 1) % n;
    if (!c.alive() || c.full()) {
      ++tried;
      continue;
    }
    tried = 0;
    if (!is_touched_[c.index()]) {
      is_touched_[c.index()] = 1;
      touched_.push_back(&c);
    }
    c.queue(now, counting());
    ++issued_;
    --due;
  }
  if (due > 0) ++behind_ticks_;
  for (LoadConnection* c : touched_) {
    is_touched_[c->index()] = 0;
    c->flush();
  }
  touched_.clear();
}

void LoadRun::on_pace(evutil_socket_t, short, void* arg) {
  static_cast<LoadRun*>(arg)->pace();
}

void LoadRun::expire_old() {
  auto now = Clock::now();
  for (auto& c : connections_) {
    if (!c->alive()) continue;
    c->expire(now - options_.timeout);
    if (sending() && !paced()) {
      c->fill(now, counting());
      c->flush();
    }
  }
  if (phase_ == Phase::kDrain && outstanding_ == 0) finish();
}

void LoadRun::on_expire(evutil_socket_t, short, void* arg) {
  static_cast<LoadRun*>(arg)->expire_old();
}

const char* LoadRun::phase_name() const {
  switch (phase_) {
    case Phase::kWarmup:
      return "warm-up";
    case Phase::kRun:
      return "run";
    case Phase::kDrain:
      return "drain";
    case Phase::kDone:
      break;
  }
  return "done";
}

void LoadRun::print_progress() {
  char line[256];
  std::snprintf(line, sizeof line,
                "sipbench: %.0f s %s: sent %llu, answered %llu (%llu/s), outstanding %llu, "
                "errors %llu\n",
                seconds_between(start_, Clock::now()), phase_name(),
                static_cast<unsigned long long>(sent_all_),
                static_cast<unsigned long long>(answered_all_),
                static_cast<unsigned long long>(answered_all_ - answered_at_last_line_),
                static_cast<unsigned long long>(outstanding_),
                static_cast<unsigned long long>(stats_.error_total()));
  answered_at_last_line_ = answered_all_;
  progress_ << line << std::flush;
}

void LoadRun::on_progress(evutil_socket_t, short, void* arg) {
  static_cast<LoadRun*>(arg)->print_progress();
}

void LoadRun::on_signal(evutil_socket_t sig, short, void* arg) {
  auto* self = static_cast<LoadRun*>(arg);
  self->progress_ << "sipbench: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ": stopping\n";
  if (self->sending())
    self->end_counting();  // the answers outstanding are still awaited
  else
    self->finish();
}

}  // namespace sipbench
