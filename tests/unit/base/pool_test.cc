#include "core/base/pool.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/base/byte_buffer.h"

namespace core {
namespace {

TEST(PoolTest, CountsBytesInUsePeakAndAllocations) {
  Pool pool("test", 0);
  void* a = pool.allocate(100);
  void* b = pool.allocate(50);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(pool.stats().in_use, 150u);
  pool.deallocate(a);
  EXPECT_EQ(pool.stats().in_use, 50u);
  EXPECT_EQ(pool.stats().peak, 150u);
  EXPECT_EQ(pool.stats().allocations, 2u);
  pool.deallocate(b);
  EXPECT_EQ(pool.stats().in_use, 0u);
  EXPECT_EQ(pool.name(), "test");
}

TEST(PoolTest, BudgetRefusesWithNullAndRecoversWhenFreed) {
  Pool pool("small", 1000);
  void* a = pool.allocate(800);
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(pool.has_room(300));
  EXPECT_EQ(pool.allocate(300), nullptr);
  EXPECT_EQ(pool.stats().failures, 1u);
  pool.deallocate(a);
  // Unlike a guard that stays stuck (kamailio#4777), the budget is usable again at once.
  void* b = pool.allocate(300);
  EXPECT_NE(b, nullptr);
  pool.deallocate(b);
}

TEST(PoolTest, ReallocateKeepsDataAndAccountsTheDifference) {
  Pool pool("re", 1000);
  auto* p = static_cast<char*>(pool.allocate(10));
  std::memcpy(p, "0123456789", 10);
  p = static_cast<char*>(pool.reallocate(p, 500));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(std::string(p, 10), "0123456789");
  EXPECT_EQ(pool.stats().in_use, 500u);
  EXPECT_EQ(Pool::block_size(p), 500u);
  EXPECT_EQ(pool.reallocate(p, 2000), nullptr);  // over budget: the old block stays valid
  EXPECT_EQ(std::string(p, 10), "0123456789");
  p = static_cast<char*>(pool.reallocate(p, 20));
  EXPECT_EQ(pool.stats().in_use, 20u);
  pool.deallocate(p);
  EXPECT_EQ(pool.stats().in_use, 0u);
}

TEST(PoolTest, AllocatorAdapterAccountsContainerMemory) {
  Pool pool("stl", 0);
  {
    std::vector<int, PoolAllocator<int>> v{PoolAllocator<int>(pool)};
    for (int i = 0; i < 1000; ++i) v.push_back(i);
    EXPECT_GE(pool.stats().in_use, 1000 * sizeof(int));
    EXPECT_EQ(v[999], 999);
  }
  EXPECT_EQ(pool.stats().in_use, 0u);
}

TEST(PoolTest, AllocatorAdapterThrowsOnlyWhenTheBudgetRefuses) {
  Pool pool("stl", 64);
  std::vector<char, PoolAllocator<char>> v{PoolAllocator<char>(pool)};
  EXPECT_THROW(v.reserve(1000), std::bad_alloc);
}

struct Counted {
  explicit Counted(int* live) : live_(live) { ++*live_; }
  virtual ~Counted() { --*live_; }
  int* live_;
  char payload[40] = {};
};
struct Derived : Counted {
  using Counted::Counted;
  std::string name = "derived";
};

TEST(PoolTest, MakeInPoolConstructsDestroysAndFrees) {
  Pool pool("obj", 0);
  int live = 0;
  {
    PoolPtr<Counted> p = make_in_pool<Derived>(pool, &live);
    ASSERT_TRUE(p);
    EXPECT_EQ(live, 1);
    EXPECT_GT(pool.stats().in_use, 0u);
  }
  EXPECT_EQ(live, 0);
  EXPECT_EQ(pool.stats().in_use, 0u);
}

TEST(PoolTest, MakeInPoolReturnsEmptyWhenRefused) {
  Pool pool("tiny", 8);
  int live = 0;
  PoolPtr<Counted> p = make_in_pool<Counted>(pool, &live);
  EXPECT_FALSE(p);
  EXPECT_EQ(live, 0);
}

TEST(PoolTest, SharedPoolIsConsistentUnderConcurrentUse) {
  Pool pool("shm-test", 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool] {
      for (int i = 0; i < 10000; ++i) pool.deallocate(pool.allocate(64 + i % 7));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(pool.stats().in_use, 0u);
  EXPECT_EQ(pool.stats().allocations, 40000u);
}

TEST(ByteBufferTest, GrowsConsumesAndGivesMemoryBack) {
  Pool pool("buf", 0);
  ByteBuffer buf(pool);
  EXPECT_EQ(pool.stats().in_use, 0u);
  ASSERT_TRUE(buf.append("hello "));
  ASSERT_TRUE(buf.append(std::string(2000, 'x')));
  EXPECT_EQ(buf.size(), 2006u);
  buf.consume(6);
  EXPECT_EQ(buf.view(), std::string(2000, 'x'));
  EXPECT_GT(pool.stats().in_use, 0u);
  buf.release();
  EXPECT_EQ(pool.stats().in_use, 0u);
  EXPECT_TRUE(buf.empty());
}

TEST(ByteBufferTest, AppendFailsCleanlyWhenThePoolRefuses) {
  Pool pool("buf", 1024);
  ByteBuffer buf(pool);
  EXPECT_TRUE(buf.append("abc"));
  EXPECT_FALSE(buf.append(std::string(4096, 'y')));
  EXPECT_EQ(buf.view(), "abc");
}

}  // namespace
}  // namespace core
