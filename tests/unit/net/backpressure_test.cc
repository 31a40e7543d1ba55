// A peer that sends requests but does not read the replies stops being read once its replies
// pile up (instead of filling the worker's pool), or once the transport socket's own output does
// (TLS answers to KeyUpdates), and is read again once it drains them.
#include <gtest/gtest.h>

#include <atomic>

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

// Plain TCP that, like a TLS socket answering KeyUpdates, makes output of its own while reading:
// a request with "HOLD" in it queues kOwn bytes, sent as the fd takes them.
class OwnOutputSocket final : public TransportSocket {
 public:
  static constexpr size_t kOwn = size_t{4} << 20;

  void set_callbacks(TransportSocketCallbacks& callbacks) override { callbacks_ = &callbacks; }
  PostIoAction on_connected(int fd, bool /*is_server*/) override {
    fd_ = fd;
    return PostIoAction::kKeepOpen;
  }
  IoResult do_read(ReadBuffer& buffer) override {
    IoResult r;
    std::span<char> space = buffer.prepare(16384);
    ssize_t n = ::recv(fd_, space.data(), space.size(), MSG_DONTWAIT);
    if (n > 0) {
      buffer.commit(static_cast<size_t>(n));
      r.bytes = static_cast<size_t>(n);
    }
    r.end_of_stream = n == 0;
    if (buffer.view().find("HOLD") != std::string_view::npos && own_.empty()) {
      own_.assign(kOwn, 'x');
      send_own();
    }
    return r;
  }
  IoResult do_write(std::string_view data) override {
    send_own();
    IoResult r;
    if (!own_.empty() || data.empty()) return r;
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    r.bytes = n > 0 ? static_cast<size_t>(n) : 0;
    return r;
  }
  void close(CloseReason /*reason*/) override {}
  bool handshake_done() const override { return true; }
  size_t pending_output() const override { return own_.size(); }

 private:
  void send_own() {
    while (!own_.empty()) {
      ssize_t n = ::send(fd_, own_.data(), own_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n <= 0) break;
      own_.erase(0, static_cast<size_t>(n));
    }
    callbacks_->want_write(!own_.empty());
  }

  TransportSocketCallbacks* callbacks_ = nullptr;
  int fd_ = -1;
  std::string own_;
};

TEST(BackpressureTest, OutputTheSocketMakesByItselfPausesReadingUntilItDrains) {
  RecordingHandler handler;
  SocketFactoryOf<OwnOutputSocket> factory;
  Net net(test_settings(1), handler);
  handler.on_receive = [&](const ReceivedMessage& m) {
    net.send(m.transport, m.src, "ok:" + std::string(m.data.substr(12, 4)), m.conn_id);
  };
  int id = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), &factory});
  ASSERT_GE(id, 0);
  ASSERT_TRUE(net.start());
  int fd = tcp_client(net.listen_address(id), 4096);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(write_all(fd, sip_message("HOLD")));
  ASSERT_TRUE(handler.wait_for(1));
  // The socket holds megabytes the peer has not read: the next request is not read.
  ASSERT_TRUE(write_all(fd, sip_message("next")));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(handler.messages().size(), 1u);
  // Once the peer reads, the socket's output drains and the request is handled.
  std::string got = read_n(fd, OwnOutputSocket::kOwn + 14);
  EXPECT_EQ(got.substr(OwnOutputSocket::kOwn), "ok:HOLDok:next");
  EXPECT_TRUE(handler.wait_for(2));
  ::close(fd);
  net.stop();
}

// Sends to one connection come from anywhere (requests of other peers forwarded to it): a peer
// that does not read must not hold the worker's whole pool, or every other connection of the
// worker closes for want of memory. Its queue stops at a bound and further sends fail.
TEST(BackpressureTest, OneConnectionsQueueIsBounded) {
  RecordingHandler handler;
  Net net(test_settings(1), handler);
  const std::string chunk(256 * 1024, 'q');
  std::atomic<int> refused{-1};
  std::atomic<size_t> pool_in_use{0};
  handler.on_receive = [&](const ReceivedMessage& m) {
    int n = 0;
    for (int i = 0; i < 64; ++i)  // 16 MiB
      if (net.send(m.transport, m.src, chunk, m.conn_id) == SendResult::kFailed) ++n;
    pool_in_use = net.worker_pool(m.worker).stats().in_use;
    refused = n;
  };
  int id = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_GE(id, 0);
  ASSERT_TRUE(net.start());
  int fd = tcp_client(net.listen_address(id), 4096);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(write_all(fd, sip_message("flood")));
  auto until = std::chrono::steady_clock::now() + kWait;
  while (refused < 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GT(refused.load(), 0);
  EXPECT_LE(pool_in_use.load(), size_t{8} << 20);
  EXPECT_EQ(net.connection_count(), 1u);  // still open: its queue drains as it reads
  ::close(fd);
  net.stop();
}

}  // namespace
}  // namespace core::net::testing
