#pragma once
// Per-thread shards for counters that every thread updates (the shared pool, the libraries'
// counters): each thread writes its own cache line, so workers allocating at the same time do
// not bounce one line between cores. Readers add the shards up.
//
// A thread that owns its shard (the first kThreadShards - 1 threads to ask, each until it
// ends) is that shard's only writer, so its counters move with a plain load and store instead
// of a locked read-modify-write: on the OpenSSL allocation hooks, which run hundreds of times
// per handshake, that is most of their cost. Threads beyond them, and threads that are ending,
// share shard 0 and update it with atomic read-modify-writes.
#include <atomic>
#include <cstddef>

namespace core {

// Enough for the workers, the main/control thread and a few more.
inline constexpr size_t kThreadShards = 16;
inline constexpr size_t kSharedShard = 0;
inline constexpr size_t kCacheLine = 64;

namespace detail {
inline thread_local size_t thread_shard_index = kThreadShards;
inline thread_local bool thread_shard_owned = false;
size_t assign_thread_shard() noexcept;
}  // namespace detail

// This thread's shard, in [0, kThreadShards).
inline size_t thread_shard() noexcept {
  const size_t i = detail::thread_shard_index;
  return i < kThreadShards ? i : detail::assign_thread_shard();
}

// Adds `by` to a counter in this thread's shard (the one thread_shard() gave).
template <typename T>
inline void shard_add(std::atomic<T>& counter, T by) noexcept {
  if (detail::thread_shard_owned) {
    counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  } else {
    counter.fetch_add(by, std::memory_order_relaxed);
  }
}

}  // namespace core
