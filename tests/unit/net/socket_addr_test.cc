#include "core/net/socket_addr.h"

#include <gtest/gtest.h>

namespace core::net {
namespace {

TEST(SocketAddrTest, ParsesAndFormatsIpv4WithPort) {
  auto a = SocketAddr::parse("10.0.0.1:5060");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->af(), AF_INET);
  EXPECT_EQ(a->port(), 5060);
  EXPECT_EQ(a->to_string(), "10.0.0.1:5060");
  EXPECT_EQ(a->ip_string(), "10.0.0.1");
}

TEST(SocketAddrTest, ParsesAndFormatsIpv6InBrackets) {
  auto a = SocketAddr::parse("[::1]:5061");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->af(), AF_INET6);
  EXPECT_EQ(a->port(), 5061);
  EXPECT_EQ(a->to_string(), "[::1]:5061");
  EXPECT_EQ(SocketAddr::parse("2001:db8::5", 7)->to_string(), "[2001:db8::5]:7");
  EXPECT_EQ(SocketAddr::parse("2001:db8::5")->port(), 0);
}

TEST(SocketAddrTest, RejectsNonNumericAndBadPorts) {
  EXPECT_FALSE(SocketAddr::parse("example.com:5060"));
  EXPECT_FALSE(SocketAddr::parse("1.2.3.4:99999"));
  EXPECT_FALSE(SocketAddr::parse("1.2.3.4:"));
  EXPECT_FALSE(SocketAddr::parse("[::1"));
  EXPECT_FALSE(SocketAddr::parse("[::1]5060"));
  EXPECT_FALSE(SocketAddr::parse("1.2.3.4:50x"));
  EXPECT_FALSE(SocketAddr::parse(""));
}

TEST(SocketAddrTest, EqualityAndHashCoverAddressAndPort) {
  auto a = *SocketAddr::parse("127.0.0.1:5060");
  auto b = *SocketAddr::parse("127.0.0.1", 5060);
  auto c = *SocketAddr::parse("127.0.0.1:5061");
  auto d = *SocketAddr::parse("[::1]:5060");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  c.set_port(5060);
  EXPECT_EQ(a, c);
}

TEST(SocketAddrTest, AnyAddressesAreRecognised) {
  EXPECT_TRUE(SocketAddr::any(AF_INET, 0).is_any());
  EXPECT_TRUE(SocketAddr::any(AF_INET6, 5060).is_any());
  EXPECT_FALSE(SocketAddr::parse("127.0.0.1:1")->is_any());
  EXPECT_FALSE(SocketAddr().valid());
}

// IPv4 is written without inet_ntop (per-message paths); the text and its limits are the same.
TEST(SocketAddrTest, FormatsEveryIpv4ByteWidthAndRefusesATooSmallBuffer) {
  for (const char* ip :
       {"0.0.0.0", "255.255.255.255", "10.0.100.9", "192.168.1.10", "1.22.133.4"}) {
    auto a = SocketAddr::parse(ip, 5060);
    ASSERT_TRUE(a) << ip;
    char buf[INET6_ADDRSTRLEN];
    EXPECT_EQ(std::string_view(buf, a->format_ip(buf, sizeof(buf))), ip);
    EXPECT_EQ(a->ip_string(), ip);
  }
  auto a = SocketAddr::parse("255.255.255.255", 1);
  char small[15];  // 15 characters need 16 bytes with the NUL
  EXPECT_EQ(a->format_ip(small, sizeof(small)), 0u);
  char exact[16];
  EXPECT_EQ(a->format_ip(exact, sizeof(exact)), 15u);
  EXPECT_STREQ(exact, "255.255.255.255");
}

}  // namespace
}  // namespace core::net
