// What one idle stream connection's own objects cost (DESIGN.md principle 6): a proxy holding
// 10,000 idle TLS connections holds 10,000 of each, so their sizes are a budget. An address is
// kept several times per connection (its two ends, the TLS state's, the connection table's
// keys), so it must not carry sockaddr_storage's 128 bytes for a 28-byte IPv6 address; the log
// prefix is formatted when a line is written, not kept.
#include <gtest/gtest.h>

#include "core/net/connection.h"
#include "core/net/socket_addr.h"

namespace core::net {
namespace {

TEST(ConnectionFootprint, AnAddressIsNoLargerThanAnIpv6SocketAddress) {
  EXPECT_LE(sizeof(SocketAddr), 32u);
  auto a = SocketAddr::parse("[2001:db8::1234:5678:9abc:def0]:5061");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->len(), sizeof(sockaddr_in6));
  EXPECT_EQ(a->to_string(), "[2001:db8::1234:5678:9abc:def0]:5061");
}

TEST(ConnectionFootprint, AConnectionObjectFitsIn448Bytes) {
  EXPECT_LE(sizeof(Connection), 448u);
}

}  // namespace
}  // namespace core::net
