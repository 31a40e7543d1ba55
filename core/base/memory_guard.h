#pragma once
// Admission of new connections and handshakes against the shared pool's budget (DESIGN.md
// principle 3). Above the high-water mark a newcomer is refused, before anything is made for
// it, so that the connections already up keep the memory they need; once refusing, newcomers
// are taken again only below the low-water mark (hysteresis, so the edge does not flap on
// every close).
//
// Nothing is sticky: every check reads the pool's live figure, and the refusing state only
// matters while shm sits between the two marks. Kamailio's low-memory guard can keep refusing
// after the memory is back (kamailio#4777); here a check below the low mark always admits.
//
// A TLS handshake allocates most of its memory after the accept (OpenSSL's buffers and key
// exchange, when the ClientHello is read), so a burst of accepts would all see the same low
// figure and overshoot the budget together. An admitted handshake therefore holds a
// reservation of its expected peak until it completes or its connection closes; checks count
// reservations as if allocated. While a handshake runs its reservation and what it really
// allocated are both counted: the guard errs towards refusing during a flood.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/base/pool.h"

namespace core {

struct MemoryGuardStats {
  size_t high_water = 0;  // bytes; 0 when the pool has no budget
  size_t low_water = 0;
  size_t reserved = 0;  // held for handshakes in progress
  bool refusing = false;
  uint64_t refused_connections = 0;
  uint64_t refused_handshakes = 0;
};

class MemoryGuard {
 public:
  static constexpr unsigned kDefaultHighPercent = 90;
  static constexpr unsigned kDefaultLowPercent = 80;

  // The marks are percents of the pool's budget, read live (the budget may be set later).
  // Requires low_percent < high_percent <= 100.
  explicit MemoryGuard(Pool& pool, unsigned high_percent = kDefaultHighPercent,
                       unsigned low_percent = kDefaultLowPercent);
  MemoryGuard(const MemoryGuard&) = delete;
  MemoryGuard& operator=(const MemoryGuard&) = delete;

  enum class Kind : uint8_t {
    kConnection,  // an accepted connection (refused_connections)
    kHandshake,   // an outbound connection and its handshake (refused_handshakes)
  };

  // True when `cost` more bytes keep the pool under the mark in force (high, or low while
  // refusing); then `hold` of them stay reserved until release(hold). False is counted by
  // `kind`. Thread-safe; lock-free.
  bool admit(size_t cost, size_t hold, Kind kind) noexcept;
  void release(size_t hold) noexcept;

  // Whether the newcomer last refused would still be refused now: what the refusing gauge
  // shows, read from the live figure (false as soon as shm has fallen far enough).
  bool refusing() const noexcept;
  size_t high_water() const noexcept;
  size_t low_water() const noexcept;
  MemoryGuardStats stats() const noexcept;
  Pool& pool() const noexcept { return pool_; }

 private:
  size_t mark(unsigned percent) const noexcept;

  Pool& pool_;
  const unsigned high_percent_;
  const unsigned low_percent_;
  std::atomic<size_t> reserved_{0};
  std::atomic<bool> refusing_{false};
  std::atomic<size_t> refused_cost_{0};  // the cost of the newcomer last refused
  std::atomic<uint64_t> refused_connections_{0};
  std::atomic<uint64_t> refused_handshakes_{0};
};

// Messages and connections dropped because an allocation failed (a pool's budget, or the
// allocator), wherever it happened on the data path; from any thread.
void count_allocation_drop() noexcept;
uint64_t allocation_drops() noexcept;

}  // namespace core
