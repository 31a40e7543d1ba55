#include "core/base/pool.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/base/block_allocator.h"
#include "core/base/byte_buffer.h"

namespace core {
namespace {

TEST(PoolTest, CountsBytesInUsePeakAndAllocations) {
  Pool pool("test", 0, PoolSharing::kOwnerThread);
  void* a = pool.allocate(100);
  void* b = pool.allocate(50);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  // A block is charged what it really holds (its size class), at least what was asked.
  const size_t sa = Pool::block_size(a), sb = Pool::block_size(b);
  EXPECT_GE(sa, 100u);
  EXPECT_GE(sb, 50u);
  EXPECT_EQ(pool.stats().in_use, sa + sb);
  EXPECT_EQ(pool.in_use(), sa + sb);
  pool.deallocate(a);
  EXPECT_EQ(pool.stats().in_use, sb);
  EXPECT_EQ(pool.stats().peak, sa + sb);
  EXPECT_EQ(pool.stats().allocations, 2u);
  pool.deallocate(b);
  EXPECT_EQ(pool.stats().in_use, 0u);
  EXPECT_EQ(pool.name(), "test");
}

TEST(PoolTest, SharedPoolPeakIsAtLeastTheTruePeakAndWithinTheCreditSlack) {
  Pool pool("shared", 0);
  void* a = pool.allocate(1000);
  void* b = pool.allocate(3000);
  const size_t both = Pool::block_size(a) + Pool::block_size(b);
  EXPECT_EQ(pool.in_use(), both);
  pool.deallocate(a);
  pool.deallocate(b);
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_GE(pool.stats().peak, both);
  // One thread's credit: at most two 32 KiB chunks beyond what it used.
  EXPECT_LE(pool.stats().peak, both + (size_t{64} << 10));
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
  EXPECT_GE(Pool::block_size(p), 500u);
  EXPECT_EQ(pool.stats().in_use, Pool::block_size(p));
  EXPECT_EQ(pool.reallocate(p, 2000), nullptr);  // over budget: the old block stays valid
  EXPECT_EQ(std::string(p, 10), "0123456789");
  EXPECT_EQ(pool.stats().in_use, Pool::block_size(p));
  p = static_cast<char*>(pool.reallocate(p, 20));  // a shrink gives the bytes back
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(std::string(p, 10), "0123456789");
  EXPECT_LT(Pool::block_size(p), 500u);
  EXPECT_EQ(pool.stats().in_use, Pool::block_size(p));
  pool.deallocate(p);
  EXPECT_EQ(pool.stats().in_use, 0u);
}

// realloc(3)'s corner cases, as OpenSSL's and libevent's hooks pass them through.
TEST(PoolTest, ReallocateOfNullAllocatesAndToSizeZeroFrees) {
  Pool pool("re0", 0);
  void* p = pool.reallocate(nullptr, 64);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(pool.in_use(), Pool::block_size(p));
  EXPECT_EQ(pool.reallocate(p, 0), nullptr);  // freed, as glibc's realloc(p, 0) and OpenSSL's
  EXPECT_EQ(pool.in_use(), 0u);
  pool.deallocate(nullptr);  // free(NULL) does nothing
  EXPECT_EQ(pool.stats().allocations, 1u);
  EXPECT_EQ(pool.stats().failures, 0u);
}

TEST(PoolTest, AllocateZeroGivesDistinctPointersThatAreFreedLikeOthers) {
  Pool pool("zero", 0);
  void* a = pool.allocate(0);
  void* b = pool.allocate(0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  pool.deallocate(a);
  pool.deallocate(b);
  EXPECT_EQ(pool.in_use(), 0u);
}

TEST(PoolTest, AShrinkingReallocateNeverFailsEvenWhenTheBudgetIsFull) {
  Pool pool("full", 8192);
  void* p = pool.allocate(4000);
  ASSERT_NE(p, nullptr);
  std::vector<void*> fill;
  while (void* q = pool.allocate(64)) fill.push_back(q);
  // No room for a smaller copy: the old block is kept, still holding the bytes.
  EXPECT_EQ(pool.reallocate(p, 100), p);
  for (void* q : fill) pool.deallocate(q);
  pool.deallocate(pool.reallocate(p, 100));
  EXPECT_EQ(pool.in_use(), 0u);
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

// Two threads each allocate blocks the other frees (OpenSSL objects made on the control thread
// and freed by a worker, and the reverse): the totals are exact at every quiet point.
TEST(PoolTest, BlocksFreedOnAnotherThreadLeaveExactTotals) {
  Pool pool("cross", 0);
  constexpr int kBlocks = 5000;
  std::vector<void*> made[2];
  size_t bytes[2] = {0, 0};
  auto make = [&](int side) {
    for (int i = 0; i < kBlocks; ++i) {
      void* p = pool.allocate(32 + (i * 37) % 4000);
      ASSERT_NE(p, nullptr);
      bytes[side] += Pool::block_size(p);
      made[side].push_back(p);
    }
  };
  std::thread a(make, 0), b(make, 1);
  a.join();
  b.join();
  EXPECT_EQ(pool.in_use(), bytes[0] + bytes[1]);
  EXPECT_EQ(pool.stats().allocations, 2u * kBlocks);
  auto drop = [&](int side) {
    for (void* p : made[side]) pool.deallocate(p);
  };
  std::thread c(drop, 1), d(drop, 0);  // each frees what the other made
  c.join();
  d.join();
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_EQ(pool.stats().failures, 0u);
  EXPECT_GE(pool.stats().peak, bytes[0] + bytes[1]);
}

// The budget is handed to threads in credit chunks; a thread that freed much keeps some, yet
// another thread can still use the whole budget.
TEST(PoolTest, CreditHeldByOtherThreadsDoesNotRefuseAnAllocationThatFits) {
  const size_t budget = size_t{1} << 20;
  Pool pool("credit", budget);
  std::thread other([&pool] { pool.deallocate(pool.allocate(16 << 10)); });
  other.join();
  std::vector<void*> blocks;
  size_t used = 0;
  while (void* p = pool.allocate(4096)) {
    used += Pool::block_size(p);
    blocks.push_back(p);
  }
  EXPECT_GT(used, budget - 4096 - 512);
  EXPECT_EQ(pool.in_use(), used);
  EXPECT_EQ(pool.stats().failures, 1u);
  for (void* p : blocks) pool.deallocate(p);
  EXPECT_EQ(pool.in_use(), 0u);
}

// Threads that own their shard move its credit without a locked instruction; taking credit
// back from them (a budget change, an allocation near the budget) while they allocate and free
// must not lose or invent a byte: once all is freed, nothing is in use, and after the last
// take-back no credit is held either.
TEST(PoolTest, CreditTakenBackWhileItsOwnersAllocateLeavesExactTotals) {
  Pool pool("reclaim", 0);
  std::atomic<bool> stop{false};
  std::vector<std::thread> owners;
  for (int t = 0; t < 2; ++t) {
    owners.emplace_back([&pool, &stop] {
      std::vector<void*> held;
      for (int i = 0; !stop.load(std::memory_order_relaxed) || i < 20000; ++i) {
        held.push_back(pool.allocate(16 + (i * 53) % 3000));
        if (held.size() > 64) {
          for (void* p : held) pool.deallocate(p);
          held.clear();
        }
      }
      for (void* p : held) pool.deallocate(p);
    });
  }
  for (int i = 0; i < 2000; ++i) pool.set_budget(i % 2 == 0 ? size_t{1} << 30 : 0);
  stop = true;
  for (auto& t : owners) t.join();
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_EQ(pool.stats().failures, 0u);
  pool.set_budget(0);  // takes every shard's credit back: what is reserved is what is in use
  void* p = pool.allocate(100);
  EXPECT_EQ(pool.in_use(), Pool::block_size(p));
  pool.deallocate(p);
  EXPECT_EQ(pool.in_use(), 0u);
}

TEST(PoolTest, ABudgetLoweredBelowWhatIsHeldRefusesAtOnceAndRecoversWhenFreed) {
  Pool pool("lowered", 0);
  void* p = pool.allocate(10000);
  ASSERT_NE(p, nullptr);
  pool.set_budget(pool.in_use() + 100);
  EXPECT_EQ(pool.allocate(1000), nullptr);  // no credit left over from the unlimited budget
  EXPECT_FALSE(pool.has_room(1000));
  pool.deallocate(p);
  EXPECT_TRUE(pool.has_room(1000));
  void* q = pool.allocate(1000);
  EXPECT_NE(q, nullptr);
  pool.deallocate(q);
}

// A worker's pkg pool: one thread allocates, another reads the stats meanwhile (the control
// plane's `serctl mem`); the reader sees consistent, final figures once the owner is done.
TEST(PoolTest, OwnerThreadPoolStatsAreReadableFromAnotherThread) {
  Pool pool("pkg0", 0, PoolSharing::kOwnerThread);
  EXPECT_EQ(pool.sharing(), PoolSharing::kOwnerThread);
  std::atomic<bool> done{false};
  std::vector<void*> blocks;
  std::thread owner([&] {
    for (int i = 0; i < 20000; ++i) {
      blocks.push_back(pool.allocate(128));
      if (blocks.size() > 100) {
        pool.deallocate(blocks.front());
        blocks.erase(blocks.begin());
      }
    }
    done = true;
  });
  uint64_t last = 0;
  while (!done.load()) {
    PoolStats s = pool.stats();
    EXPECT_GE(s.allocations, last);  // a single writer: counts never go back
    EXPECT_LE(s.in_use, s.peak);
    last = s.allocations;
  }
  owner.join();
  size_t held = 0;
  for (void* p : blocks) held += Pool::block_size(p);
  EXPECT_EQ(pool.stats().allocations, 20000u);
  EXPECT_EQ(pool.in_use(), held);
  // The owner has ended (join): this thread may take the pool over.
  for (void* p : blocks) pool.deallocate(p);
  EXPECT_EQ(pool.in_use(), 0u);
}

// The blocks come from mimalloc, opened so that the process's own malloc stays glibc's:
// OpenSSL's, libstdc++'s and everyone else's allocations are not silently moved.
TEST(BlockAllocatorTest, PoolsUseMimallocWithoutReplacingTheProcessMalloc) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizer builds keep glibc's malloc so the sanitizer sees every block";
#endif
  const BlockAllocator& blocks = BlockAllocator::instance();
  ASSERT_TRUE(blocks.is_mimalloc()) << blocks.name();
  EXPECT_EQ(std::string(blocks.name()).rfind("mimalloc ", 0), 0u);
  void* lib = dlopen("libmimalloc.so.2", RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(lib, nullptr);
  auto owns = reinterpret_cast<bool (*)(const void*)>(dlsym(lib, "mi_is_in_heap_region"));
  ASSERT_NE(owns, nullptr);
  Pool pool("blocks", 0);
  void* ours = pool.allocate(256);
  void* theirs = std::malloc(256);
  EXPECT_TRUE(owns(ours));
  EXPECT_FALSE(owns(theirs));
  std::free(theirs);
  pool.deallocate(ours);
  dlclose(lib);
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
