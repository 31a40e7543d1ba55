#include "core/base/thread_shard.h"

#include <atomic>

namespace core::detail {

size_t assign_thread_shard() noexcept {
  static std::atomic<size_t> next{0};
  thread_shard_index = next.fetch_add(1, std::memory_order_relaxed) % kThreadShards;
  return thread_shard_index;
}

}  // namespace core::detail
