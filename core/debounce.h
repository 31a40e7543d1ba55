#pragma once
// Turns a burst of events into one action: the action is due once `quiet` has passed without
// a new event, or `max_delay` after the burst's first event if events keep coming (a busy
// directory must not postpone it forever). An ACME client writes a certificate, its key and
// a chain within milliseconds: they make one reload, not three, and none on a half-written set.
// Not thread-safe: the watcher's thread owns it. Times are passed in, so tests control them.
#include <algorithm>
#include <chrono>
#include <optional>

namespace core {

class Debounce {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Debounce(std::chrono::milliseconds quiet,
                    std::chrono::milliseconds max_delay = std::chrono::seconds(5))
      : quiet_(quiet), max_delay_(std::max(quiet, max_delay)) {}

  void event(Clock::time_point now) {
    if (!pending_) first_ = now;
    pending_ = true;
    last_ = now;
  }

  bool pending() const { return pending_; }

  // How long until the action is due; nullopt when no event is pending.
  std::optional<std::chrono::milliseconds> wait(Clock::time_point now) const {
    if (!pending_) return std::nullopt;
    Clock::time_point due = std::min(last_ + quiet_, first_ + max_delay_);
    if (due <= now) return std::chrono::milliseconds(0);
    return std::chrono::ceil<std::chrono::milliseconds>(due - now);
  }

  // True once per burst, when it is due; the next event starts a new burst.
  bool take_due(Clock::time_point now) {
    auto w = wait(now);
    if (!w || w->count() > 0) return false;
    pending_ = false;
    return true;
  }

 private:
  std::chrono::milliseconds quiet_;
  std::chrono::milliseconds max_delay_;
  bool pending_ = false;
  Clock::time_point first_{};
  Clock::time_point last_{};
};

}  // namespace core
