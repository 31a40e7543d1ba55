#include "tls/handshake_limiter.h"

#include <gtest/gtest.h>

namespace tls {
namespace {

using core::net::SocketAddr;

struct TestWaiter : HandshakeLimiter::Waiter {
  void slot_granted() override { ++granted; }
  int granted = 0;
};

SocketAddr addr(const char* ip, uint16_t port) {
  return *SocketAddr::parse(ip, port);
}

TEST(HandshakeLimiterTest, OverTheLimitAConnectionWaitsAndGetsTheNextFreedSlotInOrder) {
  HandshakeLimiter lim(2);
  TestWaiter a, b, c, d;
  EXPECT_TRUE(lim.acquire_or_wait(addr("192.0.2.1", 1), a));
  EXPECT_TRUE(lim.acquire_or_wait(addr("192.0.2.1", 2), b));
  EXPECT_FALSE(lim.acquire_or_wait(addr("192.0.2.1", 3), c));
  EXPECT_FALSE(lim.acquire_or_wait(addr("192.0.2.1", 4), d));
  EXPECT_EQ(lim.waiting(addr("192.0.2.1", 0)), 2u);
  // Another address is not held up.
  TestWaiter other;
  EXPECT_TRUE(lim.acquire_or_wait(addr("192.0.2.2", 1), other));
  EXPECT_FALSE(lim.take_granted(c));
  lim.release(addr("192.0.2.1", 1));
  EXPECT_EQ(c.granted, 1);
  EXPECT_EQ(d.granted, 0);
  EXPECT_EQ(lim.in_progress(addr("192.0.2.1", 0)), 2u);  // handed over, not given back
  EXPECT_TRUE(lim.take_granted(c));
  EXPECT_FALSE(lim.take_granted(c));
  lim.release(addr("192.0.2.1", 2));
  EXPECT_EQ(d.granted, 1);
  EXPECT_TRUE(lim.take_granted(d));
  lim.release(addr("192.0.2.1", 3));
  lim.release(addr("192.0.2.1", 4));
  EXPECT_EQ(lim.in_progress(addr("192.0.2.1", 0)), 0u);
  lim.release(addr("192.0.2.2", 1));
}

TEST(HandshakeLimiterTest, AWaiterThatGivesUpLeavesTheQueueOrPassesItsSlotOn) {
  HandshakeLimiter lim(1);
  TestWaiter a, b, c;
  EXPECT_TRUE(lim.acquire_or_wait(addr("192.0.2.1", 1), a));
  EXPECT_FALSE(lim.acquire_or_wait(addr("192.0.2.1", 2), b));
  EXPECT_FALSE(lim.acquire_or_wait(addr("192.0.2.1", 3), c));
  lim.cancel(addr("192.0.2.1", 2), b);  // closed while queued
  EXPECT_EQ(lim.waiting(addr("192.0.2.1", 0)), 1u);
  lim.release(addr("192.0.2.1", 1));
  EXPECT_EQ(b.granted, 0);
  EXPECT_EQ(c.granted, 1);
  lim.cancel(addr("192.0.2.1", 3), c);  // closed before it took the slot handed to it
  EXPECT_EQ(lim.in_progress(addr("192.0.2.1", 0)), 0u);
  TestWaiter e;
  EXPECT_TRUE(lim.acquire_or_wait(addr("192.0.2.1", 5), e));
  lim.release(addr("192.0.2.1", 5));
}

TEST(HandshakeLimiterTest, IPv6AddressesCountPerSlash64) {
  HandshakeLimiter lim(1);
  TestWaiter a, b, c;
  EXPECT_TRUE(lim.acquire_or_wait(addr("2001:db8:1:2::1", 1), a));
  EXPECT_FALSE(lim.acquire_or_wait(addr("2001:db8:1:2::99", 1), b));
  EXPECT_TRUE(lim.acquire_or_wait(addr("2001:db8:1:3::1", 1), c));
  lim.cancel(addr("2001:db8:1:2::99", 1), b);
  lim.release(addr("2001:db8:1:2::1", 1));
  lim.release(addr("2001:db8:1:3::1", 1));
}

}  // namespace
}  // namespace tls
