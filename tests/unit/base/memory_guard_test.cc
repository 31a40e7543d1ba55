#include "core/base/memory_guard.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace core {
namespace {

using Kind = MemoryGuard::Kind;

// A pool of 1000 bytes with `used` of them taken (rounded down to 8: the pool charges a block's
// usable size, and 8 bytes is an exact size class of the allocator); the guard at 90 % / 80 %.
struct Fixture {
  explicit Fixture(size_t used) : pool("shm", 1000), guard(pool) { use(used); }
  ~Fixture() { use(0); }
  void use(size_t used) {
    for (void* b : blocks) pool.deallocate(b);
    blocks.clear();
    for (size_t i = 0; i < used / 8; ++i) blocks.push_back(pool.allocate(8));
  }
  Pool pool;
  MemoryGuard guard;
  std::vector<void*> blocks;
};

TEST(MemoryGuardTest, TheMarksArePercentsOfTheLiveBudget) {
  Pool pool("shm", 0);
  MemoryGuard guard(pool, 90, 80);
  EXPECT_TRUE(guard.admit(1u << 30, 0, Kind::kConnection)) << "no budget: no guard";
  EXPECT_EQ(guard.stats().high_water, 0u);
  pool.set_budget(256u << 20);
  EXPECT_EQ(guard.high_water(), static_cast<size_t>((256ull << 20) * 90 / 100));
  EXPECT_EQ(guard.low_water(), static_cast<size_t>((256ull << 20) * 80 / 100));
  pool.set_budget(1001);
  EXPECT_EQ(guard.high_water(), 900u);  // 1001 * 0.9 = 900.9, rounded down
}

TEST(MemoryGuardTest, ANewcomerThatWouldCrossTheHighMarkIsRefusedAndCounted) {
  Fixture f(800);
  EXPECT_TRUE(f.guard.admit(100, 0, Kind::kConnection)) << "800 + 100 reaches 900, not above";
  EXPECT_FALSE(f.guard.admit(101, 0, Kind::kConnection));
  EXPECT_FALSE(f.guard.admit(101, 0, Kind::kHandshake));
  MemoryGuardStats s = f.guard.stats();
  EXPECT_EQ(s.refused_connections, 1u);
  EXPECT_EQ(s.refused_handshakes, 1u);
  EXPECT_TRUE(s.refusing);
}

TEST(MemoryGuardTest, OnceRefusingItAdmitsOnlyBelowTheLowMark) {
  Fixture f(850);
  EXPECT_FALSE(f.guard.admit(100, 0, Kind::kConnection));
  f.use(700);  // between the marks: 700 + 100 is under high but over low
  EXPECT_FALSE(f.guard.admit(150, 0, Kind::kConnection));
  EXPECT_TRUE(f.guard.refusing()) << "that newcomer would be refused again now";
  EXPECT_TRUE(f.guard.admit(100, 0, Kind::kConnection)) << "700 + 100 reaches 800: low water";
  EXPECT_FALSE(f.guard.refusing());
  EXPECT_TRUE(f.guard.admit(150, 0, Kind::kConnection)) << "admitting again up to high water";
}

TEST(MemoryGuardTest, NothingIsStickyTheLiveFigureDecides) {
  // kamailio#4777: a guard that stays refusing once memory is back. Here the memory going
  // down is enough; no admission, reset or timer is needed in between.
  Fixture f(950);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(f.guard.admit(10, 0, Kind::kConnection));
  EXPECT_TRUE(f.guard.stats().refusing);
  f.use(100);
  EXPECT_FALSE(f.guard.stats().refusing) << "the gauge reads the live figure too";
  EXPECT_TRUE(f.guard.admit(10, 0, Kind::kConnection));
}

TEST(MemoryGuardTest, AHandshakesReservationCountsUntilItIsGivenBack) {
  Fixture f(0);
  // A burst of accepts before any handshake has allocated: each holds its expected peak.
  int admitted = 0;
  for (int i = 0; i < 20; ++i) admitted += f.guard.admit(200, 150, Kind::kConnection) ? 1 : 0;
  EXPECT_EQ(admitted, 5) << "150 * 5 + 200 > 900: the sixth would cross";
  EXPECT_EQ(f.guard.stats().reserved, 750u);
  for (int i = 0; i < 5; ++i) f.guard.release(150);
  EXPECT_EQ(f.guard.stats().reserved, 0u);
  EXPECT_TRUE(f.guard.admit(200, 150, Kind::kConnection));
}

TEST(MemoryGuardTest, ConcurrentAdmissionsNeverReserveBeyondTheMark) {
  Fixture f(0);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        if (f.guard.admit(10, 10, Kind::kConnection)) ++admitted;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 90);
  EXPECT_EQ(f.guard.stats().reserved, 900u);
}

TEST(MemoryGuardTest, AllocationDropsAreCountedProcessWide) {
  uint64_t before = allocation_drops();
  count_allocation_drop();
  count_allocation_drop();
  EXPECT_EQ(allocation_drops(), before + 2);
}

}  // namespace
}  // namespace core
