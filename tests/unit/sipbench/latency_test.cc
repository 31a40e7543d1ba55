#include "tools/sipbench/latency.h"

#include <gtest/gtest.h>

namespace sipbench {
namespace {

Latency one_to(uint64_t n) {
  Latency l;
  for (uint64_t v = n; v >= 1; --v) l.add(v);  // in reverse: percentile() must sort
  return l;
}

TEST(Latency, PercentilesOfOneToAHundredAreTheirRanks) {
  auto l = one_to(100);
  EXPECT_EQ(l.percentile(0.5), 50u);
  EXPECT_EQ(l.percentile(0.99), 99u);  // not 100: 0.99 * 100 is 99.000...01 in binary
  EXPECT_EQ(l.percentile(0.999), 100u);
  EXPECT_EQ(l.max(), 100u);
  EXPECT_EQ(l.percentile(0.0), 1u);
}

TEST(Latency, P999OfAThousandIsTheNineHundredNinetyNinth) {
  auto l = one_to(1000);
  EXPECT_EQ(l.percentile(0.999), 999u);
  EXPECT_EQ(l.percentile(0.5), 500u);
}

TEST(Latency, NoSampleGivesZeroAndOneSampleIsEveryPercentile) {
  Latency l;
  EXPECT_EQ(l.percentile(0.5), 0u);
  EXPECT_EQ(l.max(), 0u);
  l.add(42);
  EXPECT_EQ(l.percentile(0.0), 42u);
  EXPECT_EQ(l.percentile(0.99), 42u);
}

TEST(Latency, SamplesAddedAfterAPercentileAreCounted) {
  Latency l;
  l.add(10);
  EXPECT_EQ(l.max(), 10u);
  l.add(5);
  l.add(20);
  EXPECT_EQ(l.max(), 20u);
  EXPECT_EQ(l.percentile(0.5), 10u);
  EXPECT_EQ(l.count(), 3u);
}

TEST(Latency, LargeValuesLandInBucketsAtMostFourPerMilleWide) {
  for (uint64_t v : {512ull, 513ull, 1000ull, 4095ull, 123456ull, 9876543ull, 1ull << 40}) {
    size_t b = Latency::bucket_of(v);
    uint64_t high = Latency::highest_in(b);
    EXPECT_GE(high, v);
    EXPECT_LE(static_cast<double>(high - v), static_cast<double>(v) / 256) << v;
    EXPECT_EQ(Latency::bucket_of(high), b);
    EXPECT_EQ(Latency::bucket_of(high + 1), b + 1);
  }
}

TEST(Latency, PercentilesOfLargeValuesAreWithinTheBucketAndNeverAboveTheMaximum) {
  Latency l;
  for (uint64_t v = 1; v <= 100000; ++v) l.add(v * 10);  // 10 us .. 1 s
  EXPECT_EQ(l.count(), 100000u);
  EXPECT_NEAR(static_cast<double>(l.percentile(0.5)), 500000, 500000 / 256.0);
  EXPECT_NEAR(static_cast<double>(l.percentile(0.99)), 990000, 990000 / 256.0);
  EXPECT_EQ(l.max(), 1000000u);
  EXPECT_EQ(l.percentile(1.0), 1000000u);
  l.clear();
  EXPECT_EQ(l.count(), 0u);
  EXPECT_EQ(l.percentile(0.99), 0u);
}

}  // namespace
}  // namespace sipbench
