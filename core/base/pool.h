#pragma once
// The memory-pool seam (DESIGN.md principle 3): every byte of per-connection and per-message
// memory, and OpenSSL's and libevent's (core/base/library_memory.h), goes through a named Pool
// with a budget and counters. `shm` is the pool shared by all threads (connections, TLS state);
// each worker has its own `pkg` pool. Blocks come from mimalloc (core/base/block_allocator.h)
// with no header: a block's size is the allocator's usable size, which is also what the pool
// charges. Failure is a nullptr, never an exception: callers on the data path refuse and count.
//
// Two kinds, one API:
//  - kOwnerThread (a worker's pkg pool): used by one thread at a time, so its counters are
//    plain relaxed loads and stores (no atomic read-modify-write, no lock); other threads may
//    read stats() at any time.
//  - kShared (shm): any thread allocates and frees, and a block may be freed by another thread
//    than the one that allocated it. Counters are per-thread shards (core/base/thread_shard.h),
//    and the budget is handed out to the shards in credit chunks of at most 32 KiB (1/512 of the
//    budget when that is smaller), so most allocations touch only their thread's cache line.
//    A shard keeps at most two chunks of unused credit (at most 1 MiB over all shards); before
//    refusing an allocation the pool takes every shard's credit back, so the budget refuses
//    only when the bytes really in use leave no room. The peak is the peak of what the shards
//    had reserved: at most that slack above the true peak.
//    A thread that owns its shard (thread_shard.h) moves the shard's credit with a plain load
//    and store, no locked instruction: OpenSSL allocates and frees hundreds of times per
//    handshake. What another thread takes back goes into a separate counter (`reclaimed`), so
//    the owner's stores never erase it; an allocation racing with that take-back can leave the
//    shard owing a few bytes (its unused credit below zero) until its next free: in_use()
//    still counts them, only the budget sees them late.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

#include "core/base/thread_shard.h"

namespace core {

struct PoolStats {
  size_t budget = 0;  // bytes, 0 = unlimited
  size_t in_use = 0;  // bytes held by live blocks (their usable sizes)
  size_t peak = 0;
  uint64_t allocations = 0;  // blocks handed out (a reallocate that moves the block: one)
  uint64_t failures = 0;     // refused by the budget or by the allocator
};

enum class PoolSharing {
  kShared,       // any thread (shm)
  kOwnerThread,  // one thread at a time (a worker's pkg pool); stats() from any thread
};

class BlockAllocator;

class Pool {
 public:
  Pool(std::string name, size_t budget_bytes, PoolSharing sharing = PoolSharing::kShared);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // nullptr when the budget or the system refuses. allocate(0) returns a valid unique pointer.
  void* allocate(size_t size) noexcept;
  // The same, and sets *charged to the block's usable size (what the budget was charged), for
  // callers that keep their own count (the libraries' hooks) without a second look-up.
  void* allocate(size_t size, size_t* charged) noexcept;
  // deallocate(nullptr) does nothing.
  void deallocate(void* ptr) noexcept { release(ptr); }
  // deallocate(), returning what the block was charged (0 for nullptr).
  size_t release(void* ptr) noexcept;
  // Like realloc(3): a nullptr ptr allocates; size 0 frees ptr and returns nullptr; on failure
  // nullptr is returned and the old block is left untouched (when shrinking, the old block is
  // returned instead: it still fits).
  void* reallocate(void* ptr, size_t size) noexcept;

  // True when `size` more bytes would fit the budget now (used to refuse new connections early).
  bool has_room(size_t size) const noexcept;
  // Bytes held by a block handed out by a pool (at least what was asked); 0 for nullptr.
  static size_t block_size(const void* ptr) noexcept;

  const std::string& name() const { return name_; }
  size_t budget() const { return budget_.load(std::memory_order_relaxed); }
  void set_budget(size_t bytes) noexcept;
  // stats().in_use alone, cheaper (no peak or counts).
  size_t in_use() const noexcept;
  PoolStats stats() const noexcept;
  PoolSharing sharing() const { return shards_ ? PoolSharing::kShared : PoolSharing::kOwnerThread; }

  // The process-wide shared pool; its budget is set by main() (-m). Never destroyed, so that
  // OpenSSL's and libevent's exit-time frees still find it.
  static Pool& shm();

 private:
  // One thread's share of a kShared pool's counters, on a cache line of its own. Bytes in use
  // are reserved_ less the shards' unused credit: an allocation takes credit, a free gives it
  // back (to the freeing thread's shard). Unused credit is credit - reclaimed: `credit` is
  // written only by the shard's thread(s), `reclaimed` only by reclaim_credit().
  struct alignas(kCacheLine) Shard {
    std::atomic<uint64_t> allocations{0};
    std::atomic<uint64_t> failures{0};
    std::atomic<int64_t> credit{0};
    std::atomic<int64_t> reclaimed{0};
    int64_t unused() const noexcept {
      return credit.load(std::memory_order_relaxed) - reclaimed.load(std::memory_order_relaxed);
    }
  };

  bool charge(size_t bytes) noexcept;
  void discharge(size_t bytes) noexcept;
  void count_failure() noexcept;
  bool charge_shared(Shard& s, size_t bytes) noexcept;
  // Moves this thread's shard's credit from `expected` to `desired`: a plain store when the
  // thread owns the shard, else a compare-exchange that fails if another thread moved it.
  static bool move_credit(Shard& s, int64_t& expected, int64_t desired) noexcept;
  // Adds `by` to this thread's shard's credit; returns the credit as left.
  static int64_t add_credit(Shard& s, int64_t by) noexcept;
  bool reserve(size_t bytes) noexcept;
  void reclaim_credit() noexcept;
  static size_t chunk_for(size_t budget) noexcept;

  std::string name_;
  const BlockAllocator& blocks_;
  std::atomic<size_t> budget_;
  std::atomic<size_t> peak_{0};
  // kOwnerThread: the counters, written by the owner with load + store.
  std::atomic<size_t> in_use_{0};
  std::atomic<uint64_t> allocations_{0};
  std::atomic<uint64_t> failures_{0};
  // kShared: budget reserved by the shards (in use + credit), the credit chunk, the shards.
  std::atomic<size_t> reserved_{0};
  std::atomic<size_t> chunk_{0};
  std::unique_ptr<Shard[]> shards_;
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
