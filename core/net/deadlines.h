#pragma once
// The deadlines of one connection (connect, handshake, send, message read, idle lifetime), each
// set or not. The connection arms one timer for the earliest and asks, when it fires, which one
// passed: one place owns every timer of a connection, so each timeout is decided and counted
// once.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace core::net {

enum class DeadlineKind : uint8_t { kConnect, kHandshake, kSend, kMessageRead, kIdle };

class Deadlines {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kKinds = 5;

  void set(DeadlineKind kind, Clock::time_point at) { at_[index(kind)] = at; }
  void clear(DeadlineKind kind) { at_[index(kind)] = kNever; }
  void clear_all() { at_.fill(kNever); }
  bool armed(DeadlineKind kind) const { return at_[index(kind)] != kNever; }
  Clock::time_point at(DeadlineKind kind) const { return at_[index(kind)]; }
  // The earliest deadline set; time_point::max() when none is.
  Clock::time_point next() const;
  // A deadline at or before `now`, the first in DeadlineKind order.
  std::optional<DeadlineKind> expired(Clock::time_point now) const;

 private:
  static constexpr Clock::time_point kNever = Clock::time_point::max();
  static size_t index(DeadlineKind kind) { return static_cast<size_t>(kind); }

  std::array<Clock::time_point, kKinds> at_{kNever, kNever, kNever, kNever, kNever};
};

}  // namespace core::net
