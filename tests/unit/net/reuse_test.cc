// Connection reuse (responses and later requests go out over the existing connection) and
// sends posted to the worker that owns the connection.
#include <gtest/gtest.h>

#include <future>

#include "net_test_util.h"

namespace core::net {
namespace {
using namespace testing;

TEST(ReuseTest, LaterSendsAndRepliesReuseTheOneConnection) {
  RecordingHandler server_handler;
  Net server(test_settings(), server_handler);
  int lid = server.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_GE(lid, 0);
  RecordingHandler client_handler;
  Net client(test_settings(), client_handler);
  // The server answers to the source address only (no connection id): the table finds the
  // connection the request came in on (RFC 3261 §18.2.2).
  server_handler.on_receive = [&](const ReceivedMessage& m) {
    server.send(Transport::kTcp, m.src, sip_message("re-" + std::string(m.data.substr(12, 2))));
  };
  ASSERT_TRUE(server.start());
  ASSERT_TRUE(client.start());
  SocketAddr to = server.listen_address(lid);

  client.send(Transport::kTcp, to, sip_message("r1"));
  ASSERT_TRUE(server_handler.wait_for(1));
  ASSERT_TRUE(client_handler.wait_for(1));
  client.send(Transport::kTcp, to, sip_message("r2"));
  ASSERT_TRUE(server_handler.wait_for(2));
  ASSERT_TRUE(client_handler.wait_for(2));

  auto at_server = server_handler.messages();
  auto at_client = client_handler.messages();
  EXPECT_EQ(at_server[0].conn_id, at_server[1].conn_id);
  EXPECT_EQ(at_server[0].src, at_server[1].src);
  EXPECT_EQ(at_client[0].conn_id, at_client[1].conn_id);
  EXPECT_EQ(at_client[0].data, sip_message("re-r1"));
  EXPECT_EQ(at_client[0].listener_id, -1);  // arrived on the outbound connection
  EXPECT_EQ(client.stats().connects, 1u);
  EXPECT_EQ(client.stats().accepted, 0u);
  EXPECT_EQ(server.stats().accepted, 1u);
  EXPECT_EQ(server.stats().connects, 0u);
  client.stop();
  server.stop();
}

TEST(ReuseTest, SendFromAnotherWorkerIsPostedToTheOwner) {
  RecordingHandler handler;
  Net net(test_settings(2), handler);
  int lid = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_TRUE(net.start());
  int fd = tcp_client(net.listen_address(lid));
  ASSERT_TRUE(write_all(fd, sip_message("hello")));
  ASSERT_TRUE(handler.wait_for(1));
  Received first = handler.messages()[0];
  int other = 1 - first.worker;
  std::promise<SendResult> result;
  net.post(other, [&] {
    result.set_value(net.send(Transport::kTcp, first.src, "from-other-worker", first.conn_id));
  });
  auto f = result.get_future();
  ASSERT_EQ(f.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(f.get(), SendResult::kPosted);
  EXPECT_EQ(read_n(fd, 17), "from-other-worker");
  // From a thread that is no worker at all, too.
  EXPECT_EQ(net.send(Transport::kTcp, first.src, "from-main", first.conn_id), SendResult::kPosted);
  EXPECT_EQ(read_n(fd, 9), "from-main");
  net.stop();
  ::close(fd);
}

TEST(ReuseTest, ReplyToAClosedConnectionOpensANewOne) {
  // RFC 3261 §18.2.2: when the connection is gone, the response goes to the source address.
  RecordingHandler handler;
  Net net(test_settings(1), handler);
  ASSERT_TRUE(net.start());
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  SocketAddr any = *SocketAddr::parse("127.0.0.1", 0);
  ASSERT_EQ(::bind(lfd, any.sa(), any.len()), 0);
  ASSERT_EQ(::listen(lfd, 4), 0);
  SocketAddr peer = local_address_of(lfd);
  EXPECT_NE(net.send(Transport::kTcp, peer, "late-reply", 12345), SendResult::kFailed);
  set_recv_timeout(lfd, std::chrono::milliseconds(5000));
  int conn = ::accept(lfd, nullptr, nullptr);
  ASSERT_GE(conn, 0);
  set_recv_timeout(conn, std::chrono::milliseconds(5000));
  EXPECT_EQ(read_n(conn, 10), "late-reply");
  EXPECT_EQ(net.stats().connects, 1u);
  net.stop();
  ::close(conn);
  ::close(lfd);
}

}  // namespace
}  // namespace core::net
