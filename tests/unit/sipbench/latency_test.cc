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

}  // namespace
}  // namespace sipbench
