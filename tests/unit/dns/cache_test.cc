#include "core/dns/cache.h"

#include <gtest/gtest.h>

namespace core::dns {
namespace {

Answer ok(uint32_t ttl) {
  Answer a;
  a.status = Status::kOk;
  a.ttl = ttl;
  a.addresses.push_back(*core::net::SocketAddr::parse("192.0.2.1", 0));
  return a;
}

TEST(DnsCache, KeepsAnAnswerForItsTtlWhateverTheCaseOfTheName) {
  Cache c(10);
  auto now = Cache::Clock::now();
  c.put("Example.COM.", RrType::kA, ok(60), now);
  ASSERT_NE(c.find("example.com", RrType::kA, now + std::chrono::seconds(59)), nullptr);
  EXPECT_EQ(c.find("example.com", RrType::kAaaa, now), nullptr);
  EXPECT_EQ(c.find("example.com", RrType::kA, now + std::chrono::seconds(60)), nullptr);
  EXPECT_EQ(c.size(), 0u);  // the expired entry went
}

TEST(DnsCache, NegativeAnswersAreCappedAndFailuresKeptBriefly) {
  Cache c(10);
  auto now = Cache::Clock::now();
  Answer nx;
  nx.status = Status::kNxDomain;
  nx.ttl = 86400;  // an SOA minimum of a day
  c.put("gone.example.com", RrType::kA, nx, now);
  EXPECT_NE(c.find("gone.example.com", RrType::kA, now + std::chrono::seconds(299)), nullptr);
  EXPECT_EQ(c.find("gone.example.com", RrType::kA, now + std::chrono::seconds(301)), nullptr);
  Answer failed;
  c.put("slow.example.com", RrType::kA, failed, now);
  EXPECT_NE(c.find("slow.example.com", RrType::kA, now + std::chrono::seconds(4)), nullptr);
  EXPECT_EQ(c.find("slow.example.com", RrType::kA, now + std::chrono::seconds(6)), nullptr);
}

TEST(DnsCache, HoldsAtMostItsCapacityDroppingTheLeastRecentlyUsed) {
  Cache c(3);
  auto now = Cache::Clock::now();
  c.put("a", RrType::kA, ok(60), now);
  c.put("b", RrType::kA, ok(60), now);
  c.put("c", RrType::kA, ok(60), now);
  ASSERT_NE(c.find("a", RrType::kA, now), nullptr);  // a is now the most recent
  c.put("d", RrType::kA, ok(60), now);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.evictions(), 1u);
  EXPECT_EQ(c.find("b", RrType::kA, now), nullptr);
  EXPECT_NE(c.find("a", RrType::kA, now), nullptr);
  EXPECT_NE(c.find("d", RrType::kA, now), nullptr);
}

}  // namespace
}  // namespace core::dns
