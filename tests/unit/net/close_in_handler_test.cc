// A handler that answers over the connection its message came in on may see that connection
// close under it (the write fails): the message it is still reading must stay valid until it
// returns. A message that arrived in two reads lives in the connection's own read buffer.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "tests/unit/net/net_test_util.h"

namespace core::net::testing {
namespace {

// Plain TCP whose first read takes a few bytes only (the message then completes in the
// connection's own buffer) and whose every write of data fails as on a reset connection.
class FailingWriteSocket final : public TransportSocket {
 public:
  void set_callbacks(TransportSocketCallbacks& /*callbacks*/) override {}
  PostIoAction on_connected(int fd, bool /*is_server*/) override {
    fd_ = fd;
    return PostIoAction::kKeepOpen;
  }
  IoResult do_read(ReadBuffer& buffer) override {
    IoResult r;
    std::span<char> space = buffer.prepare(16384);
    ssize_t n = ::recv(fd_, space.data(), first_ ? 10 : space.size(), MSG_DONTWAIT);
    first_ = false;
    if (n > 0) {
      buffer.commit(static_cast<size_t>(n));
      r.bytes = static_cast<size_t>(n);
    }
    r.end_of_stream = n == 0;
    return r;
  }
  IoResult do_write(std::string_view data) override {
    IoResult r;
    if (!data.empty()) r.action = PostIoAction::kClose;
    return r;
  }
  void close(CloseReason /*reason*/) override {}
  bool handshake_done() const override { return true; }

 private:
  int fd_ = -1;
  bool first_ = true;
};

TEST(CloseInHandlerTest, TheMessageOutlivesAConnectionClosedByItsReply) {
  RecordingHandler handler;
  SocketFactoryOf<FailingWriteSocket> factory;
  Net net(test_settings(1), handler);
  std::atomic<int> intact{-1};
  std::atomic<bool> held{false};
  handler.on_receive = [&](const ReceivedMessage& m) {
    const std::string before(m.data);
    Pool& pool = net.worker_pool(m.worker);
    const size_t in_use = pool.stats().in_use;
    net.send(m.transport, m.src, "SIP/2.0 200 OK\r\n\r\n", m.conn_id);  // fails: closes
    // Memory freed under the message is reused by the next allocations of its size.
    std::vector<std::string> reuse;
    for (size_t size = 256; size <= 32768; size += 256) reuse.emplace_back(size, 'Z');
    held = pool.stats().in_use >= in_use;
    intact = m.data == before ? 1 : 0;
  };
  int id = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), &factory});
  ASSERT_GE(id, 0);
  ASSERT_TRUE(net.start());
  int fd = tcp_client(net.listen_address(id));
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(write_all(fd, sip_message("two-reads")));
  ASSERT_TRUE(handler.wait_for(1));
  auto until = std::chrono::steady_clock::now() + kWait;
  while (intact < 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(intact.load(), 1);  // the bytes it was reading were not overwritten
  EXPECT_TRUE(held.load());     // nor given back to the pool
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
  net.stop();
}

}  // namespace
}  // namespace core::net::testing
