#pragma once
// What the libraries (OpenSSL, libevent) hold of the shared pool (DESIGN.md principle 3): both
// are pointed at Pool::shm() by install_library_allocators(), which must run before any other
// call into either library (first thing in main(), and in the test binaries' main), because
// neither accepts new allocation functions once it has allocated. The hooks count here, so the
// control plane can show the libraries' shares of shm.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/base/thread_shard.h"

namespace core {

class Pool;

struct LibraryMemoryStats {
  uint64_t in_use = 0;  // bytes handed out now (the blocks' usable sizes, as shm charges them)
  uint64_t allocations = 0;
  uint64_t failures = 0;  // refused by the budget or by the allocator
};

struct LibraryMemory {
  LibraryMemoryStats openssl;
  LibraryMemoryStats libevent;
};

// The counters the hooks update from any thread (OpenSSL allocates on every worker and frees on
// whichever thread drops the last reference): per-thread shards, like Pool's, read with relaxed
// loads from any thread.
class LibraryCounters {
 public:
  void allocated(size_t bytes) noexcept;
  void freed(size_t bytes) noexcept;
  void failed() noexcept;
  LibraryMemoryStats read() const noexcept;

 private:
  struct alignas(kCacheLine) Shard {
    std::atomic<int64_t> in_use{0};
    std::atomic<uint64_t> allocations{0};
    std::atomic<uint64_t> failures{0};
  };
  Shard shards_[kThreadShards];
};
LibraryCounters& openssl_memory_counters() noexcept;
LibraryCounters& libevent_memory_counters() noexcept;

inline LibraryMemory library_memory() noexcept {
  return {openssl_memory_counters().read(), libevent_memory_counters().read()};
}

// The hooks' common steps: a block from `pool` counted in `counters` (nullptr and a failure
// counted when the pool refuses), and its return. realloc semantics as Pool::reallocate.
void* counted_allocate(Pool& pool, LibraryCounters& counters, size_t size) noexcept;
void* counted_reallocate(Pool& pool, LibraryCounters& counters, void* ptr, size_t size) noexcept;
void counted_free(Pool& pool, LibraryCounters& counters, void* ptr) noexcept;

// Points libevent at `shm` (event_set_mem_functions); the first call wins, later ones are
// ignored. Part of install_library_allocators().
void install_libevent_allocator(Pool& shm);

// Points libevent and, in a TLS build, OpenSSL at `shm`. True when both took the hooks (false:
// a library had allocated already; it then keeps malloc and is not counted). Defined in
// core/tls_support.cc, the one place that knows whether OpenSSL is built in.
bool install_library_allocators(Pool& shm);

}  // namespace core
