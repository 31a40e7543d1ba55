#include "core/sip/host_port.h"

#include <gtest/gtest.h>

namespace core::sip {
namespace {

TEST(HostPortTest, AddressForms) {
  EXPECT_TRUE(is_ipv4("192.0.2.1"));
  EXPECT_FALSE(is_ipv4("192.0.2"));
  EXPECT_FALSE(is_ipv4("192.0.2.256"));
  EXPECT_FALSE(is_ipv4("192.0.2.1."));
  EXPECT_TRUE(is_ipv6("::"));
  EXPECT_TRUE(is_ipv6("::1"));
  EXPECT_TRUE(is_ipv6("fe80::"));
  EXPECT_TRUE(is_ipv6("2001:db8:0:0:0:0:0:1"));
  EXPECT_TRUE(is_ipv6("::ffff:10.0.0.1"));
  EXPECT_FALSE(is_ipv6("2001:db8:0:0:0:0:0:1:2"));
  EXPECT_FALSE(is_ipv6("1::2::3"));
  EXPECT_FALSE(is_ipv6("12345::"));
  EXPECT_FALSE(is_ipv6("1:2:3:4:5:6:7"));
  EXPECT_FALSE(is_ipv6("g::1"));
  EXPECT_TRUE(is_hostname("example.com."));
  EXPECT_TRUE(is_hostname("a-b.c_d.example"));
  EXPECT_FALSE(is_hostname("a..b"));
  EXPECT_FALSE(is_hostname("1.2.3.4.5"));
}

TEST(HostPortTest, ParsesHostAndPort) {
  HostPort hp;
  ASSERT_TRUE(parse_host_port("example.com:5060", false, SipError::kBadUri, hp).ok());
  EXPECT_EQ(hp.host, "example.com");
  EXPECT_EQ(hp.port_text, "5060");
  EXPECT_EQ(hp.port, 5060);
  ASSERT_TRUE(parse_host_port("[::1] : 5070", true, SipError::kBadVia, hp).ok());
  EXPECT_EQ(hp.kind, HostKind::kIPv6);
  EXPECT_EQ(hp.address(), "::1");
  EXPECT_EQ(hp.port, 5070);
  const ParseError err = parse_host_port("[::1] : 5070", false, SipError::kBadUri, hp);
  EXPECT_EQ(err.code, SipError::kBadUri);  // no white space inside a URI
  EXPECT_EQ(parse_host_port("", false, SipError::kBadVia, hp).code, SipError::kBadVia);
  EXPECT_EQ(parse_host_port("[::1]x", false, SipError::kBadVia, hp).code, SipError::kBadVia);
}

}  // namespace
}  // namespace core::sip
