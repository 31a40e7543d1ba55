// tcp_max_connections_per_ip: inbound connections counted per IPv4 address (IPv6 /64).
#include <gtest/gtest.h>

#include "core/net/ip_key.h"
#include "net_test_util.h"

namespace core::net {
namespace {
using namespace testing;

TEST(PerIpLimitTest, SixthConnectionFromOneAddressIsRefusedWhileAnotherAddressIsServed) {
  NetSettings s = test_settings();
  s.max_connections_per_ip = 5;
  EchoServer srv(s);
  ASSERT_TRUE(srv.started);
  std::vector<int> five;
  for (int i = 0; i < 5; ++i) {
    five.push_back(tcp_client_from("127.0.0.1", srv.addr));
    ASSERT_TRUE(srv.round_trip(five.back(), "c" + std::to_string(i)));
  }
  int sixth = tcp_client_from("127.0.0.1", srv.addr);  // the kernel accepts; ser closes it
  ASSERT_GE(sixth, 0);
  EXPECT_TRUE(closed_by_peer(sixth));
  EXPECT_EQ(srv.net.stats().refused_per_ip, 1u);
  int other = tcp_client_from("127.0.0.2", srv.addr);
  EXPECT_TRUE(srv.round_trip(other, "other"));
  for (int fd : five) EXPECT_TRUE(srv.round_trip(fd, "again"));
  // Closing one lets another in from the same address.
  ::close(five[0]);
  EXPECT_TRUE(eventually([&] { return srv.net.connection_count() == 5; }));
  int next = tcp_client_from("127.0.0.1", srv.addr);
  EXPECT_TRUE(srv.round_trip(next, "next"));
  EXPECT_EQ(srv.net.stats().refused_per_ip, 1u);
  for (size_t i = 1; i < five.size(); ++i) ::close(five[i]);
  ::close(sixth);
  ::close(other);
  ::close(next);
}

TEST(PerIpLimitTest, OutboundConnectionsAreNotCountedAgainstTheirDestination) {
  NetSettings s = test_settings(1);
  s.max_connections_per_ip = 1;
  EchoServer srv(s);
  ASSERT_TRUE(srv.started);
  // A peer at 127.0.0.1 that ser connects to.
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  SocketAddr any = *SocketAddr::parse("127.0.0.1", 0);
  ASSERT_EQ(::bind(lfd, any.sa(), any.len()), 0);
  ASSERT_EQ(::listen(lfd, 4), 0);
  srv.net.send(Transport::kTcp, local_address_of(lfd), sip_message("out"));
  set_recv_timeout(lfd, std::chrono::milliseconds(5000));
  int peer = ::accept(lfd, nullptr, nullptr);
  ASSERT_GE(peer, 0);
  EXPECT_FALSE(read_n(peer, 10).empty());
  // The outbound connection to 127.0.0.1 does not use the inbound allowance of 127.0.0.1.
  int in = tcp_client_from("127.0.0.1", srv.addr);
  EXPECT_TRUE(srv.round_trip(in, "in"));
  EXPECT_EQ(srv.net.stats().refused_per_ip, 0u);
  ::close(in);
  ::close(peer);
  ::close(lfd);
}

TEST(IpKeyTest, IPv4ByAddressIPv6ByPrefixAndMappedIPv4AsIPv4) {
  auto key = [](const char* ip) { return IpKey::of(*SocketAddr::parse(ip, 5060)); };
  EXPECT_EQ(key("192.0.2.1"), key("192.0.2.1"));
  EXPECT_NE(key("192.0.2.1"), key("192.0.2.2"));
  EXPECT_EQ(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
  EXPECT_NE(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
  EXPECT_EQ(key("::ffff:192.0.2.1"), key("192.0.2.1"));
  EXPECT_NE(key("::ffff:192.0.2.1"), key("::ffff:192.0.2.2"));
  EXPECT_EQ(key("2001:db8:1:2::1").to_string(), "2001:db8:1:2::/64");
  EXPECT_EQ(key("::ffff:192.0.2.1").to_string(), "192.0.2.1");
  EXPECT_EQ(IpKeyHash{}(key("2001:db8:1:2::1")), IpKeyHash{}(key("2001:db8:1:2::7")));
}

}  // namespace
}  // namespace core::net
