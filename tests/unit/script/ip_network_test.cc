#include "core/script/ip_network.h"

#include <gtest/gtest.h>

namespace core::script {
namespace {

TEST(IpNetwork, ParsesAddressesPrefixesAndMasks) {
  std::string why;
  auto a = IpNetwork::parse("192.0.2.0/24", &why);
  ASSERT_TRUE(a) << why;
  EXPECT_EQ(a->prefix(), 24);
  EXPECT_EQ(a->af(), Af::kInet);
  auto b = IpNetwork::parse("192.0.2.7", &why);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->prefix(), 32);
  auto c = IpNetwork::parse("172.16.0.0/255.240.0.0", &why);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->prefix(), 12);
  auto d = IpNetwork::parse("[2001:db8::]/48", &why);
  ASSERT_TRUE(d) << why;
  EXPECT_EQ(d->af(), Af::kInet6);
  EXPECT_EQ(d->prefix(), 48);
  EXPECT_TRUE(d->contains(*parse_ip("2001:db8:0:ffff::1")));
  EXPECT_FALSE(d->contains(*parse_ip("2001:db8:1::1")));
}

TEST(IpNetwork, RejectsMalformedInput) {
  std::string why;
  for (const char* bad : {"", "/8", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "::1/129", "1.2.3",
                          "10.0.0.0/255.0.255.0", "::1/255.0.0.0", "host.example"}) {
    EXPECT_FALSE(IpNetwork::parse(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(IpNetwork, FormatsAndComparesAddresses) {
  char buf[kIpTextMax];
  EXPECT_EQ(format_ip(IpAddr::v4(10, 0, 0, 1), buf, sizeof buf), "10.0.0.1");
  EXPECT_EQ(format_ip(*parse_ip("[::1]"), buf, sizeof buf), "::1");
  EXPECT_TRUE(same_ip(*parse_ip("::ffff:10.0.0.1"), IpAddr::v4(10, 0, 0, 1)));
  EXPECT_FALSE(same_ip(*parse_ip("::1"), IpAddr::v4(0, 0, 0, 1)));
}

}  // namespace
}  // namespace core::script
