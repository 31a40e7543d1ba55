// UDP listeners: datagram in, one message to the handler, reply from the same socket.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "net_test_util.h"

namespace core::net {
namespace {
using namespace testing;

void udp_round_trip(const char* ip) {
  RecordingHandler handler;
  Net net(test_settings(), handler);
  SocketAddr bind_to = *SocketAddr::parse(ip, 0);
  int lid = net.add_listener({Transport::kUdp, bind_to, nullptr});
  ASSERT_GE(lid, 0);
  handler.on_receive = [&](const ReceivedMessage& m) {
    net.send(Transport::kUdp, m.src, "echo:" + std::string(m.data), 0, m.listener_id);
  };
  ASSERT_TRUE(net.start());
  SocketAddr server = net.listen_address(lid);
  ASSERT_NE(server.port(), 0);

  int fd = ::socket(server.af(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  set_recv_timeout(fd, std::chrono::milliseconds(5000));
  std::string msg = sip_message("udp1");
  ASSERT_EQ(::sendto(fd, msg.data(), msg.size(), 0, server.sa(), server.len()),
            static_cast<ssize_t>(msg.size()));
  char buf[2048];
  SocketAddr from;
  socklen_t len = SocketAddr::capacity();
  ssize_t n = ::recvfrom(fd, buf, sizeof(buf), 0, from.sa(), &len);
  from.set_len(len);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, n), "echo:" + msg);
  EXPECT_EQ(from, server);  // the reply leaves from the listening socket (RFC 3261 §18.2.2)

  auto got = handler.messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].transport, Transport::kUdp);
  EXPECT_EQ(got[0].conn_id, 0u);
  EXPECT_EQ(got[0].dst, server);
  EXPECT_EQ(got[0].src.port(), local_address_of(fd).port());  // unbound client: port only
  EXPECT_EQ(net.stats().udp_received, 1u);
  ::close(fd);
  net.stop();
}

TEST(UdpTest, RoundTripIpv4) {
  udp_round_trip("127.0.0.1");
}

TEST(UdpTest, RoundTripIpv6) {
  if (!has_ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback";
  udp_round_trip("::1");
}

TEST(UdpTest, WildcardListenerReportsTheAddressTheDatagramWasSentTo) {
  RecordingHandler handler;
  Net net(test_settings(1), handler);
  int lid = net.add_listener({Transport::kUdp, SocketAddr::any(AF_INET, 0), nullptr});
  ASSERT_GE(lid, 0);
  ASSERT_TRUE(net.start());
  SocketAddr to = *SocketAddr::parse("127.0.0.1", net.listen_address(lid).port());
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  std::string m = sip_message("any");
  ::sendto(fd, m.data(), m.size(), 0, to.sa(), to.len());
  ASSERT_TRUE(handler.wait_for(1));
  EXPECT_EQ(handler.messages()[0].dst, to);
  net.stop();
  ::close(fd);
}

TEST(UdpTest, KeepAlivesAndOversizedDatagramsAreNotDelivered) {
  RecordingHandler handler;
  NetSettings s = test_settings(1);
  s.max_message_size = 1000;
  Net net(s, handler);
  int lid = net.add_listener({Transport::kUdp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_TRUE(net.start());
  SocketAddr server = net.listen_address(lid);
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  std::string ping = "\r\n\r\n";
  std::string big = sip_message("big", std::string(2000, 'b'));
  std::string ok = sip_message("ok");
  ::sendto(fd, ping.data(), ping.size(), 0, server.sa(), server.len());
  ::sendto(fd, big.data(), big.size(), 0, server.sa(), server.len());
  ::sendto(fd, ok.data(), ok.size(), 0, server.sa(), server.len());
  ASSERT_TRUE(handler.wait_for(1));
  net.stop();
  auto got = handler.messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, ok);
  EXPECT_EQ(net.stats().too_big, 1u);
  EXPECT_EQ(net.stats().pings, 1u);
  ::close(fd);
}

TEST(UdpTest, SendWithoutASocketOfThatFamilyFails) {
  RecordingHandler handler;
  Net net(test_settings(1), handler);
  ASSERT_GE(net.add_listener({Transport::kUdp, *SocketAddr::parse("127.0.0.1", 0), nullptr}), 0);
  ASSERT_TRUE(net.start());
  EXPECT_EQ(net.send(Transport::kUdp, *SocketAddr::parse("[::1]:5060"), "x"), SendResult::kFailed);
  EXPECT_EQ(net.stats().send_failed, 1u);
  net.stop();
}

size_t sysctl_value(const char* path) {
  size_t v = 0;
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return 0;
  if (std::fscanf(f, "%zu", &v) != 1) v = 0;
  std::fclose(f);
  return v;
}

// udp_rcvbuf / udp_sndbuf: what is asked is granted past net.core.rmem_max when ser may force
// it (root), else up to that maximum; the kernel reports twice what it was asked.
TEST(UdpTest, BuffersAreSizedAsAskedAndZeroKeepsTheKernelDefault) {
  constexpr size_t kAsked = 3u << 20;
  if (geteuid() != 0 && sysctl_value("/proc/sys/net/core/rmem_max") < kAsked)
    GTEST_SKIP() << "not root and net.core.rmem_max below " << kAsked;
  RecordingHandler handler;
  NetSettings s = test_settings(2);
  s.udp_rcvbuf = kAsked;
  s.udp_sndbuf = kAsked;
  Net net(s, handler);
  int lid = net.add_listener({Transport::kUdp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_GE(lid, 0);
  EXPECT_EQ(net.udp_buffers(lid), std::make_pair(int{2 * kAsked}, int{2 * kAsked}));

  s.udp_rcvbuf = 0;
  s.udp_sndbuf = 0;
  Net plain(s, handler);
  int other = plain.add_listener({Transport::kUdp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_GE(other, 0);
  auto [rcv, snd] = plain.udp_buffers(other);
  EXPECT_EQ(static_cast<size_t>(rcv), sysctl_value("/proc/sys/net/core/rmem_default"));
  EXPECT_EQ(static_cast<size_t>(snd), sysctl_value("/proc/sys/net/core/wmem_default"));
  int tcp = plain.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  EXPECT_EQ(plain.udp_buffers(tcp), std::make_pair(-1, -1));
}

TEST(ListenerTest, PortTakenByAnotherSocketFailsCleanly) {
  RecordingHandler handler;
  Net a(test_settings(1), handler);
  int lid = a.add_listener({Transport::kUdp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_GE(lid, 0);
  // A port held by a socket without SO_REUSEPORT cannot be shared: add_listener says so.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  SocketAddr any = *SocketAddr::parse("127.0.0.1", 0);
  ASSERT_EQ(::bind(fd, any.sa(), any.len()), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  SocketAddr taken = local_address_of(fd);
  EXPECT_EQ(a.add_listener({Transport::kTcp, taken, nullptr}), -1);
  ::close(fd);
}

}  // namespace
}  // namespace core::net

namespace core::net {
namespace {
using namespace testing;

std::string call_message(int call, int seq) {
  return "SIP/2.0 " + std::string(seq == 0 ? "180 Ringing" : "200 OK") +
         "\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK" + std::to_string(call) + "\r\ni: call-" +
         std::to_string(call) + "@trunk\r\nCSeq: " + std::to_string(seq) +
         " INVITE\r\nContent-Length: 0\r\n\r\n";
}

// One peer (a trunk: one address and port, which the kernel gives to one worker's socket) is
// spread over the workers by Call-ID, and each call's messages are handled in order by one.
TEST(UdpTest, OnePeersDatagramsAreSpreadOverTheWorkersByCallIdInOrderPerCall) {
  RecordingHandler handler;
  Net net(test_settings(2), handler);
  int lid = net.add_listener({Transport::kUdp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_GE(lid, 0);
  ASSERT_TRUE(net.start());
  SocketAddr server = net.listen_address(lid);
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  constexpr int kCalls = 40, kPerCall = 5;
  for (int seq = 0; seq < kPerCall; ++seq)
    for (int call = 0; call < kCalls; ++call) {
      std::string m = call_message(call, seq);
      ASSERT_EQ(::sendto(fd, m.data(), m.size(), 0, server.sa(), server.len()),
                static_cast<ssize_t>(m.size()));
    }
  ASSERT_TRUE(handler.wait_for(kCalls * kPerCall));
  std::map<std::string, std::vector<std::pair<int, std::string>>> by_call;  // worker, CSeq
  for (const Received& r : handler.messages()) {
    size_t i = r.data.find("\r\ni: ") + 5;
    std::string id = r.data.substr(i, r.data.find("\r\n", i) - i);
    size_t c = r.data.find("CSeq: ") + 6;
    by_call[id].emplace_back(r.worker, r.data.substr(c, 1));
  }
  ASSERT_EQ(by_call.size(), static_cast<size_t>(kCalls));
  std::set<int> workers;
  for (const auto& [id, got] : by_call) {
    ASSERT_EQ(got.size(), static_cast<size_t>(kPerCall)) << id;
    for (int seq = 0; seq < kPerCall; ++seq) {
      EXPECT_EQ(got[seq].first, got[0].first) << id << ": one worker per call";
      EXPECT_EQ(got[seq].second, std::to_string(seq)) << id << ": in the order sent";
    }
    workers.insert(got[0].first);
  }
  EXPECT_EQ(workers.size(), 2u) << "40 calls of one peer all on one worker";
  // Read by one socket, handled by both.
  EXPECT_EQ(net.worker_udp_received(0) + net.worker_udp_received(1),
            static_cast<uint64_t>(kCalls * kPerCall));
  EXPECT_GT(net.worker_udp_handled(0), 0u);
  EXPECT_GT(net.worker_udp_handled(1), 0u);
  ::close(fd);
  net.stop();
}

}  // namespace
}  // namespace core::net

namespace core::net {
namespace {
using namespace testing;

// The handler's connection hint (a response relayed to a TLS client) picks the worker owning
// that connection, whichever worker read the datagram.
class HintingHandler : public RecordingHandler {
 public:
  uint64_t connection_hint(std::string_view datagram) const override {
    size_t at = datagram.find("conn=");
    return at == std::string_view::npos ? 0 : std::stoull(std::string(datagram.substr(at + 5)));
  }
};

TEST(UdpTest, ADatagramForAConnectionIsHandledByTheWorkerThatOwnsIt) {
  HintingHandler handler;
  Net net(test_settings(2), handler);
  int tcp = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  int udp = net.add_listener({Transport::kUdp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_GE(tcp, 0);
  ASSERT_GE(udp, 0);
  ASSERT_TRUE(net.start());
  // One connection, then a second while the first one's worker is held in a task: the shared
  // listener leaves the second to the other worker, so each worker owns one.
  std::map<int, uint64_t> conn_of_worker;
  std::vector<int> fds;
  auto connect_one = [&] {
    int fd = tcp_client(net.listen_address(tcp));
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
    ASSERT_TRUE(write_all(fd, sip_message("c" + std::to_string(fds.size()))));
    ASSERT_TRUE(handler.wait_for(fds.size()));
    const Received r = handler.messages().back();  // a copy: messages() returns one
    conn_of_worker.emplace(r.worker, r.conn_id);
  };
  connect_one();
  {
    WorkerHold hold(net, conn_of_worker.begin()->first);
    ASSERT_TRUE(hold.holding());
    connect_one();
  }
  ASSERT_EQ(conn_of_worker.size(), 2u);
  size_t seen = handler.messages().size();
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  SocketAddr server = net.listen_address(udp);
  for (auto [worker, conn] : conn_of_worker) {
    std::string m = "SIP/2.0 200 OK\r\nX: conn=" + std::to_string(conn) + "\r\n\r\n";
    ASSERT_EQ(::sendto(fd, m.data(), m.size(), 0, server.sa(), server.len()),
              static_cast<ssize_t>(m.size()));
    ASSERT_TRUE(handler.wait_for(++seen));
    EXPECT_EQ(handler.messages().back().worker, worker) << "connection " << conn;
  }
  ::close(fd);
  for (int f : fds) ::close(f);
  net.stop();
}

}  // namespace
}  // namespace core::net
