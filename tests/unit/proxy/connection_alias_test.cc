// RFC 5923 aliases: which requests may make their connection reachable at their Via's sent-by.
#include "core/proxy/connection_alias.h"

#include <gtest/gtest.h>

#include <string>

#include "proxy_fixture.h"

namespace core::proxy::testing {
namespace {

using core::net::SocketAddr;

const SocketAddr kPeer = addr("198.51.100.7", 40000);

core::sip::Via via(const std::string& text) {
  static std::string keep;
  keep = text;
  core::sip::Via v;
  EXPECT_TRUE(v.parse(keep).ok()) << text;
  return v;
}

std::optional<ConnectionAlias> over(Transport t, const std::string& top,
                                    const core::net::ConnectionSecurity* security = nullptr,
                                    uint64_t conn = 9) {
  static const SocketAddr local = addr("192.0.2.1", 5061);
  core::net::ReceivedMessage rx{t, kPeer, local, conn, 1, 0, "", security};
  return alias_of(rx, via(top));
}

TEST(ConnectionAliasTest, TcpAliasIsThePeersAddressWithTheSentByPort) {
  auto a = over(Transport::kTcp, "SIP/2.0/TCP 203.0.113.9:5070;alias;branch=z9hG4bK1");
  ASSERT_TRUE(a);
  // Never another host's address: only the port comes from the Via.
  EXPECT_EQ(a->address, addr("198.51.100.7", 5070));
  EXPECT_EQ(a->server_name, "");
  EXPECT_EQ(over(Transport::kTcp, "SIP/2.0/TCP peer.example.net;alias")->address.port(), 5060);
}

TEST(ConnectionAliasTest, NoAliasWithoutTheParameterOrOverUdp) {
  EXPECT_FALSE(over(Transport::kTcp, "SIP/2.0/TCP 198.51.100.7:5070;branch=z9hG4bK1"));
  EXPECT_FALSE(over(Transport::kUdp, "SIP/2.0/UDP 198.51.100.7:5070;alias", nullptr, 0));
}

TEST(ConnectionAliasTest, TlsNeedsAVerifiedCertificateNamingTheSentBy) {
  core::net::ConnectionSecurity s;
  s.peer_verified = true;
  s.peer_san_dns = "a.example.net,peer.example.net";
  s.peer_subject_cn = "cn.example.net";
  auto a = over(Transport::kTls, "SIP/2.0/TLS PEER.example.net:5071;alias", &s);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->address, addr("198.51.100.7", 5071));
  EXPECT_EQ(a->server_name, "PEER.example.net");
  EXPECT_EQ(over(Transport::kTls, "SIP/2.0/TLS peer.example.net;alias", &s)->address.port(), 5061);
  // The CN counts only without DNS subjectAltNames (RFC 5922 §7.1).
  EXPECT_FALSE(over(Transport::kTls, "SIP/2.0/TLS cn.example.net;alias", &s));
  EXPECT_FALSE(over(Transport::kTls, "SIP/2.0/TLS other.example.net;alias", &s));
  EXPECT_FALSE(over(Transport::kTls, "SIP/2.0/TLS 198.51.100.7:5071;alias", &s));
  EXPECT_FALSE(over(Transport::kTls, "SIP/2.0/TLS peer.example.net;alias", nullptr));
  s.peer_verified = false;
  EXPECT_FALSE(over(Transport::kTls, "SIP/2.0/TLS peer.example.net;alias", &s));
  s.peer_verified = true;
  s.peer_san_dns = "";
  EXPECT_TRUE(over(Transport::kTls, "SIP/2.0/TLS cn.example.net;alias", &s));
}

class AliasProxyTest : public ProxyTest {};

TEST_F(AliasProxyTest, TheProxyRegistersTheAliasOnlyWhenConfigured) {
  std::string inv = invite("", ";alias;branch=z9hG4bKabc123");
  inv.replace(inv.find("SIP/2.0/UDP"), 11, "SIP/2.0/TCP");
  receive(inv, Transport::kTcp, kPeer, 9, 1);
  EXPECT_TRUE(sender_.aliases.empty()) << "tcp_accept_aliases is off by default";
  settings_.accept_aliases = true;
  proxy_.reset();
  receive(inv, Transport::kTcp, kPeer, 9, 1);
  ASSERT_EQ(sender_.aliases.size(), 1u);
  EXPECT_EQ(sender_.aliases[0].conn_hint, 9u);
  EXPECT_EQ(sender_.aliases[0].dst, addr("198.51.100.7", 5062));
  EXPECT_EQ(proxy().stats().aliases.load(), 1u);
}

}  // namespace
}  // namespace core::proxy::testing
