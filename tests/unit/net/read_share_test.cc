// Partial messages of one worker's connections share half of its pool: peers that trickle large
// partial messages lose their own connections, and a neighbour on the same worker keeps being
// served (its reads and replies never fail for lack of memory).
#include <gtest/gtest.h>

#include "tests/unit/net/net_test_util.h"

namespace core::net::testing {
namespace {

TEST(ReadShareTest, TricklersAtTheCapCannotMakeANeighbourRunOutOfMemory) {
  RecordingHandler handler;
  NetSettings s = test_settings(1);  // one worker: tricklers and the neighbour share its pool
  s.pkg_budget = 256 << 10;          // read share: 128 KiB
  Net net(s, handler);
  handler.on_receive = [&](const ReceivedMessage& m) {
    net.send(m.transport, m.src, "ok:" + std::string(m.data.substr(0, 12)), m.conn_id);
  };
  int id = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_GE(id, 0);
  ASSERT_TRUE(net.start());
  const SocketAddr addr = net.listen_address(id);

  // Twelve peers each send 20 KB of a header section that never ends, and wait.
  std::string partial = "OPTIONS sip:trickle@example.com SIP/2.0\r\n";
  while (partial.size() < 20000)
    partial += "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  std::vector<int> tricklers;
  for (int i = 0; i < 12; ++i) {
    tricklers.push_back(tcp_client(addr));
    ASSERT_TRUE(write_all(tricklers.back(), partial));
  }
  // Four fit in the share (32 KiB each); each of the other eight costs one trickler its
  // connection.
  EXPECT_TRUE(eventually([&] { return net.stats().closed_read_share == 8; }))
      << net.stats().closed_read_share;
  const size_t held = net.worker_pool(0).stats().in_use;

  // A neighbour whose request arrives in two parts needs a buffer of its own in between.
  int fd = tcp_client(addr);
  const std::string m = sip_message("neighbour");
  ASSERT_TRUE(write_all(fd, m.substr(0, 60)));
  // Its buffer displaces a trickler's (the share is full): the trickler pays, not the neighbour.
  ASSERT_TRUE(eventually([&] { return net.worker_pool(0).stats().in_use != held; }));
  EXPECT_EQ(net.stats().closed_read_share, 9u);
  ASSERT_TRUE(write_all(fd, m.substr(60)));
  EXPECT_EQ(read_n(fd, 15), "ok:" + m.substr(0, 12));
  EXPECT_EQ(net.worker_pool(0).stats().failures, 0u);  // nobody ran out of memory
  EXPECT_EQ(net.stats().closed_error, 0u);
  ::close(fd);
  for (int t : tricklers) ::close(t);
  net.stop();
}

TEST(ReadShareTest, TheConnectionHoldingTheLargestPartialMessageIsTheOneClosed) {
  RecordingHandler handler;
  NetSettings s = test_settings(1);
  s.pkg_budget = 256 << 10;
  Net net(s, handler);
  int id = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_GE(id, 0);
  ASSERT_TRUE(net.start());
  const SocketAddr addr = net.listen_address(id);
  std::string big = "OPTIONS sip:big@example.com SIP/2.0\r\n";
  while (big.size() < 60000) big += "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  int hog = tcp_client(addr);
  ASSERT_TRUE(write_all(hog, big));  // 64 KiB held
  ASSERT_TRUE(eventually([&] { return net.worker_pool(0).stats().in_use >= (64u << 10); }));
  // Small partial messages from many peers fill the rest of the share: the hog goes first.
  std::vector<int> small;
  for (int i = 0; i < 40; ++i) {
    small.push_back(tcp_client(addr));
    ASSERT_TRUE(write_all(small.back(), big.substr(0, 2000)));  // 2 KiB held each
  }
  EXPECT_TRUE(closed_by_peer(hog));
  EXPECT_TRUE(eventually([&] { return net.stats().closed_read_share == 1; }));
  EXPECT_TRUE(
      eventually([&] { return net.connection_count() == 40u; }));  // the hog is freed by its worker
  ::close(hog);
  for (int t : small) ::close(t);
  net.stop();
}

}  // namespace
}  // namespace core::net::testing
