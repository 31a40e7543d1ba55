#pragma once
// What the libraries (OpenSSL, libevent) hold of the shared pool (DESIGN.md principle 3): both
// are pointed at Pool::shm() by install_library_allocators(), which must run before any other
// call into either library (first thing in main(), and in the test binaries' main), because
// neither accepts new allocation functions once it has allocated. The hooks count here, so the
// control plane can show the libraries' shares of shm.
#include <atomic>
#include <cstdint>

namespace core {

class Pool;

struct LibraryMemoryStats {
  uint64_t in_use = 0;  // bytes handed out now
  uint64_t allocations = 0;
  uint64_t failures = 0;  // refused by the budget or by the allocator
};

struct LibraryMemory {
  LibraryMemoryStats openssl;
  LibraryMemoryStats libevent;
};

// The counters the hooks update (relaxed atomics; read from any thread).
struct LibraryCounters {
  std::atomic<uint64_t> in_use{0};
  std::atomic<uint64_t> allocations{0};
  std::atomic<uint64_t> failures{0};
  LibraryMemoryStats read() const noexcept {
    return {in_use.load(std::memory_order_relaxed), allocations.load(std::memory_order_relaxed),
            failures.load(std::memory_order_relaxed)};
  }
};
LibraryCounters& openssl_memory_counters() noexcept;
LibraryCounters& libevent_memory_counters() noexcept;

inline LibraryMemory library_memory() noexcept {
  return {openssl_memory_counters().read(), libevent_memory_counters().read()};
}

// Points libevent and, in a TLS build, OpenSSL at `shm`. True when both took the hooks (false:
// a library had allocated already; it then keeps malloc and is not counted).
bool install_library_allocators(Pool& shm);

}  // namespace core
