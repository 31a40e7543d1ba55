// Connection management: limits, connect failures and timeouts, send timeout, idle lifetime.
#include <gtest/gtest.h>

#include <fcntl.h>

#include "core/net/plain_socket.h"
#include "net_test_util.h"

namespace core::net {
namespace {
using namespace testing;

using Server = EchoServer;

TEST(ConnectionTest, MaxConnectionsRefusesTheExtraOneAndKeepsTheOthers) {
  NetSettings s = test_settings();
  s.max_connections = 2;
  Server srv(s);
  ASSERT_TRUE(srv.started);
  int a = tcp_client(srv.addr);
  int b = tcp_client(srv.addr);
  ASSERT_TRUE(srv.round_trip(a, "a"));
  ASSERT_TRUE(srv.round_trip(b, "b"));
  int c = tcp_client(srv.addr);  // the kernel completes the handshake; ser closes it
  ASSERT_GE(c, 0);
  EXPECT_TRUE(closed_by_peer(c));
  EXPECT_EQ(srv.net.stats().refused, 1u);
  EXPECT_EQ(srv.net.stats().accepted, 2u);
  EXPECT_TRUE(srv.round_trip(a, "a2"));
  EXPECT_TRUE(srv.round_trip(b, "b2"));
  // A slot freed by a close is usable again.
  ::close(a);
  EXPECT_TRUE(eventually([&] { return srv.net.connection_count() == 1; }));
  int d = tcp_client(srv.addr);
  EXPECT_TRUE(srv.round_trip(d, "d"));
  ::close(b);
  ::close(c);
  ::close(d);
}

TEST(ConnectionTest, ConnectToAClosedPortFailsAndIsCounted) {
  RecordingHandler handler;
  Net net(test_settings(), handler);
  ASSERT_TRUE(net.start());
  // A port that was just free: bind, learn it, close it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  SocketAddr any = *SocketAddr::parse("127.0.0.1", 0);
  ASSERT_EQ(::bind(fd, any.sa(), any.len()), 0);
  SocketAddr dead = local_address_of(fd);
  ::close(fd);
  net.send(Transport::kTcp, dead, sip_message("nobody"));
  EXPECT_TRUE(eventually([&] { return net.stats().connect_failed == 1; }));
  EXPECT_TRUE(eventually([&] { return net.connection_count() == 0; }));
  net.stop();
}

TEST(ConnectionTest, ConnectToABlackHoleTimesOut) {
  // A listener with a full accept queue that never accepts: Linux drops further SYNs, so a
  // connect neither succeeds nor fails — exactly what tcp_connect_timeout is for.
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  SocketAddr any = *SocketAddr::parse("127.0.0.1", 0);
  ASSERT_EQ(::bind(lfd, any.sa(), any.len()), 0);
  ASSERT_EQ(::listen(lfd, 0), 0);
  SocketAddr hole = local_address_of(lfd);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(f, hole.sa(), hole.len());
    fillers.push_back(f);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the queue fill
  RecordingHandler handler;
  NetSettings s = test_settings();
  s.connect_timeout = std::chrono::milliseconds(200);
  Net net(s, handler);
  ASSERT_TRUE(net.start());
  EXPECT_NE(net.send(Transport::kTcp, hole, sip_message("void")), SendResult::kFailed);
  EXPECT_TRUE(eventually([&] { return net.stats().connect_timeouts == 1; }));
  EXPECT_TRUE(eventually([&] { return net.connection_count() == 0; }));
  net.stop();
  for (int f : fillers) ::close(f);
  ::close(lfd);
}

TEST(ConnectionTest, PeerThatStopsReadingIsClosedAndOthersAreNotSlowed) {
  NetSettings s = test_settings(1);  // one worker: the slow peer shares the loop with the fast one
  s.send_timeout = std::chrono::milliseconds(300);
  Server srv(s);
  ASSERT_TRUE(srv.started);
  std::string flood(8 << 20, 'F');
  srv.handler.on_receive = [&](const ReceivedMessage& m) {
    if (m.data.find("sip:flood@") != std::string_view::npos) {
      srv.net.send(m.transport, m.src, flood, m.conn_id);
    } else {
      srv.net.send(m.transport, m.src, "ok:" + std::string(m.data.substr(0, 12)), m.conn_id);
    }
  };
  int slow = tcp_client(srv.addr, 4096);
  int fast = tcp_client(srv.addr);
  ASSERT_TRUE(write_all(slow, sip_message("flood")));
  ASSERT_TRUE(srv.handler.wait_for(1));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(srv.round_trip(fast, "fast" + std::to_string(i)));
  EXPECT_TRUE(eventually([&] { return srv.net.stats().send_timeouts == 1; }));
  EXPECT_TRUE(srv.round_trip(fast, "after"));
  EXPECT_EQ(srv.net.connection_count(), 1u);
  srv.net.stop();  // before `flood`, which the handler refers to, goes away
  ::close(slow);
  ::close(fast);
}

// Sends `data` a byte at a time, one every 100 ms, until the peer closes; true when it did.
bool trickle_until_closed(int fd, std::string_view data) {
  set_recv_timeout(fd, std::chrono::milliseconds(100));
  for (char c : data) {
    if (::send(fd, &c, 1, MSG_NOSIGNAL) != 1) return true;
    char buf[64];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
  }
  return false;
}

TEST(ConnectionTest, APartialMessageTrickledByteByByteIsClosedAtTheMessageReadTimeout) {
  NetSettings s = test_settings();
  s.msg_read_timeout = std::chrono::milliseconds(500);
  Server srv(s);
  ASSERT_TRUE(srv.started);
  int fd = tcp_client(srv.addr);
  std::string m = sip_message("trickle");
  ASSERT_TRUE(write_all(fd, m.substr(0, 20)));
  // 40 more bytes at 10 per second would take 4 s: the 500 ms deadline comes first.
  EXPECT_TRUE(trickle_until_closed(fd, m.substr(20, 40)));
  EXPECT_EQ(srv.net.stats().msg_read_timeouts, 1u);
  EXPECT_TRUE(srv.handler.messages().empty());
  ::close(fd);
}

TEST(ConnectionTest, AMessageCompletedInTimeIsServedAndTheDeadlineEndsWithIt) {
  NetSettings s = test_settings();
  s.msg_read_timeout = std::chrono::milliseconds(500);
  Server srv(s);
  ASSERT_TRUE(srv.started);
  int fd = tcp_client(srv.addr);
  std::string m = sip_message("slow");
  ASSERT_TRUE(write_all(fd, m.substr(0, 20)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(write_all(fd, m.substr(20)));
  EXPECT_EQ(read_n(fd, 15), "ok:" + m.substr(0, 12));
  // Past the deadline the first half started: nothing is partly received, nothing closes.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_TRUE(srv.round_trip(fd, "again"));
  EXPECT_EQ(srv.net.stats().msg_read_timeouts, 0u);
  ::close(fd);
}

TEST(ConnectionTest, IdleConnectionIsClosedAfterItsLifetime) {
  NetSettings s = test_settings();
  s.connection_lifetime = std::chrono::milliseconds(200);
  Server srv(s);
  ASSERT_TRUE(srv.started);
  int fd = tcp_client(srv.addr);
  ASSERT_TRUE(srv.round_trip(fd, "idle"));
  EXPECT_TRUE(closed_by_peer(fd));
  EXPECT_EQ(srv.net.stats().closed_idle, 1u);
  EXPECT_TRUE(eventually([&] { return srv.net.connection_count() == 0; }));
  ::close(fd);
}

TEST(ConnectionTest, ActiveConnectionOutlivesItsIdleLifetime) {
  NetSettings s = test_settings();
  s.connection_lifetime = std::chrono::milliseconds(300);
  Server srv(s);
  ASSERT_TRUE(srv.started);
  int fd = tcp_client(srv.addr);
  // Traffic every 100 ms for ~1 s: the connection never sits idle for its lifetime.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(srv.round_trip(fd, "busy" + std::to_string(i)));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(srv.net.stats().closed_idle, 0u);
  ::close(fd);
}

TEST(ConnectionTest, StopFlushesPendingWrites) {
  NetSettings s = test_settings(1);
  Server srv(s);
  ASSERT_TRUE(srv.started);
  std::string big(2 << 20, 'S');
  srv.handler.on_receive = [&](const ReceivedMessage& m) {
    srv.net.send(m.transport, m.src, big, m.conn_id);
  };
  int fd = tcp_client(srv.addr);
  ASSERT_TRUE(write_all(fd, sip_message("stop")));
  ASSERT_TRUE(srv.handler.wait_for(1));
  std::thread stopper([&] { srv.net.stop(); });
  std::string got = read_n(fd, big.size());
  stopper.join();
  EXPECT_EQ(got.size(), big.size());
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
}

}  // namespace
}  // namespace core::net

namespace core::net {
namespace {
using namespace testing;

// A plain TCP factory that counts the sockets it makes.
struct CountingFactory : TransportSocketFactory {
  PoolPtr<TransportSocket> create(const TransportSocketOptions& o, Pool& pool) override {
    ++made;
    return plain.create(o, pool);
  }
  PlainSocketFactory plain;
  std::atomic<int> made{0};
};

TEST(ConnectionTest, SharedPoolBudgetRefusesNewConnectionsAndRecovers) {
  // DESIGN.md principle 3: above the guard's high-water mark new connections are refused
  // before anything is made for them, existing ones keep working, and the budget is usable
  // again as soon as connections close (nothing sticky: kamailio#4777).
  Pool shm("test-shm", 0);
  RecordingHandler handler;
  Net net(test_settings(1), handler, shm);
  CountingFactory factory;
  int lid = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), &factory});
  handler.on_receive = [&](const ReceivedMessage& m) {
    net.send(m.transport, m.src, "ok", m.conn_id);
  };
  ASSERT_TRUE(net.start());
  SocketAddr addr = net.listen_address(lid);
  int a = tcp_client(addr);
  ASSERT_TRUE(write_all(a, sip_message("a")));
  ASSERT_EQ(read_n(a, 2), "ok");
  size_t one = shm.stats().in_use;
  ASSERT_GT(one, 0u);
  shm.set_budget(one + one / 2);  // room for the first connection only
  int b = tcp_client(addr);
  EXPECT_TRUE(closed_by_peer(b));
  MemoryGuardStats g = net.guard().stats();
  EXPECT_EQ(g.refused_connections, 1u);
  EXPECT_TRUE(g.refusing);
  EXPECT_EQ(factory.made.load(), 1) << "refused before its transport socket was made";
  EXPECT_EQ(net.stats().refused_memory, 0u) << "no allocation was tried";
  ASSERT_TRUE(write_all(a, sip_message("a2")));
  EXPECT_EQ(read_n(a, 2), "ok");
  ::close(a);
  EXPECT_TRUE(eventually([&] { return shm.stats().in_use == 0; }));
  EXPECT_FALSE(net.guard().stats().refusing);
  int c = tcp_client(addr);
  ASSERT_TRUE(write_all(c, sip_message("c")));
  EXPECT_EQ(read_n(c, 2), "ok");
  EXPECT_EQ(net.guard().stats().refused_connections, 1u);
  net.stop();
  ::close(b);
  ::close(c);
}

}  // namespace
}  // namespace core::net
