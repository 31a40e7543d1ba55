// The main() of every GoogleTest binary (unit and integration): points OpenSSL and libevent at
// the shared pool before anything calls into them, as ser's main() does, so that tests see the
// same accounting as the proxy (and a test that builds a context moves the shm counters).
#include <gtest/gtest.h>

#include <cstdio>

#include "core/base/library_memory.h"
#include "core/base/pool.h"

int main(int argc, char** argv) {
  if (!core::install_library_allocators(core::Pool::shm())) {
    std::fprintf(stderr, "test main: OpenSSL allocated before main(): its hooks cannot be set\n");
    return 1;
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
