#include "tools/sipbench/session_pool.h"

#include <gtest/gtest.h>

namespace sipbench {
namespace {

SSL_SESSION* session(int version) {
  SSL_SESSION* s = SSL_SESSION_new();
  SSL_SESSION_set_protocol_version(s, version);
  return s;
}

TEST(SessionPool, ATls13TicketIsOfferedOnceNewestFirst) {
  SessionPool pool;
  SSL_SESSION* older = session(TLS1_3_VERSION);
  SSL_SESSION* newer = session(TLS1_3_VERSION);
  pool.add(older);
  pool.add(newer);
  SSL_SESSION* first = pool.take();
  SSL_SESSION* second = pool.take();
  EXPECT_EQ(first, newer);
  EXPECT_EQ(second, older);
  EXPECT_EQ(pool.take(), nullptr);
  SSL_SESSION_free(first);
  SSL_SESSION_free(second);
}

TEST(SessionPool, ATls12SessionIsOfferedAgainAndAgain) {
  SessionPool pool;
  SSL_SESSION* s = session(TLS1_2_VERSION);
  pool.add(s);
  for (int i = 0; i < 3; ++i) {
    SSL_SESSION* taken = pool.take();
    EXPECT_EQ(taken, s);
    SSL_SESSION_free(taken);  // the caller's reference; the pool keeps its own
  }
  EXPECT_EQ(pool.size(), 1u);
}

TEST(SessionPool, PastItsBoundTheOldestGo) {
  SessionPool pool(2);
  SSL_SESSION* a = session(TLS1_3_VERSION);
  SSL_SESSION* b = session(TLS1_3_VERSION);
  SSL_SESSION* c = session(TLS1_3_VERSION);
  pool.add(a);
  pool.add(b);
  pool.add(c);
  EXPECT_EQ(pool.size(), 2u);
  SSL_SESSION* x = pool.take();
  SSL_SESSION* y = pool.take();
  EXPECT_EQ(x, c);
  EXPECT_EQ(y, b);
  EXPECT_EQ(pool.take(), nullptr);
  SSL_SESSION_free(x);
  SSL_SESSION_free(y);
}

}  // namespace
}  // namespace sipbench
