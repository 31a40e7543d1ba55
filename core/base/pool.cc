#include "core/base/pool.h"

#include <cstdlib>
#include <cstring>

namespace core {
namespace {

// The header keeps the payload size so that free/realloc need no size (OpenSSL's hooks do not
// pass one) and keeps max_align_t alignment for the payload.
struct alignas(std::max_align_t) Header {
  size_t size;
};

Header* header_of(void* ptr) {
  return static_cast<Header*>(ptr) - 1;
}

}  // namespace

bool Pool::reserve(size_t size) noexcept {
  size_t budget = budget_.load(std::memory_order_relaxed);
  size_t cur = in_use_.load(std::memory_order_relaxed);
  for (;;) {
    if (budget != 0 && (size > budget || cur > budget - size)) {
      failures_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (in_use_.compare_exchange_weak(cur, cur + size, std::memory_order_relaxed)) break;
  }
  size_t now = cur + size;
  size_t peak = peak_.load(std::memory_order_relaxed);
  while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
  return true;
}

void Pool::release(size_t size) noexcept {
  in_use_.fetch_sub(size, std::memory_order_relaxed);
}

void* Pool::allocate(size_t size) noexcept {
  if (size > SIZE_MAX / 2) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  if (!reserve(size)) return nullptr;
  auto* h = static_cast<Header*>(std::malloc(sizeof(Header) + size));
  if (h == nullptr) {
    release(size);
    failures_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  h->size = size;
  allocations_.fetch_add(1, std::memory_order_relaxed);
  return h + 1;
}

void Pool::deallocate(void* ptr) noexcept {
  if (ptr == nullptr) return;
  Header* h = header_of(ptr);
  release(h->size);
  std::free(h);
}

void* Pool::reallocate(void* ptr, size_t size) noexcept {
  if (ptr == nullptr) return allocate(size);
  Header* h = header_of(ptr);
  size_t old = h->size;
  if (size > SIZE_MAX / 2) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  if (size > old && !reserve(size - old)) return nullptr;
  auto* nh = static_cast<Header*>(std::realloc(h, sizeof(Header) + size));
  if (nh == nullptr) {
    if (size > old) release(size - old);
    failures_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  if (size < old) release(old - size);
  nh->size = size;
  allocations_.fetch_add(1, std::memory_order_relaxed);
  return nh + 1;
}

bool Pool::has_room(size_t size) const noexcept {
  size_t budget = budget_.load(std::memory_order_relaxed);
  if (budget == 0) return true;
  size_t cur = in_use_.load(std::memory_order_relaxed);
  return size <= budget && cur <= budget - size;
}

size_t Pool::block_size(const void* ptr) noexcept {
  return ptr == nullptr ? 0 : (static_cast<const Header*>(ptr) - 1)->size;
}

PoolStats Pool::stats() const noexcept {
  PoolStats s;
  s.budget = budget_.load(std::memory_order_relaxed);
  s.in_use = in_use_.load(std::memory_order_relaxed);
  s.peak = peak_.load(std::memory_order_relaxed);
  s.allocations = allocations_.load(std::memory_order_relaxed);
  s.failures = failures_.load(std::memory_order_relaxed);
  return s;
}

Pool& Pool::shm() {
  static Pool pool("shm", 0);
  return pool;
}

}  // namespace core
