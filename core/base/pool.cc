#include "core/base/pool.h"

#include <algorithm>
#include <cstring>

#include "core/base/block_allocator.h"

namespace core {
namespace {

constexpr size_t kMaxChunk = size_t{32} << 10;
// Credit chunks are at most this fraction of the budget: with kThreadShards shards holding at
// most two chunks each, the unused credit stays under 1/16 of a small budget.
constexpr size_t kChunksPerBudget = 512;

void raise(std::atomic<size_t>& peak, size_t now) noexcept {
  size_t p = peak.load(std::memory_order_relaxed);
  while (now > p && !peak.compare_exchange_weak(p, now, std::memory_order_relaxed)) {
  }
}

// A single writer's increment: no read-modify-write needed (see kOwnerThread).
template <typename T>
void bump(std::atomic<T>& v, T by = 1) noexcept {
  v.store(v.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace

Pool::Pool(std::string name, size_t budget_bytes, PoolSharing sharing)
    : name_(std::move(name)), blocks_(BlockAllocator::instance()), budget_(budget_bytes) {
  if (sharing == PoolSharing::kShared) {
    shards_ = std::make_unique<Shard[]>(kThreadShards);
    chunk_.store(chunk_for(budget_bytes), std::memory_order_relaxed);
  }
}

Pool::~Pool() = default;

size_t Pool::chunk_for(size_t budget) noexcept {
  return budget == 0 ? kMaxChunk : std::min(kMaxChunk, budget / kChunksPerBudget);
}

void Pool::set_budget(size_t bytes) noexcept {
  budget_.store(bytes, std::memory_order_relaxed);
  if (!shards_) return;
  chunk_.store(chunk_for(bytes), std::memory_order_relaxed);
  reclaim_credit();  // credit granted under the old budget must not outlive it
}

// Reserves `bytes` of the budget for a shard; the one contended step, taken once per chunk.
bool Pool::reserve(size_t bytes) noexcept {
  const size_t budget = budget_.load(std::memory_order_relaxed);
  size_t cur = reserved_.load(std::memory_order_relaxed);
  do {
    if (budget != 0 && (bytes > budget || cur > budget - bytes)) return false;
  } while (!reserved_.compare_exchange_weak(cur, cur + bytes, std::memory_order_relaxed));
  raise(peak_, cur + bytes);
  return true;
}

void Pool::reclaim_credit() noexcept {
  for (size_t i = 0; i < kThreadShards; ++i) {
    Shard& s = shards_[i];
    int64_t r = s.reclaimed.load(std::memory_order_relaxed);
    for (;;) {
      const int64_t unused = s.credit.load(std::memory_order_relaxed) - r;
      if (unused <= 0) break;
      if (s.reclaimed.compare_exchange_weak(r, r + unused, std::memory_order_relaxed)) {
        reserved_.fetch_sub(static_cast<size_t>(unused), std::memory_order_relaxed);
        break;
      }
    }
  }
}

bool Pool::move_credit(Shard& s, int64_t& expected, int64_t desired) noexcept {
  if (detail::thread_shard_owned) {
    s.credit.store(desired, std::memory_order_relaxed);
    return true;
  }
  return s.credit.compare_exchange_weak(expected, desired, std::memory_order_relaxed);
}

int64_t Pool::add_credit(Shard& s, int64_t by) noexcept {
  int64_t c = s.credit.load(std::memory_order_relaxed);
  while (!move_credit(s, c, c + by)) {
  }
  return c + by;
}

bool Pool::charge_shared(Shard& s, size_t bytes) noexcept {
  const auto want = static_cast<int64_t>(bytes);
  int64_t c = s.credit.load(std::memory_order_relaxed);
  while (c - s.reclaimed.load(std::memory_order_relaxed) >= want) {
    if (move_credit(s, c, c - want)) return true;
  }
  const size_t chunk = chunk_.load(std::memory_order_relaxed);
  if (chunk != 0 && reserve(bytes + chunk)) {
    add_credit(s, static_cast<int64_t>(chunk));
    return true;
  }
  if (reserve(bytes)) return true;
  // Near the budget: other shards' unused credit may be what is missing.
  reclaim_credit();
  return reserve(bytes);
}

bool Pool::charge(size_t bytes) noexcept {
  if (shards_) {
    Shard& s = shards_[thread_shard()];
    if (!charge_shared(s, bytes)) return false;
    shard_add(s.allocations, uint64_t{1});
    return true;
  }
  const size_t budget = budget_.load(std::memory_order_relaxed);
  const size_t cur = in_use_.load(std::memory_order_relaxed);
  if (budget != 0 && (bytes > budget || cur > budget - bytes)) return false;
  in_use_.store(cur + bytes, std::memory_order_relaxed);
  if (cur + bytes > peak_.load(std::memory_order_relaxed))
    peak_.store(cur + bytes, std::memory_order_relaxed);
  bump(allocations_);
  return true;
}

void Pool::discharge(size_t bytes) noexcept {
  if (!shards_) {
    in_use_.store(in_use_.load(std::memory_order_relaxed) - bytes, std::memory_order_relaxed);
    return;
  }
  Shard& s = shards_[thread_shard()];
  int64_t c = add_credit(s, static_cast<int64_t>(bytes));
  const auto chunk = static_cast<int64_t>(chunk_.load(std::memory_order_relaxed));
  // Keep one chunk for the next allocations; give the rest back to the budget.
  const int64_t give = c - s.reclaimed.load(std::memory_order_relaxed) - chunk;
  if (give > chunk && move_credit(s, c, c - give))
    reserved_.fetch_sub(static_cast<size_t>(give), std::memory_order_relaxed);
}

void Pool::count_failure() noexcept {
  if (shards_) {
    shard_add(shards_[thread_shard()].failures, uint64_t{1});
  } else {
    bump(failures_);
  }
}

void* Pool::allocate(size_t size) noexcept {
  size_t charged = 0;
  return allocate(size, &charged);
}

void* Pool::allocate(size_t size, size_t* charged) noexcept {
  const size_t budget = budget_.load(std::memory_order_relaxed);
  if ((budget != 0 && size > budget) || size > SIZE_MAX / 2) {
    count_failure();
    return nullptr;
  }
  void* p = blocks_.allocate(size);
  if (p == nullptr) {
    count_failure();
    return nullptr;
  }
  const size_t bytes = blocks_.usable_size(p);
  if (!charge(bytes)) {
    blocks_.free(p);
    count_failure();
    return nullptr;
  }
  *charged = bytes;
  return p;
}

size_t Pool::release(void* ptr) noexcept {
  if (ptr == nullptr) return 0;
  const size_t bytes = blocks_.usable_size(ptr);
  blocks_.free(ptr);
  discharge(bytes);
  return bytes;
}

void* Pool::reallocate(void* ptr, size_t size) noexcept {
  if (ptr == nullptr) return allocate(size);
  if (size == 0) {
    deallocate(ptr);
    return nullptr;
  }
  const size_t old = blocks_.usable_size(ptr);
  // The block already fits and is not mostly empty: nothing to move or charge.
  if (size <= old && size >= old / 2) return ptr;
  void* p = allocate(size);
  if (p == nullptr) return size < old ? ptr : nullptr;
  std::memcpy(p, ptr, std::min(old, size));
  deallocate(ptr);
  return p;
}

size_t Pool::in_use() const noexcept {
  if (!shards_) return in_use_.load(std::memory_order_relaxed);
  // What the shards reserved less what they hold unused. Read while others allocate, the sum
  // may be off by what moves meanwhile (a chunk being reserved or given back).
  // A shard's unused credit is below zero while it owes bytes (see Pool in pool.h).
  int64_t unused = 0;
  for (size_t i = 0; i < kThreadShards; ++i) unused += shards_[i].unused();
  const auto reserved = static_cast<int64_t>(reserved_.load(std::memory_order_relaxed));
  return reserved > unused ? static_cast<size_t>(reserved - unused) : 0;
}

bool Pool::has_room(size_t size) const noexcept {
  const size_t budget = budget_.load(std::memory_order_relaxed);
  if (budget == 0) return true;
  const size_t cur = in_use();
  return size <= budget && cur <= budget - size;
}

size_t Pool::block_size(const void* ptr) noexcept {
  return ptr == nullptr ? 0 : BlockAllocator::instance().usable_size(ptr);
}

PoolStats Pool::stats() const noexcept {
  PoolStats s;
  s.budget = budget_.load(std::memory_order_relaxed);
  s.in_use = in_use();
  s.peak = std::max(peak_.load(std::memory_order_relaxed), s.in_use);
  if (!shards_) {
    s.allocations = allocations_.load(std::memory_order_relaxed);
    s.failures = failures_.load(std::memory_order_relaxed);
    return s;
  }
  for (size_t i = 0; i < kThreadShards; ++i) {
    s.allocations += shards_[i].allocations.load(std::memory_order_relaxed);
    s.failures += shards_[i].failures.load(std::memory_order_relaxed);
  }
  return s;
}

Pool& Pool::shm() {
  static Pool* const pool = new Pool("shm", 0, PoolSharing::kShared);
  return *pool;
}

}  // namespace core
