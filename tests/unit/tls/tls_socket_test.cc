// TlsSocket under real core::net connections: a loopback TLS listener (port 0) whose factory is
// TlsSocketFactory, the domains built by DomainSet::build from the test PKI, and clients made
// of a TlsEngine over a blocking socket (receive timeouts keep every test bounded).
#include "tls/tls_socket.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cfg/config_loader.h"
#include "cfg/config_model.h"
#include "cfg/diagnostics.h"
#include "core/base/log.h"
#include "core/net/net.h"
#include "tests/unit/net/net_test_util.h"
#include "tests/unit/tls/test_certs.h"
#include "tests/unit/tls/tls_client.h"
#include "tls/domain_set.h"
#include "tls/handshake_limiter.h"
#include "tls/tls_socket_factory.h"
#include "tls/tls_stats.h"

namespace tls {
namespace {

using core::Transport;
using core::net::Net;
using core::net::NetSettings;
using core::net::ReceivedMessage;
using core::net::SocketAddr;
using core::net::testing::closed_by_peer;
using core::net::testing::eventually;
using core::net::testing::RecordingHandler;
using core::net::testing::server_end_user_timeout;
using core::net::testing::sip_message;
using core::net::testing::tcp_client;
using core::net::testing::test_settings;
using core::net::testing::write_all;
using test::TestCerts;
using test::TlsClient;
using namespace std::chrono_literals;

// The default domains' settings: the server certificate (also the client's), trusting ca.pem.
cfg::TlsSettings test_settings_tls(std::chrono::milliseconds handshake_timeout) {
  const TestCerts& certs = TestCerts::get();
  cfg::TlsSettings s;
  s.certificate = certs.path("server.pem");
  s.private_key = certs.path("server.key");
  s.ca_list = certs.path("ca.pem");
  s.handshake_timeout = handshake_timeout;
  return s;
}

std::shared_ptr<const DomainSet> build_domains(const cfg::TlsSettings& settings) {
  cfg::Config config;
  config.cfg_dir = TestCerts::get().dir();
  config.tls.defaults = settings;
  cfg::Diagnostics diags;
  auto set = DomainSet::build(config, diags);
  EXPECT_TRUE(set) << diags.first_error();
  return set;
}

// Captures log lines (level info and more important) for the life of the object.
class LogCapture {
 public:
  LogCapture() : old_level_(core::log_level()) {
    core::log_set_sink([this](core::LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.emplace_back(line);
    });
    core::log_set_level(3);
  }
  ~LogCapture() {
    core::log_set_sink(nullptr);
    core::log_set_level(old_level_);
  }
  std::vector<std::string> matching(const std::string& part) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& l : lines_)
      if (l.find(part) != std::string::npos) out.push_back(l);
    return out;
  }

 private:
  int old_level_;
  std::mutex mu_;
  std::vector<std::string> lines_;
};

struct TlsServer {
  explicit TlsServer(NetSettings ns, std::chrono::milliseconds handshake_timeout = 5000ms,
                     uint32_t max_handshakes_per_ip = 0)
      : TlsServer(ns, build_domains(test_settings_tls(handshake_timeout)), max_handshakes_per_ip) {}
  TlsServer(NetSettings ns, std::shared_ptr<const DomainSet> d, uint32_t max_handshakes_per_ip = 0,
            uint16_t port = 0)
      : limiter(max_handshakes_per_ip),
        domains(std::move(d)),
        factory(domains, stats, &limiter),
        net(ns, handler) {
    lid = net.add_listener({Transport::kTls, *SocketAddr::parse("127.0.0.1", port), &factory});
    handler.on_receive = [this](const ReceivedMessage& m) {
      net.send(m.transport, m.src, "ok:" + std::string(m.data.substr(0, 12)), m.conn_id);
    };
    started = domains && lid >= 0 && net.start();
    addr = net.listen_address(lid);
  }
  ~TlsServer() { net.stop(); }

  RecordingHandler handler;
  TlsStats stats;
  HandshakeLimiter limiter;
  std::shared_ptr<const DomainSet> domains;
  TlsSocketFactory factory;
  Net net;
  int lid = -1;
  bool started = false;
  SocketAddr addr;
};

TEST(TlsSocketTest, HandshakeThenASipRequestIsReceivedAndAnswered) {
  TlsServer srv(test_settings());
  ASSERT_TRUE(srv.started);
  TlsClient c(srv.addr);
  ASSERT_TRUE(c.handshake()) << c.engine().error();
  std::string m = sip_message("tls1");
  ASSERT_TRUE(c.send(m));
  ASSERT_TRUE(srv.handler.wait_for(1));
  auto got = srv.handler.messages();
  EXPECT_EQ(got[0].transport, Transport::kTls);
  EXPECT_EQ(got[0].data, m);
  EXPECT_EQ(c.read(15), "ok:" + m.substr(0, 12));
  EXPECT_EQ(srv.stats.snapshot().handshakes_done, 1u);
  EXPECT_EQ(srv.limiter.in_progress(srv.addr), 0u);
  // A second message in two records split at an odd place is framed as one.
  std::string m2 = sip_message("tls2", "body");
  ASSERT_TRUE(c.send(m2.substr(0, 7)));
  ASSERT_TRUE(c.send(m2.substr(7)));
  EXPECT_EQ(c.read(15), "ok:" + m2.substr(0, 12));
}

// Write coalescing: the replies to the requests of one read leave in one record (and one send),
// not one record each.
TEST(TlsSocketTest, RepliesToEightPipelinedRequestsLeaveInOneTlsRecord) {
  TlsServer srv(test_settings(1));
  ASSERT_TRUE(srv.started);
  TlsClient c(srv.addr);
  ASSERT_TRUE(c.handshake()) << c.engine().error();
  // A first request: what the handshake left (TLS 1.3 tickets) comes before its reply.
  std::string first = sip_message("first");
  ASSERT_TRUE(c.send(first));
  ASSERT_EQ(c.read(15), "ok:" + first.substr(0, 12));
  size_t before = c.records_received();
  std::string batch, expected;
  for (int i = 0; i < 8; ++i) {
    std::string m = sip_message("pipelined" + std::to_string(i));
    batch += m;
    expected += "ok:" + m.substr(0, 12);
  }
  ASSERT_TRUE(c.send(batch));  // one record in one segment: one read for the server
  ASSERT_EQ(c.read(expected.size()), expected);
  EXPECT_EQ(c.records_received() - before, 1u);
  EXPECT_EQ(srv.handler.messages().size(), 9u);
}

TEST(TlsSocketTest, MutualTlsFactsReachTheMessageHandler) {
  cfg::TlsSettings tls = test_settings_tls(5000ms);
  tls.verify = true;
  tls.require_certificate = true;
  TlsServer srv(test_settings(), build_domains(tls));
  ASSERT_TRUE(srv.started);
  std::mutex mu;
  std::vector<std::string> facts;
  srv.handler.on_receive = [&](const ReceivedMessage& m) {
    std::lock_guard<std::mutex> lock(mu);
    if (m.security == nullptr) return;
    facts = {std::string(m.security->version),
             std::string(m.security->cipher),
             std::string(m.security->peer_subject_cn),
             std::string(m.security->peer_san_dns),
             std::string(m.security->sni),
             m.security->peer_verified ? "verified" : "not"};
  };
  TlsClient c(srv.addr, 0, "client");
  ASSERT_TRUE(c.handshake()) << c.engine().error();
  ASSERT_TRUE(c.send(sip_message("mtls")));
  ASSERT_TRUE(srv.handler.wait_for(1));
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(facts.size(), 6u);
  EXPECT_EQ(facts[0], "TLSv1.3");
  EXPECT_FALSE(facts[1].empty());
  EXPECT_EQ(facts[2], "client.test");
  EXPECT_EQ(facts[3], "client.test");
  EXPECT_EQ(facts[4], "localhost");
  EXPECT_EQ(facts[5], "verified");
}

TEST(TlsSocketTest, ClientCloseNotifyIsAnsweredAndTheConnectionCloses) {
  TlsServer srv(test_settings());
  ASSERT_TRUE(srv.started);
  TlsClient c(srv.addr);
  ASSERT_TRUE(c.handshake());
  ASSERT_TRUE(c.send(sip_message("bye")));
  EXPECT_EQ(c.read(3), "ok:");
  c.read(12);
  ASSERT_EQ(c.engine().start_close(), TlsResult::kOk);
  ASSERT_TRUE(c.send_output());
  // The server answers with its own close_notify (RFC 8446 §6.1), then closes.
  char buf[64];
  size_t n = 0;
  TlsResult r = TlsResult::kWantRead;
  for (int i = 0; i < 10 && r == TlsResult::kWantRead; ++i) {
    c.read(1);
    r = c.engine().read(std::span<char>(buf, sizeof(buf)), n);
  }
  EXPECT_EQ(r, TlsResult::kClosed);
  EXPECT_TRUE(eventually([&] { return srv.net.connection_count() == 0; }));
  EXPECT_GE(srv.stats.snapshot().close_notify_sent, 1u);
}

// Sends `n` KeyUpdate(update_requested) messages (RFC 8446 §4.6.3) and reads nothing.
bool send_key_updates(TlsClient& c, int n) {
  for (int i = 0; i < n; ++i) {
    if (SSL_key_update(c.engine().ssl(), SSL_KEY_UPDATE_REQUESTED) != 1) return false;
    SSL_do_handshake(c.engine().ssl());
    if (!c.send_output()) return false;
  }
  return true;
}

TEST(TlsSocketTest, ClientAskingForKeyUpdatesInALoopIsClosedAndCounted) {
  TlsServer srv(test_settings());
  ASSERT_TRUE(srv.started);
  TlsClient c(srv.addr);
  ASSERT_TRUE(c.handshake()) << c.engine().error();
  ASSERT_TRUE(send_key_updates(c, TlsSocket::kMaxRenegotiations + 1));
  EXPECT_TRUE(closed_by_peer(c.fd()));
  EXPECT_TRUE(eventually([&] { return srv.stats.snapshot().renegotiation_floods == 1; }));
  EXPECT_TRUE(eventually([&] { return srv.net.connection_count() == 0; }));
}

TEST(TlsSocketTest, AFewKeyUpdatesAreAnsweredAndTheClientIsServed) {
  TlsServer srv(test_settings());
  ASSERT_TRUE(srv.started);
  TlsClient c(srv.addr);
  ASSERT_TRUE(c.handshake()) << c.engine().error();
  ASSERT_TRUE(send_key_updates(c, 3));
  std::string m = sip_message("rekeyed");
  ASSERT_TRUE(c.send(m));
  EXPECT_EQ(c.read(15), "ok:" + m.substr(0, 12));
  EXPECT_EQ(srv.stats.snapshot().renegotiation_floods, 0u);
}

TEST(TlsSocketTest, PartOfARecordTrickledIsClosedAtTheMessageReadTimeout) {
  NetSettings ns = test_settings();
  ns.msg_read_timeout = 500ms;
  TlsServer srv(ns);
  ASSERT_TRUE(srv.started);
  TlsClient c(srv.addr);
  ASSERT_TRUE(c.handshake()) << c.engine().error();
  size_t taken = 0;
  ASSERT_EQ(c.engine().write(sip_message("partial"), taken), TlsResult::kOk);
  std::string record(c.engine().output());
  c.engine().consume_output(record.size());
  ASSERT_TRUE(write_all(c.fd(), std::string_view(record).substr(0, 10)));
  // The rest, one byte every 100 ms, never reaches the end of the record in time.
  core::net::testing::set_recv_timeout(c.fd(), 100ms);
  bool closed = false;
  for (size_t i = 10; i < 60 && !closed; ++i) {
    closed = ::send(c.fd(), &record[i], 1, MSG_NOSIGNAL) != 1;
    char buf[4096];
    ssize_t n = 0;
    while (!closed && (n = ::recv(c.fd(), buf, sizeof(buf), 0)) > 0) {
    }
    closed = closed || n == 0 || (n < 0 && errno == ECONNRESET);
  }
  EXPECT_TRUE(closed);
  EXPECT_EQ(srv.net.stats().msg_read_timeouts, 1u);
  EXPECT_TRUE(srv.handler.messages().empty());
}

TEST(TlsSocketTest, SilentClientIsClosedAtTheHandshakeDeadline) {
  TlsServer srv(test_settings(), 1000ms);
  ASSERT_TRUE(srv.started);
  int fd = tcp_client(srv.addr);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(closed_by_peer(fd));  // within the 5 s receive timeout
  EXPECT_TRUE(eventually([&] { return srv.stats.snapshot().handshake_timeouts == 1; }));
  EXPECT_EQ(srv.net.stats().handshake_timeouts, 1u);
  EXPECT_EQ(srv.stats.snapshot().failed_total(), 0u);
  EXPECT_TRUE(eventually([&] { return srv.limiter.in_progress(srv.addr) == 0; }));
  ::close(fd);
}

TEST(TlsSocketTest, ClientThatStopsHalfWayThroughTheClientHelloIsClosedAtTheDeadline) {
  TlsServer srv(test_settings(), 1000ms);
  ASSERT_TRUE(srv.started);
  TlsClient c(srv.addr);
  ASSERT_EQ(c.engine().handshake(), TlsResult::kWantRead);
  std::string hello(c.engine().output());
  ASSERT_GT(hello.size(), 20u);
  ASSERT_TRUE(write_all(c.fd(), std::string_view(hello).substr(0, hello.size() / 2)));
  EXPECT_TRUE(closed_by_peer(c.fd()));
  EXPECT_TRUE(eventually([&] { return srv.stats.snapshot().handshake_timeouts == 1; }));
  EXPECT_EQ(srv.net.stats().handshake_timeouts, 1u);
}

TEST(TlsSocketTest, PlainSipOnTheTlsPortFailsTheHandshakeAndIsCounted) {
  TlsServer srv(test_settings());
  ASSERT_TRUE(srv.started);
  int fd = tcp_client(srv.addr);
  ASSERT_TRUE(write_all(fd, sip_message("plain")));
  EXPECT_TRUE(closed_by_peer(fd));
  EXPECT_TRUE(
      eventually([&] { return srv.stats.snapshot().failed_by(HandshakeFailure::kProtocol) == 1; }));
  EXPECT_TRUE(srv.handler.messages().empty());
  ::close(fd);
}

TEST(TlsSocketTest, HandshakeFailureIsLoggedOnceWithTheConnectionPrefix) {
  LogCapture log;
  {
    TlsServer srv(test_settings());
    ASSERT_TRUE(srv.started);
    int fd = tcp_client(srv.addr);
    ASSERT_TRUE(write_all(fd, sip_message("plain")));
    EXPECT_TRUE(closed_by_peer(fd));
    EXPECT_TRUE(eventually([&] { return srv.stats.snapshot().failed_total() == 1; }));
    ::close(fd);
  }
  std::vector<std::string> failures = log.matching("handshake failed: ");
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("[c#"), std::string::npos) << failures[0];
  EXPECT_NE(failures[0].find(" tls 127.0.0.1:"), std::string::npos) << failures[0];
  EXPECT_NE(failures[0].find("handshake failed: wrong version number"), std::string::npos)
      << failures[0];
}

TEST(TlsSocketTest, RequiredClientCertificateMissingFailsAndIsCounted) {
  cfg::TlsSettings s = test_settings_tls(5000ms);
  s.verify = true;
  s.require_certificate = true;
  TlsServer srv(test_settings(), build_domains(s));
  ASSERT_TRUE(srv.started);
  TlsClient c(srv.addr);
  c.handshake();  // TLS 1.3: the client may finish before the server checks its certificate
  EXPECT_TRUE(eventually(
      [&] { return srv.stats.snapshot().failed_by(HandshakeFailure::kNoCertificate) == 1; }));
  EXPECT_TRUE(closed_by_peer(c.fd()));
  EXPECT_EQ(srv.stats.snapshot().handshakes_done, 0u);
  EXPECT_TRUE(srv.handler.messages().empty());
}

// The client side: Net connects out through a client TlsSocketFactory.
struct TlsClientNet {
  explicit TlsClientNet(std::shared_ptr<const DomainSet> d)
      : domains(std::move(d)), factory(domains, stats), net(test_settings(), handler) {
    net.set_client_factory(Transport::kTls, &factory);
    started = domains && net.start();
  }
  ~TlsClientNet() { net.stop(); }
  RecordingHandler handler;
  TlsStats stats;
  std::shared_ptr<const DomainSet> domains;
  TlsSocketFactory factory;
  Net net;
  bool started = false;
};

constexpr const char* kOkResponse = "SIP/2.0 200 OK\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n";

TEST(TlsSocketTest, OutboundConnectionCarriesTheRequestAndItsResponse) {
  TlsServer srv(test_settings());
  ASSERT_TRUE(srv.started);
  srv.handler.on_receive = [&](const ReceivedMessage& m) {
    srv.net.send(m.transport, m.src, kOkResponse, m.conn_id);
  };
  TlsClientNet client(build_domains(test_settings_tls(5000ms)));
  ASSERT_TRUE(client.started);
  // Sent before the connection exists: queued by the connection until the handshake is done.
  client.net.send(Transport::kTls, srv.addr, sip_message("out"), 0, -1, {{}, "localhost"});
  ASSERT_TRUE(srv.handler.wait_for(1));
  EXPECT_EQ(srv.handler.messages()[0].data, sip_message("out"));
  ASSERT_TRUE(client.handler.wait_for(1));
  EXPECT_EQ(client.handler.messages()[0].data, kOkResponse);
  EXPECT_EQ(client.handler.messages()[0].transport, Transport::kTls);
  EXPECT_EQ(client.stats.snapshot().handshakes_done, 1u);
  EXPECT_EQ(srv.stats.snapshot().handshakes_done, 1u);
}

TEST(TlsSocketTest, OutboundVerifyFailureIsLoggedWithTheVerifyResultAndDepth) {
  TlsServer srv(test_settings());
  ASSERT_TRUE(srv.started);
  LogCapture log;
  cfg::TlsSettings s = test_settings_tls(5000ms);
  s.ca_list = TestCerts::get().path("other-ca.pem");  // does not trust the server's CA
  TlsClientNet client(build_domains(s));
  ASSERT_TRUE(client.started);
  client.net.send(Transport::kTls, srv.addr, sip_message("untrusted"), 0, -1, {{}, "localhost"});
  EXPECT_TRUE(eventually(
      [&] { return client.stats.snapshot().failed_by(HandshakeFailure::kVerify) == 1; }));
  EXPECT_TRUE(eventually([&] { return srv.stats.snapshot().failed_total() == 1; }));
  std::vector<std::string> lines = log.matching(
      "handshake failed: certificate verify failed: unable to get local issuer certificate "
      "(depth 1)");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("->" + srv.addr.to_string() + "]"), std::string::npos) << lines[0];
  EXPECT_TRUE(srv.handler.messages().empty());
}

// RFC 5922 §7.2: a verifying client checks the peer's name; with no name to check it does not
// connect at all rather than accept any certificate of a trusted CA.
TEST(TlsSocketTest, OutboundWithoutANameToCheckIsRefusedWithALogLine) {
  TlsServer srv(test_settings());
  ASSERT_TRUE(srv.started);
  LogCapture log;
  TlsClientNet client(build_domains(test_settings_tls(5000ms)));
  ASSERT_TRUE(client.started);
  client.net.send(Transport::kTls, srv.addr, sip_message("nameless"));
  EXPECT_TRUE(eventually([&] {
    return !log.matching("tls error: no name to check the peer's certificate against").empty();
  }));
  std::vector<std::string> lines = log.matching("no name to check");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("->" + srv.addr.to_string() + "]"), std::string::npos) << lines[0];
  EXPECT_EQ(client.stats.snapshot().handshakes_done, 0u);
  EXPECT_EQ(srv.stats.snapshot().handshakes_done, 0u);
  EXPECT_TRUE(srv.handler.messages().empty());
}

TEST(TlsSocketTest, MaxHandshakesPerIpMakesTheExtraConnectionWaitForASlot) {
  TlsServer srv(test_settings(), 5000ms, 2);
  ASSERT_TRUE(srv.started);
  int a = tcp_client(srv.addr);
  int b = tcp_client(srv.addr);
  ASSERT_TRUE(eventually([&] { return srv.limiter.in_progress(srv.addr) == 2; }));
  // The third is accepted and waits, unread, with its ClientHello in the kernel.
  TlsClient c(srv.addr);
  bool done = false;
  std::thread handshake([&] { done = c.handshake(); });
  ASSERT_TRUE(eventually([&] { return srv.limiter.waiting(srv.addr) == 1; }));
  EXPECT_EQ(srv.stats.snapshot().handshakes_waited, 1u);
  EXPECT_EQ(srv.net.stats().refused_transport, 0u);
  // A handshake that ends hands its slot over: the waiting client completes.
  ::close(a);
  handshake.join();
  ASSERT_TRUE(done) << c.engine().error();
  ASSERT_TRUE(c.send(sip_message("paced")));
  EXPECT_EQ(c.read(3), "ok:");
  EXPECT_TRUE(eventually([&] { return srv.limiter.in_progress(srv.addr) == 1; }));
  EXPECT_EQ(srv.limiter.waiting(srv.addr), 0u);
  ::close(b);
  EXPECT_TRUE(eventually([&] { return srv.limiter.in_progress(srv.addr) == 0; }));
}

TEST(TlsSocketTest, AConnectionWaitingForAHandshakeSlotIsClosedAtItsHandshakeDeadline) {
  TlsServer srv(test_settings(), 300ms, 1);
  ASSERT_TRUE(srv.started);
  int a = tcp_client(srv.addr);
  ASSERT_TRUE(eventually([&] { return srv.limiter.in_progress(srv.addr) == 1; }));
  int waiting = tcp_client(srv.addr);
  ASSERT_TRUE(eventually([&] { return srv.limiter.waiting(srv.addr) == 1; }));
  EXPECT_TRUE(closed_by_peer(waiting));
  EXPECT_TRUE(closed_by_peer(a));
  EXPECT_TRUE(eventually([&] { return srv.net.stats().handshake_timeouts == 2; }));
  EXPECT_EQ(srv.limiter.waiting(srv.addr), 0u);
  EXPECT_EQ(srv.limiter.in_progress(srv.addr), 0u);
  ::close(a);
  ::close(waiting);
}

TEST(TlsSocketTest, PeerThatStopsReadingIsClosedByTheSendTimeoutAndOthersKeepWorking) {
  NetSettings ns = test_settings(1);  // one worker: the slow peer shares the loop
  ns.send_timeout = 60s;              // tcp_send_timeout: not the one TLS connections use
  cfg::TlsSettings tls = test_settings_tls(5000ms);
  tls.send_timeout = 500ms;  // tls_send_timeout of the domain
  TlsServer srv(ns, build_domains(tls));
  ASSERT_TRUE(srv.started);
  std::string flood(8 << 20, 'F');
  srv.handler.on_receive = [&](const ReceivedMessage& m) {
    std::string reply = m.data.find("sip:flood@") != std::string_view::npos
                            ? flood
                            : "ok:" + std::string(m.data.substr(0, 12));
    srv.net.send(m.transport, m.src, reply, m.conn_id);
  };
  TlsClient slow(srv.addr, 4096);
  TlsClient fast(srv.addr);
  ASSERT_TRUE(slow.handshake());
  ASSERT_TRUE(fast.handshake());
  ASSERT_TRUE(slow.send(sip_message("flood")));
  ASSERT_TRUE(srv.handler.wait_for(1));
  for (int i = 0; i < 5; ++i) {
    std::string m = sip_message("fast" + std::to_string(i));
    ASSERT_TRUE(fast.send(m));
    EXPECT_EQ(fast.read(15), "ok:" + m.substr(0, 12));
  }
  EXPECT_TRUE(eventually([&] { return srv.net.stats().send_timeouts == 1; }));
  EXPECT_TRUE(eventually([&] { return srv.stats.snapshot().send_timeouts == 1; }));
  std::string m = sip_message("after");
  ASSERT_TRUE(fast.send(m));
  EXPECT_EQ(fast.read(15), "ok:" + m.substr(0, 12));
  EXPECT_EQ(srv.net.connection_count(), 1u);
}

// A loopback TCP port free when asked (a config naming its listener needs it beforehand).
uint16_t free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// The kernel's bound on unacknowledged data (twice the send timeout) follows the domain the
// client's SNI chose, as the send deadline does: a phone's domain with a short tls_send_timeout
// on a carrier's socket gets the phone's bound, not the socket's.
TEST(TlsSocketTest, TheKernelSendBoundFollowsTheDomainTheClientsSniChose) {
  uint16_t port = free_tcp_port();
  // The socket's domain sends within 3 s, its SNI domain "sni.test" within 7 s.
  std::string text = R"(
listen = tls:127.0.0.1:PORT
tls_certificate = "server.pem"
tls_private_key = "server.key"
tls_ca_list = "ca.pem"
tls_domain[127.0.0.1:PORT] {
    tls_send_timeout = 3
}
tls_domain[127.0.0.1:PORT, "sni.test"] {
    tls_certificate = "sni.pem"
    tls_private_key = "sni.key"
    tls_send_timeout = 7
}
route {
    forward();
}
)";
  for (size_t at; (at = text.find("PORT")) != std::string::npos;)
    text.replace(at, 4, std::to_string(port));
  cfg::Config config;
  cfg::Diagnostics diags;
  ASSERT_TRUE(cfg::load_config_text(TestCerts::get().dir() + "/ser.cfg", text, &config, &diags))
      << diags.first_error();
  auto domains = DomainSet::build(config, diags);
  ASSERT_TRUE(domains) << diags.first_error();
  TlsServer srv(test_settings(1), domains, 0, port);
  ASSERT_TRUE(srv.started);
  TlsClient socket_domain(srv.addr);  // "localhost": no domain of its own, the socket's answers
  TlsClient sni_domain(srv.addr, 0, "", "sni.test");
  for (TlsClient* c : {&socket_domain, &sni_domain}) {
    ASSERT_TRUE(c->handshake()) << c->engine().error();
    ASSERT_TRUE(c->send(sip_message("bound")));
    ASSERT_EQ(c->read(3), "ok:");  // the server has handled the end of the handshake
  }
  EXPECT_EQ(server_end_user_timeout(socket_domain.fd()), 6000);
  EXPECT_EQ(server_end_user_timeout(sni_domain.fd()), 14000);
}

TEST(HandshakeLimiterTest, CountsPerAddressIgnoringThePort) {
  HandshakeLimiter l(2);
  SocketAddr a1 = *SocketAddr::parse("192.0.2.1", 1000);
  SocketAddr a2 = *SocketAddr::parse("192.0.2.1", 2000);
  SocketAddr b = *SocketAddr::parse("2001:db8::1", 1000);
  EXPECT_TRUE(l.try_acquire(a1));
  EXPECT_TRUE(l.try_acquire(a2));
  EXPECT_FALSE(l.try_acquire(a1));
  EXPECT_TRUE(l.try_acquire(b));
  EXPECT_EQ(l.in_progress(a2), 2u);
  l.release(a1);
  EXPECT_TRUE(l.try_acquire(a2));
  HandshakeLimiter unlimited(0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(unlimited.try_acquire(a1));
}

TEST(TlsStatsTest, SnapshotCountsEachFailureReason) {
  TlsStats s;
  s.handshake_done();
  s.handshake_failed(HandshakeFailure::kVerify);
  s.handshake_failed(HandshakeFailure::kVerify);
  s.handshake_failed(HandshakeFailure::kCipher);
  s.handshake_timeout();
  TlsStatsSnapshot snap = s.snapshot();
  EXPECT_EQ(snap.handshakes_done, 1u);
  EXPECT_EQ(snap.failed_by(HandshakeFailure::kVerify), 2u);
  EXPECT_EQ(snap.failed_by(HandshakeFailure::kCipher), 1u);
  EXPECT_EQ(snap.failed_total(), 3u);
  EXPECT_EQ(snap.handshake_timeouts, 1u);
  EXPECT_STREQ(handshake_failure_name(HandshakeFailure::kNoCertificate), "no certificate");
}

}  // namespace
}  // namespace tls

namespace tls {
namespace {

// Every idle TLS connection holds one (DESIGN.md principle 6): besides OpenSSL's own SSL object,
// the socket, its engine and the handshake's facts stay within 720 bytes.
TEST(TlsSocketFootprint, ASocketWithItsEngineFitsIn720Bytes) {
  EXPECT_LE(sizeof(TlsSocket), 720u);
}

}  // namespace
}  // namespace tls
