#include "core/base/thread_shard.h"

#include <cstdint>

namespace core::detail {
namespace {

// Bit i set: shard i is owned by a live thread. Shard 0 (kSharedShard) is never owned.
std::atomic<uint32_t> owned_shards{1u << kSharedShard};
static_assert(kThreadShards <= 32, "owned_shards holds one bit per shard");

// Gives the shard back when its thread ends. The thread may still allocate afterwards (OpenSSL
// frees its per-thread state from a pthread key destructor, after C++ thread_local ones): it
// then uses the shared shard, with atomic updates, so the shard's next owner is its only
// plain writer. The release orders this thread's last plain stores before the next owner's
// acquire.
struct ShardRelease {
  size_t index = kSharedShard;
  ~ShardRelease() {
    if (index == kSharedShard) return;
    thread_shard_owned = false;
    thread_shard_index = kSharedShard;
    owned_shards.fetch_and(~(1u << index), std::memory_order_release);
  }
};

size_t claim_shard() noexcept {
  uint32_t bits = owned_shards.load(std::memory_order_relaxed);
  for (;;) {
    uint32_t free_bits = ~bits & ((uint64_t{1} << kThreadShards) - 1);
    if (free_bits == 0) return kSharedShard;
    const size_t i = static_cast<size_t>(__builtin_ctz(free_bits));
    if (owned_shards.compare_exchange_weak(bits, bits | (1u << i), std::memory_order_acquire,
                                           std::memory_order_relaxed))
      return i;
  }
}

}  // namespace

size_t assign_thread_shard() noexcept {
  thread_local ShardRelease release;
  const size_t i = claim_shard();
  release.index = i;
  thread_shard_owned = i != kSharedShard;
  thread_shard_index = i;
  return i;
}

}  // namespace core::detail
