#include "core/net/connection_table.h"

#include <gtest/gtest.h>

#include <mutex>

#include "core/net/plain_socket.h"
#include "net_test_util.h"

namespace core::net {
namespace {
using namespace testing;

TEST(ConnectionTableTest, FindsByIdAndByPeerUntilRemoved) {
  ConnectionTable t;
  SocketAddr peer = *SocketAddr::parse("10.0.0.1:5060");
  t.add(7, 1, Transport::kTcp, peer);
  ASSERT_TRUE(t.find(7));
  EXPECT_EQ(t.find(7)->worker, 1);
  ASSERT_TRUE(t.find(Transport::kTcp, peer));
  EXPECT_EQ(t.find(Transport::kTcp, peer)->id, 7u);
  EXPECT_FALSE(t.find(Transport::kTls, peer));  // same address, other transport
  EXPECT_FALSE(t.find(Transport::kTcp, *SocketAddr::parse("10.0.0.1:5061")));
  t.remove(7);
  EXPECT_FALSE(t.find(7));
  EXPECT_FALSE(t.find(Transport::kTcp, peer));
  EXPECT_EQ(t.size(), 0u);
}

TEST(ConnectionTableTest, NewestConnectionToAPeerWins) {
  ConnectionTable t;
  SocketAddr peer = *SocketAddr::parse("[2001:db8::1]:5061");
  t.add_outbound(3, 0, Transport::kTls, peer, {{}, "2001:db8::1"});
  t.add_outbound(9, 1, Transport::kTls, peer, {{}, "2001:db8::1"});
  EXPECT_EQ(t.find(Transport::kTls, peer, {{}, "2001:db8::1"})->id, 9u);
  t.remove(9);
  EXPECT_EQ(t.find(Transport::kTls, peer, {{}, "2001:db8::1"})->id, 3u);
}

TEST(ConnectionTableTest, AServerNameOnlyMatchesAConnectionOpenedForIt) {
  ConnectionTable t;
  SocketAddr peer = *SocketAddr::parse("192.0.2.1:5061");
  t.add(1, 0, Transport::kTls, peer);  // accepted: no name of ours
  t.add_outbound(2, 0, Transport::kTls, peer, {{}, "a.example.com"});
  EXPECT_EQ(t.find(Transport::kTls, peer, {{}, "a.example.com"})->id, 2u);
  EXPECT_FALSE(t.find(Transport::kTls, peer, {{}, "b.example.com"}));
  EXPECT_FALSE(t.find(Transport::kTls, peer));  // neither the named one nor the accepted one
}

TEST(ConnectionTableTest, AServerNameMatchesWhateverItsCase) {
  ConnectionTable t;
  SocketAddr peer = *SocketAddr::parse("192.0.2.1:5061");
  t.add_outbound(2, 0, Transport::kTls, peer, {{}, "sip.example.com"});
  EXPECT_EQ(t.find(Transport::kTls, peer, {{}, "SIP.Example.COM"})->id, 2u);
}

// Two tenants towards one carrier: one connection each, never the other's (issue #10).
TEST(ConnectionTableTest, ATlsConnectionIsReusedOnlyForItsClientDomainAndName) {
  ConnectionTable t;
  SocketAddr carrier = *SocketAddr::parse("192.0.2.1:5061");
  t.add_outbound(1, 0, Transport::kTls, carrier, {"tenant-a", "sip.carrier.net"});
  t.add_outbound(2, 1, Transport::kTls, carrier, {"tenant-b", "sip.carrier.net"});
  t.add_outbound(3, 0, Transport::kTls, carrier, {{}, "sip.carrier.net"});
  EXPECT_EQ(t.find(Transport::kTls, carrier, {"tenant-a", "sip.carrier.net"})->id, 1u);
  EXPECT_EQ(t.find(Transport::kTls, carrier, {"Tenant-B", "sip.carrier.net"})->id, 2u);
  EXPECT_EQ(t.find(Transport::kTls, carrier, {{}, "sip.carrier.net"})->id, 3u);
  EXPECT_FALSE(t.find(Transport::kTls, carrier, {"tenant-c", "sip.carrier.net"}));
  EXPECT_FALSE(t.find(Transport::kTls, carrier, {"tenant-a", "other.carrier.net"}));
}

// An inbound TLS connection from the peer's listening address is not ours to borrow: the peer
// presented no certificate checked against the name, and ours was not the client domain's.
TEST(ConnectionTableTest, AnAcceptedTlsConnectionIsNeverReusedForAnOutboundIdentity) {
  ConnectionTable t;
  SocketAddr peer = *SocketAddr::parse("192.0.2.1:5061");
  t.add(4, 0, Transport::kTls, peer);
  EXPECT_FALSE(t.find(Transport::kTls, peer, {{}, "192.0.2.1"}));
  EXPECT_FALSE(t.find(Transport::kTls, peer));
  EXPECT_EQ(t.find(4)->id, 4u);  // a response still goes back over it by its id
  t.add(5, 0, Transport::kTcp, peer);
  EXPECT_EQ(t.find(Transport::kTcp, peer)->id, 5u);  // plain TCP has no identity
}

// Plain sockets that remember the options of each outbound socket they made.
class RecordingFactory : public TransportSocketFactory {
 public:
  PoolPtr<TransportSocket> create(const TransportSocketOptions& o, Pool& pool) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      names_.emplace_back(o.identity.server_name);
      servers_.push_back(o.is_server);
    }
    return plain_.create(o, pool);
  }
  std::vector<std::string> names() {
    std::lock_guard<std::mutex> lock(mu_);
    return names_;
  }

 private:
  std::mutex mu_;
  PlainSocketFactory plain_;
  std::vector<std::string> names_;
  std::vector<bool> servers_;
};

TEST(ConnectionTableTest, OutboundServerNameReachesTheFactoryAndSeparatesConnections) {
  RecordingHandler server_handler;
  Net server(test_settings(1), server_handler);
  int lid = server.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_TRUE(server.start());
  RecordingHandler client_handler;
  RecordingFactory factory;
  Net client(test_settings(1), client_handler);
  client.set_client_factory(Transport::kTls, &factory);
  ASSERT_TRUE(client.start());
  SocketAddr to = server.listen_address(lid);
  client.send(Transport::kTls, to, sip_message("a1"), 0, -1, {{}, "a.example.com"});
  ASSERT_TRUE(server_handler.wait_for(1));
  client.send(Transport::kTls, to, sip_message("b1"), 0, -1, {{}, "b.example.com"});
  ASSERT_TRUE(server_handler.wait_for(2));
  client.send(Transport::kTls, to, sip_message("a2"), 0, -1, {{}, "a.example.com"});
  ASSERT_TRUE(server_handler.wait_for(3));
  auto got = server_handler.messages();
  EXPECT_NE(got[0].conn_id, got[1].conn_id);
  EXPECT_EQ(got[0].conn_id, got[2].conn_id);
  EXPECT_EQ(factory.names(), (std::vector<std::string>{"a.example.com", "b.example.com"}));
  EXPECT_EQ(client.stats().connects, 2u);
  client.stop();
  server.stop();
}

}  // namespace
}  // namespace core::net

namespace core::net {
namespace {

// RFC 5923: an accepted connection from 10.0.0.1:40000 whose Via said 10.0.0.1:5060;alias.
TEST(ConnectionTableTest, AnAliasedConnectionIsFoundAtItsAliasUntilRemoved) {
  ConnectionTable t;
  SocketAddr peer = *SocketAddr::parse("10.0.0.1:40000");
  SocketAddr alias = *SocketAddr::parse("10.0.0.1:5060");
  t.add(7, 1, Transport::kTcp, peer);
  EXPECT_FALSE(t.find(Transport::kTcp, alias));
  ASSERT_TRUE(t.add_alias(7, Transport::kTcp, alias, ""));
  ASSERT_TRUE(t.find(Transport::kTcp, alias));
  EXPECT_EQ(t.find(Transport::kTcp, alias)->id, 7u);
  EXPECT_EQ(t.find(Transport::kTcp, alias)->worker, 1);
  EXPECT_FALSE(t.find(Transport::kTls, alias));
  t.remove(7);
  EXPECT_FALSE(t.find(Transport::kTcp, alias));
  EXPECT_FALSE(t.add_alias(7, Transport::kTcp, alias, "")) << "a gone connection gets no alias";
}

TEST(ConnectionTableTest, ATlsAliasServesOnlyTheNameItWasCheckedFor) {
  ConnectionTable t;
  SocketAddr alias = *SocketAddr::parse("10.0.0.1:5061");
  t.add(7, 0, Transport::kTls, *SocketAddr::parse("10.0.0.1:40000"));
  ASSERT_TRUE(t.add_alias(7, Transport::kTls, alias, "peer.example.net"));
  EXPECT_EQ(t.find(Transport::kTls, alias, {"", "PEER.example.net"})->id, 7u);
  EXPECT_FALSE(t.find(Transport::kTls, alias, {"", "other.example.net"}));
  EXPECT_FALSE(t.find(Transport::kTls, alias, {"tenant-a", "peer.example.net"}))
      << "a client domain of its own is not the certificate ser showed on that connection";
}

// Found by review10: another process on the server's address connected and said
// `Via: SIP/2.0/TCP server:5060;alias`; the later alias took ser's traffic for the server.
TEST(ConnectionTableTest, AConnectionOpenToTheAddressWinsOverAnAlias) {
  ConnectionTable t;
  SocketAddr server = *SocketAddr::parse("10.0.0.1:5060");
  t.add_outbound(5, 0, Transport::kTcp, server, {});
  t.add(9, 1, Transport::kTcp, *SocketAddr::parse("10.0.0.1:40002"));
  ASSERT_TRUE(t.add_alias(9, Transport::kTcp, server, ""));
  EXPECT_EQ(t.find(Transport::kTcp, server)->id, 5u);
  t.remove(5);
  EXPECT_EQ(t.find(Transport::kTcp, server)->id, 9u) << "the alias serves once nothing else does";
}

TEST(ConnectionTableTest, ANewAliasReplacesTheOldOneAndTheLaterConnectionWins) {
  ConnectionTable t;
  SocketAddr a = *SocketAddr::parse("10.0.0.1:5060");
  SocketAddr b = *SocketAddr::parse("10.0.0.1:5070");
  t.add(7, 0, Transport::kTcp, *SocketAddr::parse("10.0.0.1:40000"));
  t.add(8, 0, Transport::kTcp, *SocketAddr::parse("10.0.0.1:40001"));
  t.add_alias(7, Transport::kTcp, a, "");
  t.add_alias(7, Transport::kTcp, b, "");
  EXPECT_FALSE(t.find(Transport::kTcp, a));
  EXPECT_EQ(t.find(Transport::kTcp, b)->id, 7u);
  t.add_alias(8, Transport::kTcp, b, "");
  EXPECT_EQ(t.find(Transport::kTcp, b)->id, 8u);
  t.remove(7);  // 7's alias was taken over: 8 keeps it
  EXPECT_EQ(t.find(Transport::kTcp, b)->id, 8u);
}

}  // namespace
}  // namespace core::net
