#include "core/net/deadlines.h"

#include <gtest/gtest.h>

namespace core::net {
namespace {

using namespace std::chrono_literals;
using Clock = Deadlines::Clock;

TEST(DeadlinesTest, NoneSetMeansNoNextAndNothingExpired) {
  Deadlines d;
  EXPECT_EQ(d.next(), Clock::time_point::max());
  EXPECT_FALSE(d.expired(Clock::now() + 1000h));
}

TEST(DeadlinesTest, TheEarliestIsNextAndOnlyPassedOnesExpire) {
  Deadlines d;
  Clock::time_point t0 = Clock::now();
  d.set(DeadlineKind::kIdle, t0 + 120s);
  d.set(DeadlineKind::kSend, t0 + 10s);
  EXPECT_EQ(d.next(), t0 + 10s);
  EXPECT_FALSE(d.expired(t0 + 9s));
  EXPECT_EQ(d.expired(t0 + 10s), DeadlineKind::kSend);
  d.clear(DeadlineKind::kSend);
  EXPECT_FALSE(d.armed(DeadlineKind::kSend));
  EXPECT_EQ(d.next(), t0 + 120s);
  EXPECT_EQ(d.expired(t0 + 121s), DeadlineKind::kIdle);
  d.clear_all();
  EXPECT_FALSE(d.armed(DeadlineKind::kIdle));
}

}  // namespace
}  // namespace core::net
