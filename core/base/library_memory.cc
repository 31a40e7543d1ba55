#include "core/base/library_memory.h"

#include <event2/event.h>

#include "core/base/pool.h"

namespace core {

void LibraryCounters::allocated(size_t bytes) noexcept {
  Shard& s = shards_[thread_shard()];
  shard_add(s.in_use, static_cast<int64_t>(bytes));
  shard_add(s.allocations, uint64_t{1});
}

void LibraryCounters::freed(size_t bytes) noexcept {
  shard_add(shards_[thread_shard()].in_use, -static_cast<int64_t>(bytes));
}

void LibraryCounters::failed() noexcept {
  shard_add(shards_[thread_shard()].failures, uint64_t{1});
}

LibraryMemoryStats LibraryCounters::read() const noexcept {
  int64_t in_use = 0;
  LibraryMemoryStats out;
  for (const Shard& s : shards_) {
    in_use += s.in_use.load(std::memory_order_relaxed);
    out.allocations += s.allocations.load(std::memory_order_relaxed);
    out.failures += s.failures.load(std::memory_order_relaxed);
  }
  out.in_use = in_use < 0 ? 0 : static_cast<uint64_t>(in_use);
  return out;
}

LibraryCounters& openssl_memory_counters() noexcept {
  static LibraryCounters counters;
  return counters;
}

LibraryCounters& libevent_memory_counters() noexcept {
  static LibraryCounters counters;
  return counters;
}

void* counted_allocate(Pool& pool, LibraryCounters& counters, size_t size) noexcept {
  size_t charged = 0;
  void* p = pool.allocate(size, &charged);
  if (p == nullptr) {
    counters.failed();
    return nullptr;
  }
  counters.allocated(charged);
  return p;
}

void* counted_reallocate(Pool& pool, LibraryCounters& counters, void* ptr, size_t size) noexcept {
  const size_t old = Pool::block_size(ptr);
  void* p = pool.reallocate(ptr, size);
  if (p == nullptr && size != 0) {
    counters.failed();
    return nullptr;
  }
  if (p == ptr) return p;  // kept in place: same block, same charge
  if (ptr != nullptr) counters.freed(old);
  if (p != nullptr) counters.allocated(Pool::block_size(p));
  return p;
}

void counted_free(Pool& pool, LibraryCounters& counters, void* ptr) noexcept {
  if (ptr == nullptr) return;
  counters.freed(pool.release(ptr));
}

namespace {

// libevent's hooks take no context: the pool is set once, before libevent's first allocation.
Pool* libevent_pool = nullptr;

void* libevent_malloc(size_t size) {
  return counted_allocate(*libevent_pool, libevent_memory_counters(), size);
}

void* libevent_realloc(void* ptr, size_t size) {
  return counted_reallocate(*libevent_pool, libevent_memory_counters(), ptr, size);
}

void libevent_free(void* ptr) {
  counted_free(*libevent_pool, libevent_memory_counters(), ptr);
}

}  // namespace

void install_libevent_allocator(Pool& shm) {
  if (libevent_pool != nullptr) return;
  libevent_pool = &shm;
  event_set_mem_functions(&libevent_malloc, &libevent_realloc, &libevent_free);
}

}  // namespace core
