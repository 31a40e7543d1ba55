#pragma once
// OpenSSL's allocations on the shared pool (DESIGN.md principle 3): contexts, connections,
// sessions, tickets and OpenSSL's global state are charged to shm (-m) and counted in
// core::openssl_memory_counters(). Called through core::install_library_allocators().
#include <cstdint>

namespace core {
class Pool;
}

namespace tls {

// CRYPTO_set_mem_functions(3) pointing at `shm`. Must come before OpenSSL's first allocation:
// false when OpenSSL had allocated already (it then keeps malloc, uncounted). Later calls after
// a success are no-ops returning true.
bool install_openssl_allocator(core::Pool& shm);

// OpenSSL allocations refused on this thread since the last reset (the hooks run on the thread
// that calls OpenSSL): lets a failure OpenSSL reports as something else be told as out of
// memory (tls_errors.cc). `reset` sets the count back to 0.
uint64_t openssl_refusals_on_this_thread(bool reset) noexcept;

}  // namespace tls
