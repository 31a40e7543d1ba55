// Per-thread shards (core/base/thread_shard.h): threads that own a shard count with plain
// stores, so what must hold is that no two live threads ever own the same shard, that a shard
// comes back when its thread ends, and that counts stay exact with more threads than shards.
#include "core/base/thread_shard.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "core/base/library_memory.h"

namespace core {
namespace {

struct Seen {
  size_t shard;
  bool owned;
};

Seen this_thread() {
  const size_t s = thread_shard();
  return {s, detail::thread_shard_owned};
}

TEST(ThreadShardTest, LiveThreadsNeverOwnTheSameShardAndTheRestShareShardZero) {
  constexpr int kThreads = static_cast<int>(kThreadShards) + 4;
  std::vector<Seen> seen(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> arrived{0};
  std::atomic<bool> go{false};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      seen[t] = this_thread();
      arrived.fetch_add(1);
      while (!go.load()) std::this_thread::yield();  // all alive at once
    });
  }
  while (arrived.load() < kThreads) std::this_thread::yield();
  go = true;
  for (auto& th : threads) th.join();
  std::set<size_t> owned;
  int shared = 0;
  for (const Seen& s : seen) {
    if (s.owned) {
      EXPECT_NE(s.shard, kSharedShard);
      EXPECT_TRUE(owned.insert(s.shard).second) << "shard " << s.shard << " owned twice";
    } else {
      EXPECT_EQ(s.shard, kSharedShard);
      ++shared;
    }
  }
  // This thread (the test's) may own one shard too; the others went to shard 0.
  EXPECT_GE(shared, 4);
}

TEST(ThreadShardTest, AnEndedThreadsShardIsOwnedAgainByTheNext) {
  // More threads one after another than there are shards: each finds one to own.
  for (size_t i = 0; i < 2 * kThreadShards; ++i) {
    Seen s{};
    std::thread([&] { s = this_thread(); }).join();
    EXPECT_TRUE(s.owned) << "thread " << i << " found no shard to own";
  }
}

TEST(ThreadShardTest, CountsStayExactWithMoreThreadsThanShards) {
  LibraryCounters counters;
  constexpr int kThreads = static_cast<int>(kThreadShards) + 8;
  constexpr int kSteps = 200000;
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      (void)thread_shard();
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();  // the threads overlap
      for (int i = 0; i < kSteps; ++i) {
        counters.allocated(64);
        if (i % 2 == 0) counters.freed(64);
      }
    });
  }
  for (auto& th : threads) th.join();
  const LibraryMemoryStats s = counters.read();
  EXPECT_EQ(s.allocations, uint64_t{kThreads} * kSteps);
  EXPECT_EQ(s.in_use, uint64_t{kThreads} * (kSteps / 2) * 64);
}

}  // namespace
}  // namespace core
