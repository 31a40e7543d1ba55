// Net::send_on_connection: an RFC 5626 flow is one connection. The send goes over it from any
// worker, and once it is gone the send fails: no connection is opened in its place (the peer
// behind NAT cannot be reached by a new one, and the proxy answers 430 instead).
#include <gtest/gtest.h>

#include "net_test_util.h"

namespace core::net {
namespace {
using namespace testing;

TEST(FlowSendTest, GoesOverTheConnectionFromAnyWorker) {
  RecordingHandler handler;
  Net net(test_settings(2), handler);
  int lid = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_TRUE(net.start());
  int fd = tcp_client(net.listen_address(lid));
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(write_all(fd, sip_message("a")));
  ASSERT_TRUE(handler.wait_for(1));
  Received a = handler.messages()[0];
  // From outside the workers (posted to the owner), and from each worker.
  EXPECT_NE(net.send_on_connection(Transport::kTcp, a.conn_id, "one."), SendResult::kFailed);
  EXPECT_EQ(read_n(fd, 4), "one.");
  for (int w = 0; w < 2; ++w) {
    std::atomic<int> result{-1};
    ASSERT_TRUE(net.post(w, [&] {
      result = static_cast<int>(net.send_on_connection(Transport::kTcp, a.conn_id, "two."));
    }));
    ASSERT_TRUE(eventually([&] { return result.load() >= 0; }));
    EXPECT_NE(result.load(), static_cast<int>(SendResult::kFailed)) << "worker " << w;
    EXPECT_EQ(read_n(fd, 4), "two.");
  }
  net.stop();
  ::close(fd);
}

TEST(FlowSendTest, AGoneConnectionFailsAndNothingConnects) {
  RecordingHandler handler;
  Net net(test_settings(2), handler);
  int lid = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_TRUE(net.start());
  int fd = tcp_client(net.listen_address(lid));
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(write_all(fd, sip_message("a")));
  ASSERT_TRUE(handler.wait_for(1));
  Received a = handler.messages()[0];
  ::close(fd);
  // Sends made while the close is on its way are posted to the owner, which drops them.
  ASSERT_TRUE(eventually([&] {
    return net.send_on_connection(Transport::kTcp, a.conn_id, "late") == SendResult::kFailed;
  }));
  EXPECT_EQ(net.send_on_connection(Transport::kTcp, 987654, "never"), SendResult::kFailed);
  EXPECT_EQ(net.stats().connects, 0u);
  net.stop();
}

}  // namespace
}  // namespace core::net
