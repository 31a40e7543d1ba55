#pragma once
// The memory-pool seam (DESIGN.md principle 3): every byte of per-connection and per-message
// memory goes through a named Pool with a budget and counters. `shm` is the pool shared by all
// workers (connections, later TLS state); each worker has its own `pkg` pool. This version is
// malloc with a size header and accounting; the signatures match what OpenSSL's
// CRYPTO_set_mem_functions needs (malloc/realloc/free without a size), so a later issue can point
// OpenSSL here. Failure is a nullptr, never an exception: callers on the data path refuse and
// count.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

namespace core {

struct PoolStats {
  size_t budget = 0;  // bytes, 0 = unlimited
  size_t in_use = 0;  // bytes handed out now (payload, without headers)
  size_t peak = 0;
  uint64_t allocations = 0;  // successful allocate/reallocate calls
  uint64_t failures = 0;     // refused by the budget or by malloc
};

class Pool {
 public:
  Pool(std::string name, size_t budget_bytes) : name_(std::move(name)), budget_(budget_bytes) {}
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // nullptr when the budget or the system refuses. allocate(0) returns a valid unique pointer.
  void* allocate(size_t size) noexcept;
  void deallocate(void* ptr) noexcept;
  // Like realloc: nullptr ptr allocates, on failure the old block is left untouched.
  void* reallocate(void* ptr, size_t size) noexcept;

  // True when `size` more bytes would fit the budget now (used to refuse new connections early).
  bool has_room(size_t size) const noexcept;
  // Size of a block handed out by this pool.
  static size_t block_size(const void* ptr) noexcept;

  const std::string& name() const { return name_; }
  size_t budget() const { return budget_.load(std::memory_order_relaxed); }
  void set_budget(size_t bytes) { budget_.store(bytes, std::memory_order_relaxed); }
  PoolStats stats() const noexcept;

  // The process-wide shared pool; its budget is set by main() (-m).
  static Pool& shm();

 private:
  bool reserve(size_t size) noexcept;
  void release(size_t size) noexcept;

  std::string name_;
  std::atomic<size_t> budget_;
  std::atomic<size_t> in_use_{0};
  std::atomic<size_t> peak_{0};
  std::atomic<uint64_t> allocations_{0};
  std::atomic<uint64_t> failures_{0};
};

// STL allocator over a Pool. Containers using it throw std::bad_alloc on refusal (the STL cannot
// report otherwise); use them on the control plane or where the size is bounded in advance.
template <typename T>
class PoolAllocator {
 public:
  using value_type = T;
  explicit PoolAllocator(Pool& pool) noexcept : pool_(&pool) {}
  template <typename U>
  PoolAllocator(const PoolAllocator<U>& other) noexcept : pool_(other.pool()) {}

  T* allocate(size_t n) {
    void* p = pool_->allocate(n * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t) noexcept { pool_->deallocate(p); }
  Pool* pool() const noexcept { return pool_; }

  template <typename U>
  bool operator==(const PoolAllocator<U>& o) const noexcept {
    return pool_ == o.pool();
  }

 private:
  Pool* pool_;
};

// A string whose bytes come from a pool: the per-worker output buffers of the forward path.
// Growing past the pool's budget throws std::bad_alloc (catch it where the buffer grows).
using PoolString = std::basic_string<char, std::char_traits<char>, PoolAllocator<char>>;

// Deleter for objects made by make_in_pool: runs the destructor and gives the bytes back.
struct PoolDeleter {
  Pool* pool = nullptr;
  template <typename T>
  void operator()(T* p) const noexcept {
    if (p == nullptr) return;
    // The block starts at the most-derived object, which a base pointer may not point to.
    const void* mem;
    if constexpr (std::is_polymorphic_v<T>) {
      mem = dynamic_cast<const void*>(p);
    } else {
      mem = static_cast<const void*>(p);
    }
    p->~T();
    pool->deallocate(const_cast<void*>(mem));
  }
};

template <typename T>
using PoolPtr = std::unique_ptr<T, PoolDeleter>;

// Constructs a T in `pool`; an empty pointer when the pool refuses (no throw).
template <typename T, typename... Args>
PoolPtr<T> make_in_pool(Pool& pool, Args&&... args) {
  void* mem = pool.allocate(sizeof(T));
  if (mem == nullptr) return PoolPtr<T>(nullptr, PoolDeleter{&pool});
  return PoolPtr<T>(new (mem) T(std::forward<Args>(args)...), PoolDeleter{&pool});
}

}  // namespace core
