#pragma once
// The allocator beneath every core::Pool (DESIGN.md principle 3). It is mimalloc (Debian's
// libmimalloc2.0), chosen over jemalloc and glibc's malloc because:
//  - each thread allocates from its own heap without a lock, and a block freed by another thread
//    goes back to its owner's heap through a lock-free list: OpenSSL objects built on the control
//    thread at reload are freed by the workers, and the reverse, without a shared arena lock;
//  - mi_usable_size() answers a block's size, so a Pool keeps no size header in front of each
//    block (OpenSSL's and libevent's free hooks pass no size) and charges what the block really
//    takes (its size class), not what was asked;
//  - it gives freed pages back to the system soon after a burst (small RSS at rest);
//  - its thread-local state is one pointer, so it can be loaded with dlopen (below);
//    jemalloc's larger initial-exec TLS block cannot be dlopen()ed reliably.
// `make bench` (tests/bench/alloc_bench.cc) measures it against glibc's malloc; README
// `## Performance` keeps the figures.
//
// Debian builds libmimalloc.so with MI_OVERRIDE: linking it would replace malloc/free for the
// whole process, OpenSSL's and libstdc++'s allocations included, unaccounted. So it is opened
// with dlopen(RTLD_LOCAL), whose symbols never interpose the process's, and only the mi_*
// functions are used, through the pools. Sanitizer builds (and a machine without
// libmimalloc.so.2) use glibc's malloc instead, so that ASan and TSan see every block;
// name() says which is in use.
#include <cstddef>

namespace core {

class BlockAllocator {
 public:
  // The process's allocator, loaded on first use (thread-safe).
  static const BlockAllocator& instance() noexcept;

  // nullptr when the system refuses. allocate(0) returns a unique pointer.
  void* allocate(size_t size) const noexcept { return malloc_(size); }
  // free(nullptr) does nothing.
  void free(void* ptr) const noexcept { free_(ptr); }
  // The bytes a block really holds (>= what was asked); what the pools charge.
  size_t usable_size(const void* ptr) const noexcept { return usable_size_(ptr); }
  // "mimalloc 2.0.9" or "glibc malloc (...why)".
  const char* name() const noexcept { return name_; }
  bool is_mimalloc() const noexcept { return mimalloc_; }

 private:
  BlockAllocator() noexcept;
  const char* load_mimalloc() noexcept;
  void use_glibc(const char* why) noexcept;

  void* (*malloc_)(size_t) = nullptr;
  void (*free_)(void*) = nullptr;
  size_t (*usable_size_)(const void*) = nullptr;
  bool mimalloc_ = false;
  char name_[96] = {};
};

}  // namespace core
