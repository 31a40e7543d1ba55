#include "tls/openssl_memory.h"

#include <openssl/crypto.h>

#include "core/base/library_memory.h"
#include "core/base/pool.h"

namespace tls {
namespace {

// OpenSSL's hooks take no context: the pool is set once, before OpenSSL's first allocation.
// They are called from any thread (workers handshake, the control thread builds contexts at
// reload, and frees run wherever the last reference goes): Pool::shm() is kShared.
core::Pool* openssl_pool = nullptr;
thread_local uint64_t refusals = 0;

void* refused() {
  ++refusals;
  return nullptr;
}

void* openssl_malloc(size_t size, const char* /*file*/, int /*line*/) {
  void* p = core::counted_allocate(*openssl_pool, core::openssl_memory_counters(), size);
  return p != nullptr ? p : refused();
}

void* openssl_realloc(void* ptr, size_t size, const char* /*file*/, int /*line*/) {
  // CRYPTO_realloc(3) hands size 0 to the hook as is: free and return NULL, as OpenSSL's own.
  void* p = core::counted_reallocate(*openssl_pool, core::openssl_memory_counters(), ptr, size);
  return p != nullptr || size == 0 ? p : refused();
}

void openssl_free(void* ptr, const char* /*file*/, int /*line*/) {
  core::counted_free(*openssl_pool, core::openssl_memory_counters(), ptr);
}

}  // namespace

bool install_openssl_allocator(core::Pool& shm) {
  if (openssl_pool != nullptr) return true;
  // Set before the hooks: OpenSSL may allocate right after CRYPTO_set_mem_functions returns.
  openssl_pool = &shm;
  if (CRYPTO_set_mem_functions(&openssl_malloc, &openssl_realloc, &openssl_free) == 1) return true;
  openssl_pool = nullptr;
  return false;
}

uint64_t openssl_refusals_on_this_thread(bool reset) noexcept {
  const uint64_t n = refusals;
  if (reset) refusals = 0;
  return n;
}

}  // namespace tls
