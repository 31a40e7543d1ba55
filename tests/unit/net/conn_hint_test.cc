// The connection hint of a send (the proxy's ";i=" Via parameter, which any response can
// carry): it picks the connection only when that connection leads where the send is meant to
// go. RFC 3261 §18.2.2 sends a response over the connection to the request's source; a hint
// naming another peer's connection must not carry it there.
#include <gtest/gtest.h>

#include "net_test_util.h"

namespace core::net {
namespace {
using namespace testing;

TEST(ConnHintTest, AHintToAnotherPeersConnectionIsNotFollowed) {
  RecordingHandler handler;
  Net net(test_settings(1), handler);
  int lid = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_GE(lid, 0);
  ASSERT_TRUE(net.start());
  int fd = tcp_client_from("127.0.0.2", net.listen_address(lid));
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(write_all(fd, sip_message("a")));
  ASSERT_TRUE(handler.wait_for(1));
  Received a = handler.messages()[0];
  // Meant for another host (over TCP, then TLS), hinted at a's connection: not for a.
  SocketAddr elsewhere = *SocketAddr::parse("127.0.0.3", a.src.port());
  net.send(Transport::kTcp, elsewhere, "not-for-a", a.conn_id);
  net.send(Transport::kTls, a.src, "not-for-a", a.conn_id);
  // The hint used rightly: a's own address over its own transport.
  net.send(Transport::kTcp, a.src, "for-a", a.conn_id);
  EXPECT_EQ(read_n(fd, 5), "for-a");
  net.stop();
  ::close(fd);
}

TEST(ConnHintTest, AHintIsFollowedToTheSameHostOnAnotherPort) {
  // A response goes to the Via's sent-by port, not the connection's ephemeral one.
  RecordingHandler handler;
  Net net(test_settings(1), handler);
  int lid = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_TRUE(net.start());
  int fd = tcp_client_from("127.0.0.2", net.listen_address(lid));
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(write_all(fd, sip_message("b")));
  ASSERT_TRUE(handler.wait_for(1));
  Received b = handler.messages()[0];
  net.send(Transport::kTcp, *SocketAddr::parse("127.0.0.2", 5060), "via-port", b.conn_id);
  EXPECT_EQ(read_n(fd, 8), "via-port");
  net.stop();
  ::close(fd);
}

}  // namespace
}  // namespace core::net
