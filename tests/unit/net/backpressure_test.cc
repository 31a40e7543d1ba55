// A peer that sends requests but does not read the replies stops being read once its replies
// pile up (instead of filling the worker's pool), and is read again once it drains them.
#include <gtest/gtest.h>

#include "tests/unit/net/net_test_util.h"

namespace core::net::testing {
namespace {

TEST(BackpressureTest, PeerNotReadingIsPausedThenResumed) {
  RecordingHandler handler;
  Net net(test_settings(1), handler);
  const std::string big(64 * 1024, 'r');
  handler.on_receive = [&](const ReceivedMessage& m) {
    net.send(m.transport, m.src, big, m.conn_id);
  };
  int id = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_GE(id, 0);
  ASSERT_TRUE(net.start());
  int fd = tcp_client(net.listen_address(id), 4096);
  ASSERT_GE(fd, 0);
  const size_t kRequests = 100;  // 6.4 MB of replies, far over the 1 MiB high-water mark
  std::string all;
  for (size_t i = 0; i < kRequests; ++i) all += sip_message("bp" + std::to_string(i));
  ASSERT_TRUE(write_all(fd, all));

  // Not reading: ser stops reading us well before all requests are handled.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  size_t handled_while_stalled = handler.messages().size();
  EXPECT_LT(handled_while_stalled, kRequests);
  EXPECT_GT(handled_while_stalled, 0u);

  // Draining the replies lets ser read the rest: every request is answered.
  std::string got = read_n(fd, kRequests * big.size());
  EXPECT_EQ(got.size(), kRequests * big.size());
  EXPECT_TRUE(handler.wait_for(kRequests));
  ::close(fd);
  net.stop();
}

}  // namespace
}  // namespace core::net::testing
