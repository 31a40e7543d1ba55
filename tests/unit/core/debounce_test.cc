// Debounce: a burst of events makes one action, due after a quiet period, or after the
// maximum delay when the events do not stop.
#include "core/debounce.h"

#include <gtest/gtest.h>

namespace core {
namespace {

using std::chrono::milliseconds;
using Clock = Debounce::Clock;

TEST(DebounceTest, SeveralEventsCloseTogetherMakeOneAction) {
  Debounce d(milliseconds(500));
  Clock::time_point t{};
  EXPECT_FALSE(d.wait(t));        // nothing pending: wait forever
  d.event(t);                     // the certificate
  d.event(t + milliseconds(20));  // the key
  d.event(t + milliseconds(40));  // the chain
  EXPECT_EQ(*d.wait(t + milliseconds(40)), milliseconds(500));
  EXPECT_FALSE(d.take_due(t + milliseconds(539)));
  EXPECT_TRUE(d.take_due(t + milliseconds(540)));
  EXPECT_FALSE(d.take_due(t + milliseconds(2000)));  // once per burst
  EXPECT_FALSE(d.pending());
}

TEST(DebounceTest, AnEventAfterTheActionStartsANewBurst) {
  Debounce d(milliseconds(100));
  Clock::time_point t{};
  d.event(t);
  EXPECT_TRUE(d.take_due(t + milliseconds(100)));
  d.event(t + milliseconds(150));
  EXPECT_FALSE(d.take_due(t + milliseconds(200)));
  EXPECT_TRUE(d.take_due(t + milliseconds(250)));
}

TEST(DebounceTest, EventsThatNeverStopStillGetTheActionByTheMaximumDelay) {
  Debounce d(milliseconds(500), milliseconds(3000));
  Clock::time_point t{};
  bool done = false;
  for (int i = 0; i <= 100 && !done; ++i) {
    Clock::time_point now = t + milliseconds(100 * i);  // one event every 100 ms
    d.event(now);
    done = d.take_due(now);
    if (done) {
      EXPECT_EQ(now, t + milliseconds(3000));
    }
  }
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace core
