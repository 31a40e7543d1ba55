#include "core/base/block_allocator.h"

#include <dlfcn.h>
#include <malloc.h>

#include <cstdio>
#include <cstdlib>

namespace core {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// The SONAME of Debian's libmimalloc2.0 (the -dev package's libmimalloc.so points at it).
constexpr const char* kMimallocLibrary = "libmimalloc.so.2";

void glibc_free(void* ptr) {
  std::free(ptr);
}

size_t glibc_usable_size(const void* ptr) {
  return ptr == nullptr ? 0 : malloc_usable_size(const_cast<void*>(ptr));
}

template <typename Fn>
bool load(void* lib, const char* symbol, Fn& out) {
  out = reinterpret_cast<Fn>(dlsym(lib, symbol));
  return out != nullptr;
}

}  // namespace

BlockAllocator::BlockAllocator() noexcept {
  if (const char* why = load_mimalloc()) use_glibc(why);
}

// nullptr when mimalloc is loaded, else why not.
const char* BlockAllocator::load_mimalloc() noexcept {
  if (kSanitized) return "sanitizer build";
  // RTLD_LOCAL: mimalloc's malloc/free stay out of the global scope (see the header).
  void* lib = dlopen(kMimallocLibrary, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) return "libmimalloc.so.2 not found";
  int (*version)() = nullptr;
  if (!load(lib, "mi_malloc", malloc_) || !load(lib, "mi_free", free_) ||
      !load(lib, "mi_usable_size", usable_size_) || !load(lib, "mi_version", version)) {
    return "libmimalloc.so.2 lacks mi_malloc/mi_free/mi_usable_size";
  }
  mimalloc_ = true;
  const int v = version();  // e.g. 209
  std::snprintf(name_, sizeof name_, "mimalloc %d.%d.%d", v / 100, v / 10 % 10, v % 10);
  return nullptr;
}

void BlockAllocator::use_glibc(const char* why) noexcept {
  malloc_ = &std::malloc;
  free_ = &glibc_free;
  usable_size_ = &glibc_usable_size;
  mimalloc_ = false;
  std::snprintf(name_, sizeof name_, "glibc malloc (%s)", why);
}

const BlockAllocator& BlockAllocator::instance() noexcept {
  static const BlockAllocator allocator;
  return allocator;
}

}  // namespace core
