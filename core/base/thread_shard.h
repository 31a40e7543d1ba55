#pragma once
// Per-thread shards for counters that every thread updates (the shared pool, the libraries'
// counters): each thread writes its own cache line, so workers allocating at the same time do
// not bounce one line between cores. Readers add the shards up.
#include <cstddef>

namespace core {

// Enough for the workers, the main/control thread and a few more; threads beyond it share
// shards (still correct: the shards' counters are atomic).
inline constexpr size_t kThreadShards = 16;
inline constexpr size_t kCacheLine = 64;

namespace detail {
// Constant-initialised (no TLS guard on the hot path); assigned at a thread's first use.
inline thread_local size_t thread_shard_index = kThreadShards;
size_t assign_thread_shard() noexcept;
}  // namespace detail

// This thread's shard, in [0, kThreadShards): threads get consecutive indexes as they first ask.
inline size_t thread_shard() noexcept {
  const size_t i = detail::thread_shard_index;
  return i < kThreadShards ? i : detail::assign_thread_shard();
}

}  // namespace core
