// libevent on the shared pool: the test main installed the hooks (tests/unit/test_main.cc), as
// ser's main() does, so an event base and its events are charged to shm and counted as
// libevent's, and freeing them gives every byte back.
#include "core/base/library_memory.h"

#include <event2/event.h>
#include <gtest/gtest.h>

#include "core/base/pool.h"

namespace core {
namespace {

TEST(LibraryMemoryTest, AnEventBaseAndItsEventsAreChargedToShmAndComeBack) {
  const LibraryMemoryStats before = libevent_memory_counters().read();
  const size_t shm_before = Pool::shm().in_use();
  event_base* base = event_base_new();
  ASSERT_NE(base, nullptr);
  event* ev = event_new(
      base, -1, 0, [](evutil_socket_t, short, void*) {}, nullptr);
  ASSERT_NE(ev, nullptr);
  const LibraryMemoryStats held = libevent_memory_counters().read();
  EXPECT_GT(held.in_use, before.in_use);
  EXPECT_GE(held.allocations, before.allocations + 2);
  EXPECT_EQ(Pool::shm().in_use() - shm_before, held.in_use - before.in_use);
  event_free(ev);
  event_base_free(base);
  EXPECT_EQ(libevent_memory_counters().read().in_use, before.in_use);
  EXPECT_EQ(Pool::shm().in_use(), shm_before);
}

TEST(LibraryMemoryTest, TheHooksFollowReallocSemanticsAndCountRefusals) {
  Pool pool("hooks", 4096);
  LibraryCounters counters;
  void* p = counted_reallocate(pool, counters, nullptr, 100);  // realloc(NULL, n) allocates
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(counters.read().in_use, Pool::block_size(p));
  void* q = counted_reallocate(pool, counters, p, 8000);  // refused: p stays, counts unchanged
  EXPECT_EQ(q, nullptr);
  EXPECT_EQ(counters.read().failures, 1u);
  EXPECT_EQ(counters.read().in_use, Pool::block_size(p));
  p = counted_reallocate(pool, counters, p, 2000);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(counters.read().in_use, Pool::block_size(p));
  EXPECT_EQ(counted_reallocate(pool, counters, p, 0), nullptr);  // size 0 frees
  EXPECT_EQ(counters.read().in_use, 0u);
  counted_free(pool, counters, nullptr);  // free(NULL)
  EXPECT_EQ(counted_allocate(pool, counters, 5000), nullptr);
  EXPECT_EQ(counters.read().failures, 2u);
  EXPECT_EQ(pool.in_use(), 0u);
}

}  // namespace
}  // namespace core
