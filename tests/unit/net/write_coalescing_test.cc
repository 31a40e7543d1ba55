// Write coalescing: the replies to every message of one read leave together, in one write of the
// transport socket (one send(), one TLS record), once the read is handled; a send made outside a
// read (another worker's, a forwarded response's) leaves when the loop's turn ends, together with
// everything else that turn queued for the same peer, without waiting for the peer.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "core/net/plain_socket.h"
#include "tests/unit/net/net_test_util.h"

namespace core::net::testing {
namespace {

std::atomic<int> g_writes{0};  // do_write calls that carried data, over every CountingSocket

// Plain TCP that counts the writes the connection asks of it.
class CountingSocket final : public TransportSocket {
 public:
  void set_callbacks(TransportSocketCallbacks& /*callbacks*/) override {}
  PostIoAction on_connected(int fd, bool is_server) override {
    return plain_.on_connected(fd, is_server);
  }
  IoResult do_read(ReadBuffer& buffer) override { return plain_.do_read(buffer); }
  IoResult do_write(std::string_view data) override {
    if (!data.empty()) ++g_writes;
    return plain_.do_write(data);
  }
  void close(CloseReason reason) override { plain_.close(reason); }
  bool handshake_done() const override { return true; }

 private:
  PlainSocket plain_;
};

std::string reply_to(std::string_view request) {
  return "SIP/2.0 200 OK\r\nCall-ID: " +
         std::string(request.substr(request.find("Call-ID: ") + 9, 2)) +
         "\r\nContent-Length: 0\r\n\r\n";
}

class WriteCoalescingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_writes = 0;
    net_ = std::make_unique<Net>(test_settings(1), handler_);
    handler_.on_receive = [this](const ReceivedMessage& m) {
      net_->send(m.transport, m.src, reply_to(m.data), m.conn_id);
    };
    lid_ = net_->add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), &factory_});
    ASSERT_GE(lid_, 0);
    udp_lid_ = net_->add_listener({Transport::kUdp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
    ASSERT_GE(udp_lid_, 0);
    ASSERT_TRUE(net_->start());
  }
  void TearDown() override { net_->stop(); }

  // Holds the (only) worker inside a task until release(): whatever reaches it meanwhile is
  // handled in its next turn, together.
  void hold_worker() {
    held_ = true;
    started_ = false;
    ASSERT_TRUE(net_->post(0, [this] {
      started_ = true;
      for (int i = 0; i < 5000 && held_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }));
    ASSERT_TRUE(eventually([this] { return started_.load(); }));
  }
  void release() { held_ = false; }
  // A connection with its first request answered; its id for the sends.
  uint64_t open_connection(int& fd) {
    fd = tcp_client(net_->listen_address(lid_));
    std::string m = sip_message("20");
    if (fd < 0 || !write_all(fd, m) || read_n(fd, reply_to(m).size()) != reply_to(m)) return 0;
    return handler_.messages().at(0).conn_id;
  }

  RecordingHandler handler_;
  SocketFactoryOf<CountingSocket> factory_;
  std::unique_ptr<Net> net_;
  int lid_ = -1;
  int udp_lid_ = -1;
  std::atomic<bool> held_{false};
  std::atomic<bool> started_{false};
};

TEST_F(WriteCoalescingTest, EightPipelinedRequestsInOneReadGetTheirRepliesInOneWrite) {
  int fd = tcp_client(net_->listen_address(lid_));
  ASSERT_GE(fd, 0);
  std::string batch, expected;
  for (int i = 10; i < 18; ++i) {
    std::string m = sip_message(std::to_string(i));
    batch += m;
    expected += reply_to(m);
  }
  ASSERT_TRUE(write_all(fd, batch));                 // one segment on loopback: one read
  EXPECT_EQ(read_n(fd, expected.size()), expected);  // all eight, in order
  EXPECT_EQ(g_writes.load(), 1);
  ::close(fd);
}

TEST_F(WriteCoalescingTest, ASendOutsideAReadLeavesAtOnce) {
  int fd = tcp_client(net_->listen_address(lid_));
  ASSERT_GE(fd, 0);
  std::string m = sip_message("21");
  ASSERT_TRUE(write_all(fd, m));
  ASSERT_EQ(read_n(fd, reply_to(m).size()), reply_to(m));
  // From this thread (no read in progress), as a forwarded response would come: sent without
  // waiting for the peer to send anything.
  Received got = handler_.messages().at(0);
  EXPECT_EQ(net_->send(Transport::kTcp, got.src, "SIP/2.0 100 Trying\r\n\r\n", got.conn_id),
            SendResult::kPosted);
  EXPECT_EQ(read_n(fd, 22), "SIP/2.0 100 Trying\r\n\r\n");
  EXPECT_EQ(g_writes.load(), 2);
  ::close(fd);
}

// What another worker hands over (a response that came over UDP on it) arrives as posted sends:
// those the worker finds waiting together leave in one write.
TEST_F(WriteCoalescingTest, SendsPostedToAConnectionTogetherLeaveInOneWrite) {
  int fd = -1;
  uint64_t id = open_connection(fd);
  ASSERT_NE(id, 0u);
  hold_worker();
  std::string expected;
  for (int i = 30; i < 38; ++i) {
    std::string r = "SIP/2.0 180 Ringing " + std::to_string(i) + "\r\n\r\n";
    EXPECT_EQ(net_->send_on_connection(Transport::kTcp, id, r), SendResult::kPosted);
    expected += r;
  }
  release();
  EXPECT_EQ(read_n(fd, expected.size()), expected);  // all eight, in order
  EXPECT_EQ(g_writes.load(), 2);                     // the first reply, then the eight at once
  ::close(fd);
}

// The forward path: responses that came back over UDP in a burst, each relayed to the client's
// connection, leave in one write rather than one each.
TEST_F(WriteCoalescingTest, ResponsesReadFromUdpInOneBatchLeaveInOneWrite) {
  int fd = -1;
  uint64_t id = open_connection(fd);
  ASSERT_NE(id, 0u);
  handler_.on_receive = [this, id](const ReceivedMessage& m) {
    if (m.transport == Transport::kUdp) net_->send_on_connection(Transport::kTcp, id, m.data);
  };
  int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(udp, 0);
  SocketAddr to = net_->listen_address(udp_lid_);
  hold_worker();
  std::string expected;
  for (int i = 40; i < 48; ++i) {
    std::string r = "SIP/2.0 200 OK " + std::to_string(i) + "\r\n\r\n";
    ASSERT_EQ(::sendto(udp, r.data(), r.size(), 0, to.sa(), to.len()),
              static_cast<ssize_t>(r.size()));
    expected += r;
  }
  release();
  EXPECT_EQ(read_n(fd, expected.size()), expected);
  EXPECT_EQ(g_writes.load(), 2);
  ::close(udp);
  ::close(fd);
}

}  // namespace
}  // namespace core::net::testing
