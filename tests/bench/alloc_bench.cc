// The pools' cost (core/base/pool.h) against glibc's malloc and against the allocator beneath
// them alone (core/base/block_allocator.h: mimalloc): allocations per CPU-second with a steady
// churn (each thread keeps 1024 live blocks and replaces the oldest at each step), one and two
// threads, for fixed sizes and an OpenSSL-like mix; then blocks allocated on one thread and
// freed on another (OpenSSL objects built at reload and freed by the workers), in batches. Figures,
// not assertions: README `## Performance` keeps a run's.
#include <time.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/base/block_allocator.h"
#include "core/base/library_memory.h"
#include "core/base/pool.h"

namespace {

using core::BlockAllocator;
using core::Pool;
using core::PoolSharing;

constexpr size_t kLive = 1024;
constexpr size_t kSteps = 2'000'000;  // per thread

// What a bench thread allocates from: each a type, so that the calls inline as in real use.
// This thread's CPU time: the rates are per CPU-second, so that a machine busy with other work
// slows the run down without changing the figures much.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Glibc {
  void* allocate(size_t n) const { return std::malloc(n); }
  void release(void* p) const { std::free(p); }
};

struct Blocks {
  const BlockAllocator& b = BlockAllocator::instance();
  void* allocate(size_t n) const { return b.allocate(n); }
  void release(void* p) const { b.free(p); }
};

struct PoolSource {
  Pool* pool;
  void* allocate(size_t n) const { return pool->allocate(n); }
  void release(void* p) const { pool->deallocate(p); }
};

// OpenSSL's and libevent's hooks (core/base/library_memory.h): shm plus the library's counters.
struct CountedSource {
  Pool* pool;
  core::LibraryCounters* counters;
  void* allocate(size_t n) const { return core::counted_allocate(*pool, *counters, n); }
  void release(void* p) const { core::counted_free(*pool, *counters, p); }
};

// OpenSSL's allocations in a handshake are mostly small (BIGNUM limbs, ASN.1 items, stack and
// hash nodes) with a few large ones (record buffers, certificate copies).
size_t mixed_size(uint64_t i) {
  static constexpr size_t kSizes[16] = {16,  24,  32,  48,  64,   64,   96,   128,
                                        128, 256, 384, 512, 1024, 2048, 4096, 16384};
  return kSizes[(i * 2654435761u >> 7) % 16];
}

// Allocations per second of one thread churning kLive blocks of `size` (0: the mix).
template <typename Source>
double churn(const Source& src, size_t size) {
  std::vector<void*> live(kLive, nullptr);
  const double t0 = thread_cpu_seconds();
  for (uint64_t i = 0; i < kSteps; ++i) {
    void*& slot = live[i % kLive];
    src.release(slot);
    slot = src.allocate(size != 0 ? size : mixed_size(i));
    if (slot != nullptr) *static_cast<volatile char*>(slot) = 1;  // touched: not elided
  }
  const double s = thread_cpu_seconds() - t0;
  for (void* p : live) src.release(p);
  return kSteps / s;
}

// Allocations per CPU-second of `threads` threads churning at once, each on its own source,
// added up (two threads that did not slow each other down show twice one thread's figure).
template <typename SourceOf>
double churn_threads(int threads, const SourceOf& source_of, size_t size) {
  std::vector<std::thread> ts;
  std::vector<double> rates(threads);
  std::vector<decltype(source_of(0))> sources;
  for (int t = 0; t < threads; ++t) sources.push_back(source_of(t));
  for (int t = 0; t < threads; ++t) ts.emplace_back([&, t] { rates[t] = churn(sources[t], size); });
  double total = 0;
  for (int t = 0; t < threads; ++t) {
    ts[t].join();
    total += rates[t];
  }
  return total;
}

// One thread allocates, another frees: batches of kLive blocks handed over under a mutex (one
// lock per batch), at most four batches in flight.
template <typename Source>
double cross_thread(const Source& src, size_t size) {
  constexpr uint64_t kBatches = kSteps / kLive;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<void*>> handed;
  bool done = false;
  double consumer_cpu = 0;
  const double t0 = thread_cpu_seconds();
  std::thread consumer([&] {
    const double c0 = thread_cpu_seconds();
    for (;;) {
      std::vector<void*> batch;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !handed.empty() || done; });
        if (handed.empty()) break;
        batch = std::move(handed.front());
        handed.pop_front();
      }
      cv.notify_all();
      for (void* p : batch) src.release(p);
    }
    consumer_cpu = thread_cpu_seconds() - c0;
  });
  for (uint64_t b = 0; b < kBatches; ++b) {
    std::vector<void*> batch(kLive);
    for (size_t i = 0; i < kLive; ++i) {
      batch[i] = src.allocate(size != 0 ? size : mixed_size(b * kLive + i));
      if (batch[i] != nullptr) *static_cast<volatile char*>(batch[i]) = 1;
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return handed.size() < 4; });
    handed.push_back(std::move(batch));
    cv.notify_all();
  }
  {
    std::lock_guard lock(mu);
    done = true;
  }
  cv.notify_all();
  const double producer_cpu = thread_cpu_seconds() - t0;
  consumer.join();
  // Each block costs CPU on both threads: allocations per CPU-second of the two together.
  return kBatches * kLive / (producer_cpu + consumer_cpu);
}

void print_row(const char* what, int threads, const double (&rates)[5]) {
  std::printf("  %-22s %7d %11.1f %11.1f %11.1f %11.1f %11.1f\n", what, threads, rates[0] / 1e6,
              rates[1] / 1e6, rates[2] / 1e6, rates[3] / 1e6, rates[4] / 1e6);
}

}  // namespace

int main() {
  std::printf(
      "alloc_bench: millions of allocations (each with its free) per CPU-second of the threads "
      "(%zu live blocks per thread, %zu steps per thread)\n",
      kLive, kSteps);
  std::printf("  allocator beneath the pools: %s\n", BlockAllocator::instance().name());
  std::printf("  %-22s %7s %11s %11s %11s %11s %11s\n", "size", "threads", "glibc", "allocator",
              "pool pkg", "pool shm", "lib hook");
  struct Case {
    const char* name;
    size_t size;
  };
  const Case cases[] = {{"64 B", 64}, {"1 kB", 1024}, {"16 kB", 16384}, {"OpenSSL-like mix", 0}};
  Pool shm("shm", size_t{256} << 20, PoolSharing::kShared);
  core::LibraryCounters counters;
  for (const Case& c : cases) {
    for (int threads : {1, 2}) {
      std::vector<std::unique_ptr<Pool>> pkg;
      for (int t = 0; t < threads; ++t)
        pkg.push_back(std::make_unique<Pool>("pkg", size_t{64} << 20, PoolSharing::kOwnerThread));
      const auto on_pkg = [&pkg](int t) { return PoolSource{pkg[t].get()}; };
      const auto on_shm = [&shm](int) { return PoolSource{&shm}; };
      const auto on_hook = [&](int) { return CountedSource{&shm, &counters}; };
      const double rates[5] = {churn_threads(
                                   threads, [](int) { return Glibc{}; }, c.size),
                               churn_threads(
                                   threads, [](int) { return Blocks{}; }, c.size),
                               churn_threads(threads, on_pkg, c.size),
                               churn_threads(threads, on_shm, c.size),
                               churn_threads(threads, on_hook, c.size)};
      print_row(c.name, threads, rates);
    }
  }
  std::printf("  allocated on one thread, freed on another (2 threads):\n");
  for (const Case& c : cases) {
    const double rates[5] = {cross_thread(Glibc{}, c.size), cross_thread(Blocks{}, c.size), 0,
                             cross_thread(PoolSource{&shm}, c.size),
                             cross_thread(CountedSource{&shm, &counters}, c.size)};
    std::printf("  %-22s %7d %11.1f %11.1f %11s %11.1f %11.1f\n", c.name, 2, rates[0] / 1e6,
                rates[1] / 1e6, "-", rates[3] / 1e6, rates[4] / 1e6);
  }
  const core::PoolStats s = shm.stats();
  std::printf("  shm after the runs: %zu bytes in use, %llu allocations, %llu refused\n", s.in_use,
              static_cast<unsigned long long>(s.allocations),
              static_cast<unsigned long long>(s.failures));
  return 0;
}
