#include "core/base/memory_guard.h"

#include <cassert>

namespace core {

namespace {

std::atomic<uint64_t>& drops() {
  static std::atomic<uint64_t> n{0};
  return n;
}

}  // namespace

MemoryGuard::MemoryGuard(Pool& pool, unsigned high_percent, unsigned low_percent)
    : pool_(pool), high_percent_(high_percent), low_percent_(low_percent) {
  assert(low_percent < high_percent && high_percent <= 100);
}

size_t MemoryGuard::mark(unsigned percent) const noexcept {
  // Budgets are at most a few TiB: budget / 100 * percent loses under 100 bytes, and cannot
  // overflow.
  size_t budget = pool_.budget();
  return budget / 100 * percent + budget % 100 * percent / 100;
}

size_t MemoryGuard::high_water() const noexcept {
  return mark(high_percent_);
}

size_t MemoryGuard::low_water() const noexcept {
  return mark(low_percent_);
}

bool MemoryGuard::admit(size_t cost, size_t hold, Kind kind) noexcept {
  assert(hold <= cost);
  // Without a budget nothing is refused, but reservations are still kept: the budget may be
  // set while they are held, and release() gives back what admit() took.
  const bool unlimited = pool_.budget() == 0;
  const size_t in_use = pool_.in_use();
  size_t reserved = reserved_.load(std::memory_order_relaxed);
  for (;;) {
    // Between the marks the last decision stands; outside them the live figure decides.
    size_t limit = refusing_.load(std::memory_order_relaxed) ? low_water() : high_water();
    size_t projected = in_use + reserved + cost;
    if (!unlimited && projected > limit) {
      refused_cost_.store(cost, std::memory_order_relaxed);
      refusing_.store(true, std::memory_order_relaxed);
      auto& counter = kind == Kind::kConnection ? refused_connections_ : refused_handshakes_;
      counter.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (reserved_.compare_exchange_weak(reserved, reserved + hold, std::memory_order_relaxed))
      break;
  }
  refusing_.store(false, std::memory_order_relaxed);
  return true;
}

void MemoryGuard::release(size_t hold) noexcept {
  if (hold == 0) return;
  size_t before = reserved_.fetch_sub(hold, std::memory_order_relaxed);
  assert(before >= hold);
  (void)before;
}

bool MemoryGuard::refusing() const noexcept {
  if (!refusing_.load(std::memory_order_relaxed) || pool_.budget() == 0) return false;
  return pool_.in_use() + reserved_.load(std::memory_order_relaxed) +
             refused_cost_.load(std::memory_order_relaxed) >
         low_water();
}

MemoryGuardStats MemoryGuard::stats() const noexcept {
  MemoryGuardStats s;
  if (pool_.budget() != 0) {
    s.high_water = high_water();
    s.low_water = low_water();
  }
  s.reserved = reserved_.load(std::memory_order_relaxed);
  s.refusing = refusing();
  s.refused_connections = refused_connections_.load(std::memory_order_relaxed);
  s.refused_handshakes = refused_handshakes_.load(std::memory_order_relaxed);
  return s;
}

void count_allocation_drop() noexcept {
  drops().fetch_add(1, std::memory_order_relaxed);
}

uint64_t allocation_drops() noexcept {
  return drops().load(std::memory_order_relaxed);
}

}  // namespace core
