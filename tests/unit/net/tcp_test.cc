// TCP listeners and stream framing: split and batched messages, CRLF keep-alives, broken framing.
#include <gtest/gtest.h>

#include "net_test_util.h"

namespace core::net {
namespace {
using namespace testing;

class TcpTest : public ::testing::Test {
 protected:
  void start(NetSettings s = test_settings(), const char* ip = "127.0.0.1") {
    net_ = std::make_unique<Net>(s, handler_);
    lid_ = net_->add_listener({Transport::kTcp, *SocketAddr::parse(ip, 0), nullptr});
    ASSERT_GE(lid_, 0);
    ASSERT_TRUE(net_->start());
    server_ = net_->listen_address(lid_);
  }
  void TearDown() override {
    if (net_) net_->stop();
  }
  RecordingHandler handler_;
  std::unique_ptr<Net> net_;
  int lid_ = -1;
  SocketAddr server_;
};

TEST_F(TcpTest, MessagesSplitOverWritesAndSeveralPerWriteAreFramed) {
  start();
  int fd = tcp_client(server_);
  ASSERT_GE(fd, 0);
  std::string m1 = sip_message("one", "v=0\r\n");
  // One message in three writes, with pauses so they arrive as separate reads.
  ASSERT_TRUE(write_all(fd, m1.substr(0, 10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(write_all(fd, m1.substr(10, 50)));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(write_all(fd, m1.substr(60)));
  ASSERT_TRUE(handler_.wait_for(1));
  // Three messages (and a stray CRLF between two) in one write, the last one cut short.
  std::string m2 = sip_message("two"), m3 = sip_message("three", "body"), m4 = sip_message("four");
  ASSERT_TRUE(write_all(fd, m2 + m3 + "\r\n" + m4.substr(0, 30)));
  ASSERT_TRUE(handler_.wait_for(3));
  ASSERT_TRUE(write_all(fd, m4.substr(30)));
  ASSERT_TRUE(handler_.wait_for(4));
  auto got = handler_.messages();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].data, m1);
  EXPECT_EQ(got[1].data, m2);
  EXPECT_EQ(got[2].data, m3);
  EXPECT_EQ(got[3].data, m4);
  EXPECT_EQ(got[0].transport, Transport::kTcp);
  EXPECT_NE(got[0].conn_id, 0u);
  EXPECT_EQ(got[3].conn_id, got[0].conn_id);
  EXPECT_EQ(got[0].src, local_address_of(fd));
  EXPECT_EQ(got[0].dst, server_);
  EXPECT_EQ(got[0].listener_id, lid_);
  EXPECT_EQ(net_->stats().accepted, 1u);
  // The partial message was held in a buffer of the worker's pool only while incomplete.
  Received last = got[3];
  EXPECT_GT(net_->worker_pool(last.worker).stats().peak, 0u);
  ::close(fd);
}

// A wildcard listener: each connection learns the address it was made to (the proxy's Via and
// Record-Route name it); a listener on one address already knows it.
TEST_F(TcpTest, AWildcardListenerGivesEachConnectionTheAddressItReached) {
  start(test_settings(), "0.0.0.0");
  SocketAddr to = *SocketAddr::parse("127.0.0.2", server_.port());
  int fd = tcp_client(to);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(write_all(fd, sip_message("wild")));
  ASSERT_TRUE(handler_.wait_for(1));
  EXPECT_EQ(handler_.messages().at(0).dst, to);
  ::close(fd);
}

TEST_F(TcpTest, RepliesGoBackOverTheSameConnection) {
  start();
  handler_.on_receive = [&](const ReceivedMessage& m) {
    net_->send(m.transport, m.src, "reply:" + std::string(m.data), m.conn_id);
  };
  int fd = tcp_client(server_);
  std::string m = sip_message("echo");
  ASSERT_TRUE(write_all(fd, m));
  EXPECT_EQ(read_n(fd, 6 + m.size()), "reply:" + m);
  EXPECT_EQ(net_->stats().connects, 0u);
  ::close(fd);
}

TEST_F(TcpTest, Ipv6ListenerAcceptsAndFrames) {
  if (!has_ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback";
  start(test_settings(), "::1");
  int fd = tcp_client(server_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(write_all(fd, sip_message("v6")));
  ASSERT_TRUE(handler_.wait_for(1));
  EXPECT_EQ(handler_.messages()[0].src.af(), AF_INET6);
  ::close(fd);
}

TEST_F(TcpTest, DoubleCrlfPingIsAnsweredWithCrlf) {
  start();
  int fd = tcp_client(server_);
  ASSERT_TRUE(write_all(fd, "\r\n\r\n"));
  EXPECT_EQ(read_n(fd, 2), "\r\n");
  EXPECT_TRUE(eventually([&] { return net_->stats().pings == 1; }));
  ::close(fd);
}

TEST_F(TcpTest, NoPongWhenCrlfPongIsOff) {
  NetSettings s = test_settings();
  s.crlf_pong = false;
  start(s);
  int fd = tcp_client(server_);
  std::string m = sip_message("after-ping");
  handler_.on_receive = [&](const ReceivedMessage& msg) {
    net_->send(msg.transport, msg.src, "ok", msg.conn_id);
  };
  ASSERT_TRUE(write_all(fd, "\r\n\r\n" + m));
  EXPECT_EQ(read_n(fd, 2), "ok");  // not "\r\n": the ping got no answer
  ::close(fd);
}

TEST_F(TcpTest, TooBigMessageLetsTheHandlerReplyThenCloses) {
  NetSettings s = test_settings();
  s.max_message_size = 300;
  start(s);
  handler_.on_error = [&](const ReceivedMessage& m, StreamError e) {
    if (e == StreamError::kTooBig)
      net_->send(m.transport, m.src, "SIP/2.0 513 Message Too Large\r\n\r\n", m.conn_id);
  };
  int fd = tcp_client(server_);
  ASSERT_TRUE(write_all(fd, sip_message("big", std::string(1000, 'x'))));
  std::string reply = "SIP/2.0 513 Message Too Large\r\n\r\n";
  EXPECT_EQ(read_n(fd, reply.size()), reply);
  EXPECT_TRUE(closed_by_peer(fd));
  EXPECT_EQ(net_->stats().too_big, 1u);
  EXPECT_TRUE(handler_.messages().empty());
  ::close(fd);
}

TEST_F(TcpTest, BrokenFramingClosesTheConnectionOnly) {
  start();
  int bad = tcp_client(server_);
  int good = tcp_client(server_);
  ASSERT_TRUE(write_all(bad, "OPTIONS sip:x SIP/2.0\r\nContent-Length: -5\r\n\r\n"));
  EXPECT_TRUE(closed_by_peer(bad));
  EXPECT_TRUE(handler_.wait_for_errors(1));
  EXPECT_EQ(net_->stats().framing_errors + net_->stats().too_big, 1u);
  ASSERT_TRUE(write_all(good, sip_message("still-fine")));
  ASSERT_TRUE(handler_.wait_for(1));
  EXPECT_EQ(handler_.messages()[0].data, sip_message("still-fine"));
  ::close(bad);
  ::close(good);
}

TEST_F(TcpTest, HalfClosedPeerStillGetsItsReply) {
  start();
  std::string big(1 << 20, 'R');  // large enough to be queued, not written at once
  handler_.on_receive = [&](const ReceivedMessage& m) {
    net_->send(m.transport, m.src, big, m.conn_id);
  };
  int fd = tcp_client(server_);
  ASSERT_TRUE(write_all(fd, sip_message("half")));
  ASSERT_TRUE(handler_.wait_for(1));
  ::shutdown(fd, SHUT_WR);
  EXPECT_EQ(read_n(fd, big.size()).size(), big.size());
  EXPECT_TRUE(closed_by_peer(fd));
  net_->stop();  // the handler's thread reads `big`: stop it before `big` goes away
  ::close(fd);
}

TEST_F(TcpTest, PeerCloseIsCountedAndTheSlotIsFreed) {
  start();
  int fd = tcp_client(server_);
  ASSERT_TRUE(write_all(fd, sip_message("bye")));
  ASSERT_TRUE(handler_.wait_for(1));
  EXPECT_EQ(net_->connection_count(), 1u);
  ::close(fd);
  EXPECT_TRUE(eventually([&] { return net_->connection_count() == 0; }));
  EXPECT_EQ(net_->stats().closed_eof, 1u);
}

// A worker stuck in a long task (a burst of RSA signatures, a slow script) does not hold up new
// clients: the listen socket is shared by the workers, so the idle one accepts and serves every
// new connection. With one SO_REUSEPORT socket per worker, the kernel's hash left about half of
// them waiting for the stuck worker.
TEST_F(TcpTest, ABusyWorkerLeavesNewConnectionsToTheOthers) {
  start(test_settings(2));
  constexpr size_t kClients = 12;
  std::vector<int> fds;
  bool all_read = false;
  size_t served = 0;
  {
    WorkerHold hold(*net_, 0);
    ASSERT_TRUE(hold.holding()) << "worker 0 never ran the task";
    for (size_t i = 0; i < kClients; ++i) {
      int fd = tcp_client(server_);
      if (fd >= 0) fds.push_back(fd);
      if (fd < 0 || !write_all(fd, sip_message("c" + std::to_string(i)))) break;
    }
    all_read = fds.size() == kClients && handler_.wait_for(kClients);
    served = handler_.messages().size();
  }
  EXPECT_TRUE(all_read) << served << " of " << kClients
                        << " new clients served while worker 0 was busy";
  for (const Received& m : handler_.messages()) EXPECT_EQ(m.worker, 1);
  EXPECT_EQ(net_->stats().accepted, kClients);
  for (int fd : fds) ::close(fd);
}

// The kernel's bound on unacknowledged data is twice the send timeout on every accepted
// connection (it comes with the fd from the listening socket).
TEST_F(TcpTest, AcceptedConnectionsHaveTheKernelSendBoundOfTheSendTimeout) {
  NetSettings s = test_settings();
  s.send_timeout = std::chrono::milliseconds(2500);
  start(s);
  std::vector<int> fds;
  for (int i = 0; i < 3; ++i) {
    int fd = tcp_client(server_);
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
    ASSERT_TRUE(write_all(fd, sip_message("b" + std::to_string(i))));
  }
  ASSERT_TRUE(handler_.wait_for(fds.size()));
  for (int fd : fds) EXPECT_EQ(server_end_user_timeout(fd), 5000);
  for (int fd : fds) ::close(fd);
}

}  // namespace
}  // namespace core::net
