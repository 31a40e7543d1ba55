// A send with a connect token that opens a connection reports how its connect ended, so that
// the proxy can move a request to its next DNS target (RFC 3263 §4.3).
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <vector>

#include "core/net/socket_util.h"
#include "net_test_util.h"

namespace core::net {
namespace {
using namespace testing;

struct Outcomes {
  std::mutex mu;
  std::vector<std::pair<uint64_t, bool>> seen;
  static void record(void* self, uint64_t token, bool connected) {
    auto* o = static_cast<Outcomes*>(self);
    std::lock_guard<std::mutex> lock(o->mu);
    o->seen.emplace_back(token, connected);
  }
  std::vector<std::pair<uint64_t, bool>> get() {
    std::lock_guard<std::mutex> lock(mu);
    return seen;
  }
};

// A loopback port nothing listens on: bound, then closed.
SocketAddr closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  SocketAddr a = *SocketAddr::parse("127.0.0.1", 0);
  ::bind(fd, a.sa(), a.len());
  SocketAddr bound = local_address(fd);
  ::close(fd);
  return bound;
}

SendResult send_on_worker(Net& net, const SocketAddr& to, uint64_t token) {
  std::promise<SendResult> result;
  net.post(0, [&] {
    result.set_value(net.send(Transport::kTcp, to, sip_message("x"), 0, -1, {}, token));
  });
  return result.get_future().get();
}

TEST(ConnectObserverTest, ARefusedConnectIsReportedAsFailedWithItsToken) {
  RecordingHandler handler;
  Net client(test_settings(1), handler);
  Outcomes outcomes;
  client.set_connect_observer(&Outcomes::record, &outcomes);
  ASSERT_TRUE(client.start());
  EXPECT_EQ(send_on_worker(client, closed_port(), 7), SendResult::kConnecting);
  ASSERT_TRUE(eventually([&] { return !outcomes.get().empty(); }));
  EXPECT_EQ(outcomes.get(), (std::vector<std::pair<uint64_t, bool>>{{7, false}}));
  client.stop();
}

TEST(ConnectObserverTest, AConnectThatSucceedsIsReportedOnceAndAReusedConnectionNot) {
  RecordingHandler server_handler;
  Net server(test_settings(1), server_handler);
  int lid = server.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_GE(lid, 0);
  ASSERT_TRUE(server.start());
  RecordingHandler handler;
  Net client(test_settings(1), handler);
  Outcomes outcomes;
  client.set_connect_observer(&Outcomes::record, &outcomes);
  ASSERT_TRUE(client.start());
  SocketAddr to = server.listen_address(lid);
  EXPECT_EQ(send_on_worker(client, to, 8), SendResult::kConnecting);
  ASSERT_TRUE(server_handler.wait_for(1));
  ASSERT_TRUE(eventually([&] { return !outcomes.get().empty(); }));
  // The connection now exists: a send with a token is plainly sent, nothing to report.
  EXPECT_EQ(send_on_worker(client, to, 9), SendResult::kSent);
  ASSERT_TRUE(server_handler.wait_for(2));
  EXPECT_EQ(outcomes.get(), (std::vector<std::pair<uint64_t, bool>>{{8, true}}));
  client.stop();
  server.stop();
}

}  // namespace
}  // namespace core::net
