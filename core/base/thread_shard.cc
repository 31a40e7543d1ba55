#include "core/base/thread_shard.h"

#include <atomic>

namespace core {

size_t thread_shard() noexcept {
  static std::atomic<size_t> next{0};
  thread_local const size_t index = next.fetch_add(1, std::memory_order_relaxed) % kThreadShards;
  return index;
}

}  // namespace core
