// What the control plane sees (core::ControlService) of a real server: a Net over loopback
// with TCP and TLS listeners, the TLS runtime built from the test PKI, and real clients.
#include "core/control_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cfg/config_model.h"
#include "cfg/diagnostics.h"
#include "core/base/log.h"
#include "core/net/net.h"
#include "core/tls_support.h"
#include "tests/unit/net/net_test_util.h"

#if SER_WITH_TLS
#include "tests/unit/tls/test_certs.h"
#include "tests/unit/tls/tls_client.h"
#endif

namespace core {
namespace {

using control::Metric;
using core::Transport;
using net::Net;
using net::ReceivedMessage;
using net::SocketAddr;
using net::testing::eventually;
using net::testing::RecordingHandler;
using net::testing::sip_message;
using net::testing::tcp_client;
using net::testing::test_settings;
using net::testing::write_all;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// Every log line of the object's life.
class LogLines {
 public:
  LogLines() {
    log_set_sink([this](LogLevel level, std::string_view l) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.push_back({level, std::string(l)});
    });
  }
  ~LogLines() { log_set_sink(nullptr); }
  std::vector<std::string> matching(const std::string& part, LogLevel level) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [lv, l] : lines_)
      if (lv == level && l.find(part) != std::string::npos) out.push_back(l);
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<LogLevel, std::string>> lines_;
};

// The value of metric `name` whose labels include all of `labels`; -1 when there is none.
double metric(const std::vector<Metric>& all, const std::string& name,
              const std::map<std::string, std::string>& labels = {}) {
  for (const auto& m : all) {
    if (m.name != name) continue;
    size_t found = 0;
    for (const auto& [k, v] : m.labels) {
      auto it = labels.find(k);
      if (it != labels.end() && it->second == v) ++found;
    }
    if (found == labels.size()) return m.value;
  }
  return -1;
}

// The runtime of a server whose configuration uses no TLS.
std::shared_ptr<tls::TlsRuntime> no_tls() {
  cfg::Diagnostics diags;
  auto rt = build_tls_runtime(cfg::Config{}, diags);
  EXPECT_TRUE(rt) << diags.first_error();
  return rt;
}

// The proxy under test answers every message with "ok:<first 12 bytes>" on its connection.
struct Server {
  explicit Server(std::shared_ptr<tls::TlsRuntime> tls, int children = 2)
      : net(test_settings(children), handler),
        control(
            net, proxy_stats, [tls] { return tls; }, ControlHooks{}) {
    handler.on_receive = [this](const ReceivedMessage& m) {
      net.send(m.transport, m.src, "ok:" + std::string(m.data.substr(0, 12)), m.conn_id);
    };
    tcp = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
    if (tls->server_factory() != nullptr)
      tls_listener = net.add_listener(
          {Transport::kTls, *SocketAddr::parse("127.0.0.1", 0), tls->server_factory()});
  }
  ~Server() { net.stop(); }
  bool start() { return tcp >= 0 && net.start(); }

  RecordingHandler handler;
  proxy::ProxyStats proxy_stats;
  Net net;
  ControlService control;
  int tcp = -1;
  int tls_listener = -1;
};

std::string read_n(int fd, size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::recv(fd, out.data() + got, n - got, 0);
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return out;
}

TEST(ControlServiceTest, WorkersShowTheirConnectionsAndPoolFigures) {
  Server srv(no_tls());
  ASSERT_TRUE(srv.start());
  int fd = tcp_client(srv.net.listen_address(srv.tcp));
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(write_all(fd, sip_message("w1")));
  ASSERT_EQ(read_n(fd, 15).size(), 15u);
  auto workers = srv.control.workers();
  ASSERT_EQ(workers.size(), 2u);
  uint64_t connections = 0;
  for (const auto& w : workers) {
    EXPECT_TRUE(w.answered);
    EXPECT_EQ(w.pool_budget, srv.net.settings().pkg_budget);
    connections += w.connections;
  }
  EXPECT_EQ(connections, 1u);
  ::close(fd);
  ASSERT_TRUE(eventually([&] {
    uint64_t n = 0;
    for (const auto& w : srv.control.workers()) n += w.connections;
    return n == 0;
  }));
}

TEST(ControlServiceTest, AWorkerThatDoesNotAnswerIsReportedNotWaitedFor) {
  LogLines log;
  Server srv(no_tls());
  ASSERT_TRUE(srv.start());
  srv.control.set_worker_wait(std::chrono::milliseconds(200));
  // Worker 1 is held busy until the test lets it go.
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  ASSERT_TRUE(srv.net.post(1, [&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return release; });
  }));
  auto workers = srv.control.workers();
  auto list = srv.control.connections();
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  ASSERT_EQ(workers.size(), 2u);
  EXPECT_TRUE(workers[0].answered);
  EXPECT_FALSE(workers[1].answered);
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(
      log.matching("control: worker 1 did not answer within 200 ms", LogLevel::kWarning).size(),
      2u);
  // Once free it answers again (the held task has returned before it answers: the test's locals
  // it waits on outlive it).
  srv.control.set_worker_wait(std::chrono::seconds(10));
  for (const auto& w : srv.control.workers()) EXPECT_TRUE(w.answered);
}

TEST(ControlServiceTest, MetricsCountMessagesByTransportAndNameEveryFamilyOnce) {
  Server srv(no_tls());
  ASSERT_TRUE(srv.start());
  int fd = tcp_client(srv.net.listen_address(srv.tcp));
  ASSERT_TRUE(write_all(fd, sip_message("m1") + sip_message("m2")));
  ASSERT_EQ(read_n(fd, 30).size(), 30u);
  auto m = srv.control.metrics();
  EXPECT_EQ(metric(m, "messages_received_total", {{"transport", "tcp"}}), 2);
  EXPECT_EQ(metric(m, "messages_sent_total", {{"transport", "tcp"}}), 2);
  EXPECT_EQ(metric(m, "messages_received_total", {{"transport", "udp"}}), 0);
  EXPECT_EQ(metric(m, "connections", {{"transport", "tcp"}, {"state", "open"}}), 1);
  EXPECT_EQ(metric(m, "connections", {{"transport", "tls"}, {"state", "open"}}), 0);
  EXPECT_EQ(metric(m, "connections_accepted_total"), 1);
  EXPECT_EQ(metric(m, "workers"), 2);
  EXPECT_EQ(metric(m, "workers_unanswered"), 0);
  EXPECT_GT(metric(m, "pool_peak_bytes", {{"pool", "shm"}}), 0);
  EXPECT_EQ(metric(m, "pool_budget_bytes", {{"pool", "pkg"}, {"worker", "1"}}),
            static_cast<double>(srv.net.settings().pkg_budget));
  EXPECT_GT(metric(m, "pool_allocations_total", {{"pool", "shm"}}), 0);
  EXPECT_GE(metric(m, "library_memory_bytes", {{"library", "openssl"}}), 0);
  EXPECT_GE(metric(m, "library_memory_bytes", {{"library", "libevent"}}), 0);
  EXPECT_EQ(metric(m, "memory_guard_refusing"), 0);
  EXPECT_EQ(metric(m, "memory_guard_refused_total", {{"kind", "inbound"}}), 0);
  EXPECT_EQ(metric(m, "memory_guard_refused_total", {{"kind", "outbound"}}), 0);
  EXPECT_GE(metric(m, "allocation_drops_total"), 0);
  EXPECT_EQ(metric(m, "tls_connection_shm_bytes"), 0) << "no TLS connection";
  for (const char* reason : {"queue_full", "too_big", "bad_framing", "send_failed",
                             "forged_connection_tag", "malformed", "not_ours", "script"})
    EXPECT_EQ(metric(m, "messages_dropped_total", {{"reason", reason}}), 0) << reason;
  for (const char* result : {"routed", "failed", "forged"})
    EXPECT_EQ(metric(m, "sip_flow_requests_total", {{"result", result}}), 0) << result;
  EXPECT_EQ(metric(m, "connection_aliases_total"), 0);
  // The exporter prints one family per name: its samples must be adjacent, and counters (only
  // they) end in _total.
  std::set<std::string> done;
  std::string current;
  for (const auto& x : m) {
    if (x.name != current) {
      EXPECT_TRUE(done.insert(x.name).second) << x.name << " is split";
      current = x.name;
    }
    EXPECT_EQ(x.counter, x.name.ends_with("_total")) << x.name;
    EXPECT_FALSE(x.help.empty()) << x.name;
  }
  // A message over max_message_size is a drop by reason.
  std::string big = "INVITE sip:a@b SIP/2.0\r\nContent-Length: 999999\r\n\r\n";
  int fd2 = tcp_client(srv.net.listen_address(srv.tcp));
  ASSERT_TRUE(write_all(fd2, big));
  ASSERT_TRUE(eventually([&] {
    return metric(srv.control.metrics(), "messages_dropped_total", {{"reason", "too_big"}}) == 1;
  }));
  ::close(fd);
  ::close(fd2);
}

// The guard as serctl mem and the metrics show it: refusing while shm is above its high mark,
// the refusal counted, and back to accepting by itself once the memory is given back.
TEST(ControlServiceTest, MemoryShowsThePoolsAndTheGuardRefusingThenRecovering) {
  Pool shm("test-shm", 0);
  RecordingHandler handler;
  proxy::ProxyStats stats;
  Net net(test_settings(2), handler, shm);
  ControlService control(
      net, stats, [] { return no_tls(); }, ControlHooks{}, shm);
  int lid = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
  ASSERT_TRUE(net.start());
  control::MemoryInfo m = control.memory();
  ASSERT_EQ(m.pools.size(), 3u);
  EXPECT_EQ(m.pools[0].name, "shm");
  EXPECT_EQ(m.pools[2].name, "pkg");
  EXPECT_EQ(m.pools[2].worker, 1);
  EXPECT_EQ(m.pools[2].budget, net.settings().pkg_budget);
  EXPECT_EQ(m.high_water, 0u) << "no budget, no marks";
  EXPECT_FALSE(m.refusing);
  shm.set_budget(100000);
  void* held = shm.allocate(95000);
  int fd = tcp_client(net.listen_address(lid));
  EXPECT_TRUE(net::testing::closed_by_peer(fd));
  m = control.memory();
  EXPECT_EQ(m.high_water, 90000u);
  EXPECT_EQ(m.low_water, 80000u);
  EXPECT_TRUE(m.refusing);
  EXPECT_EQ(m.refused_connections, 1u);
  EXPECT_GE(m.pools[0].in_use, 95000u);
  EXPECT_GE(m.pools[0].peak, m.pools[0].in_use);
  EXPECT_GT(m.pools[0].allocations, 0u);
  auto metrics = control.metrics();
  EXPECT_EQ(metric(metrics, "memory_guard_refusing"), 1);
  EXPECT_EQ(metric(metrics, "memory_guard_refused_total", {{"kind", "inbound"}}), 1);
  EXPECT_EQ(metric(metrics, "memory_guard_high_water_bytes"), 90000);
  EXPECT_EQ(metric(metrics, "pool_budget_bytes", {{"pool", "shm"}}), 100000);
  shm.deallocate(held);
  EXPECT_FALSE(control.memory().refusing) << "recomputed from the live figure";
  int again = tcp_client(net.listen_address(lid));
  ASSERT_TRUE(write_all(again, sip_message("back")));
  EXPECT_TRUE(handler.wait_for(1));
  net.stop();
  ::close(fd);
  ::close(again);
}

TEST(ControlServiceTest, TheControlSocketAndTheMetricsEndpointMayAskAtOnce) {
  Server srv(no_tls());
  ASSERT_TRUE(srv.start());
  int fd = tcp_client(srv.net.listen_address(srv.tcp));
  ASSERT_TRUE(write_all(fd, sip_message("c1")));
  ASSERT_EQ(read_n(fd, 15).size(), 15u);
  std::atomic<int> wrong{0};
  auto ask = [&](bool list) {
    for (int i = 0; i < 30; ++i) {
      if (list && srv.control.connections().size() != 1) ++wrong;
      if (!list && metric(srv.control.metrics(), "connections",
                          {{"transport", "tcp"}, {"state", "open"}}) != 1)
        ++wrong;
      srv.control.tick();
    }
  };
  std::thread a(ask, true);
  std::thread b(ask, false);
  ask(true);
  a.join();
  b.join();
  EXPECT_EQ(wrong.load(), 0);
  ::close(fd);
}

TEST(ControlServiceTest, ExtraMetricsAndTheHooksAreHandedThrough) {
  auto none = no_tls();
  RecordingHandler handler;
  proxy::ProxyStats stats;
  Net net(test_settings(1), handler);
  ControlHooks hooks;
  hooks.extra_metrics = [] {
    return std::vector<Metric>{{"reloads_total", {{"result", "ok"}}, 3, true, "Reloads"}};
  };
  hooks.parameters = [] {
    return std::vector<std::pair<std::string, std::string>>{{"children", "1"}};
  };
  int reloads = 0;
  hooks.reload = [&](control::ReloadScope) {
    ++reloads;
    control::ReloadResult r;
    r.ok = true;
    return r;
  };
  ControlService control(
      net, stats, [none] { return none; }, hooks);
  ASSERT_TRUE(net.start());
  EXPECT_EQ(metric(control.metrics(), "reloads_total", {{"result", "ok"}}), 3);
  EXPECT_EQ(control.parameters().at(0).second, "1");
  EXPECT_TRUE(control.reload(control::ReloadScope::kTlsOnly).ok);
  EXPECT_EQ(reloads, 1);
  EXPECT_TRUE(control.tls_domains().empty());
  net.stop();
}

#if SER_WITH_TLS

using tls::test::TestCerts;
using tls::test::TlsClient;

cfg::TlsDomainConfig server_domain(const std::string& stem, uint16_t port) {
  const TestCerts& certs = TestCerts::get();
  cfg::TlsDomainConfig d;
  d.kind = cfg::TlsDomainKind::kServer;
  d.host = "127.0.0.1";
  d.port = port;
  d.settings.certificate = certs.path(stem + ".pem");
  d.settings.private_key = certs.path(stem + ".key");
  d.loc = {"t.cfg", 7, 1};
  return d;
}

// Default server domain: `stem` with mutual TLS (client certificates verified against ca.pem);
// plus tls_domain[127.0.0.2:5061] serving server2.
std::shared_ptr<tls::TlsRuntime> runtime(const std::string& stem) {
  const TestCerts& certs = TestCerts::get();
  cfg::Config config;
  config.cfg_dir = certs.dir();
  config.tls.defaults.certificate = certs.path(stem + ".pem");
  config.tls.defaults.private_key = certs.path(stem + ".key");
  config.tls.defaults.ca_list = certs.path("ca.pem");
  config.tls.defaults.verify = true;
  config.tls.defaults.require_certificate = true;
  cfg::TlsDomainConfig second = server_domain("server2", 5061);
  second.host = "127.0.0.2";
  second.settings.ca_list = certs.path("ca.pem");
  config.tls_domains.push_back(second);
  cfg::Diagnostics diags;
  auto rt = tls::TlsRuntime::create(config, diags);
  EXPECT_TRUE(rt) << diags.first_error();
  return rt;
}

TEST(ControlServiceTlsTest, ConnectionsShowATlsConnectionWithItsFactsAndMovingByteCounts) {
  auto tls = runtime("server");
  ASSERT_TRUE(tls);
  Server srv(tls);
  ASSERT_TRUE(srv.start());
  TlsClient c(srv.net.listen_address(srv.tls_listener), 0, "client");
  ASSERT_TRUE(c.handshake()) << c.engine().error();
  std::string m = sip_message("tls1");
  ASSERT_TRUE(c.send(m));
  ASSERT_EQ(c.read(15).size(), 15u);
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto list = srv.control.connections();
  ASSERT_EQ(list.size(), 1u);
  const control::ConnectionInfo& ci = list[0];
  EXPECT_EQ(ci.transport, "tls");
  EXPECT_EQ(ci.state, "open");
  EXPECT_FALSE(ci.outbound);
  EXPECT_EQ(ci.local, srv.net.listen_address(srv.tls_listener).to_string());
  EXPECT_THAT(ci.peer, MatchesRegex("127\\.0\\.0\\.1:[0-9]+"));
  EXPECT_EQ(ci.domain, "default server domain");
  EXPECT_EQ(ci.sni, "localhost");
  EXPECT_THAT(ci.version, MatchesRegex("TLSv1\\.[23]"));
  EXPECT_FALSE(ci.cipher.empty());
  EXPECT_EQ(ci.peer_subject, "CN=client.test");
  EXPECT_GT(ci.peer_not_after, now + 300 * 86400);  // the test PKI's leaves last a year or more
  EXPECT_TRUE(ci.peer_verified);
  EXPECT_GE(ci.worker, 0);
  EXPECT_GE(ci.age_seconds, 0);
  EXPECT_EQ(ci.bytes_in, m.size());
  EXPECT_EQ(ci.bytes_out, 15u);
  // The counters move with the traffic.
  std::string m2 = sip_message("tls2", "hello");
  ASSERT_TRUE(c.send(m2));
  ASSERT_EQ(c.read(15).size(), 15u);
  auto again = srv.control.connections();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, ci.id);
  EXPECT_EQ(again[0].bytes_in, m.size() + m2.size());
  EXPECT_EQ(again[0].bytes_out, 30u);
  EXPECT_GE(again[0].age_seconds, ci.age_seconds);
  auto metrics = srv.control.metrics();
  EXPECT_EQ(metric(metrics, "connections", {{"transport", "tls"}, {"state", "open"}}), 1);
  EXPECT_EQ(metric(metrics, "messages_received_total", {{"transport", "tls"}}), 2);
  EXPECT_EQ(metric(metrics, "messages_sent_total", {{"transport", "tls"}}), 2);
  EXPECT_GE(metric(metrics, "tls_handshakes_total"), 1);
}

// The live TLS connections and what each holds of shm on average; a handshake in progress
// holds the guard's reservation, given back when it completes or its connection closes.
TEST(ControlServiceTlsTest, MemoryCountsTlsConnectionsAndHandshakeReservations) {
  auto tls = runtime("server");
  ASSERT_TRUE(tls);
  Server srv(tls);
  ASSERT_TRUE(srv.start());
  EXPECT_EQ(srv.control.memory().tls_connections, 0u);
  EXPECT_EQ(srv.control.memory().avg_tls_connection_bytes, 0u);
  int silent = tcp_client(srv.net.listen_address(srv.tls_listener));  // no ClientHello
  ASSERT_TRUE(eventually([&] { return srv.control.memory().tls_connections == 1; }));
  EXPECT_EQ(srv.net.guard().stats().reserved, 0u) << "a peer that sends nothing reserves nothing";
  // The first bytes of a ClientHello's record: the handshake starts and reserves its peak.
  const char record_start[] = {0x16, 0x03, 0x01, 0x01, 0x00};
  ASSERT_EQ(::send(silent, record_start, sizeof record_start, MSG_NOSIGNAL),
            static_cast<ssize_t>(sizeof record_start));
  EXPECT_TRUE(eventually([&] { return srv.net.guard().stats().reserved > 0; }))
      << "its handshake has begun";
  ::close(silent);
  ASSERT_TRUE(eventually([&] {
    return srv.control.memory().tls_connections == 0 && srv.net.guard().stats().reserved == 0;
  }));
  TlsClient c(srv.net.listen_address(srv.tls_listener), 0, "client");
  ASSERT_TRUE(c.handshake()) << c.engine().error();
  ASSERT_TRUE(c.send(sip_message("mem1")));
  ASSERT_EQ(c.read(15).size(), 15u);
  control::MemoryInfo m = srv.control.memory();
  EXPECT_EQ(m.tls_connections, 1u);
  EXPECT_GT(m.avg_tls_connection_bytes, 0u);
  EXPECT_EQ(srv.net.guard().stats().reserved, 0u) << "given back at the handshake's end";
  EXPECT_GT(metric(srv.control.metrics(), "tls_connection_shm_bytes"), 0);
}

// Plain TCP connections beside a TLS one do not count towards what a TLS connection holds (the
// guard charges TLS newcomers that average): 1,000 idle TCP clients leave it near one alone.
TEST(ControlServiceTlsTest, PlainConnectionsDoNotInflateTheAverageOfTheTlsOnes) {
  auto tls = runtime("server");
  ASSERT_TRUE(tls);
  Server srv(tls);
  ASSERT_TRUE(srv.start());
  TlsClient c(srv.net.listen_address(srv.tls_listener), 0, "client");
  ASSERT_TRUE(c.handshake()) << c.engine().error();
  ASSERT_TRUE(c.send(sip_message("avg1")));
  ASSERT_EQ(c.read(15).size(), 15u);
  uint64_t alone = srv.control.memory().avg_tls_connection_bytes;
  ASSERT_GT(alone, 0u);
  constexpr int kPlain = 1000;
  std::vector<int> plain;
  for (int i = 0; i < kPlain; ++i) {
    int fd = tcp_client(srv.net.listen_address(srv.tcp));
    if (fd < 0) break;
    plain.push_back(fd);
  }
  ASSERT_EQ(plain.size(), static_cast<size_t>(kPlain));
  ASSERT_TRUE(eventually(
      [&] { return srv.net.live_connections(Transport::kTcp) == static_cast<size_t>(kPlain); }));
  uint64_t beside = srv.control.memory().avg_tls_connection_bytes;
  EXPECT_LT(beside, alone + 16 * 1024) << "alone " << alone << ", beside " << kPlain << " TCP";
  for (int fd : plain) ::close(fd);
}

TEST(ControlServiceTlsTest, AConnectionInItsHandshakeIsShownAsSuch) {
  auto tls = runtime("server");
  ASSERT_TRUE(tls);
  Server srv(tls);
  ASSERT_TRUE(srv.start());
  int fd = tcp_client(srv.net.listen_address(srv.tls_listener));  // says nothing
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(eventually([&] {
    auto list = srv.control.connections();
    return list.size() == 1 && list[0].state == "handshake" && list[0].version.empty() &&
           list[0].domain == "default server domain";
  }));
  EXPECT_EQ(
      metric(srv.control.metrics(), "connections", {{"transport", "tls"}, {"state", "handshake"}}),
      1);
  ::close(fd);
}

TEST(ControlServiceTlsTest, TlsDomainsDescribeTheirCertificatesAndTheirExpiry) {
  auto tls = runtime("server-soon");  // expires in 10 days
  ASSERT_TRUE(tls);
  RecordingHandler handler;
  proxy::ProxyStats stats;
  Net net(test_settings(1), handler);
  ControlService control(net, stats, [tls] { return tls; }, {});
  ASSERT_TRUE(net.start());
  const TestCerts& certs = TestCerts::get();
  auto domains = control.tls_domains();
  std::map<std::string, control::DomainInfo> by_name;
  for (const auto& d : domains) by_name[d.name] = d;
  ASSERT_EQ(by_name.count("default server domain"), 1u);
  ASSERT_EQ(by_name.count("tls_domain[127.0.0.2:5061]"), 1u);
  ASSERT_EQ(by_name.count("default client domain"), 1u);
  const auto& soon = by_name["default server domain"];
  EXPECT_EQ(soon.kind, "server");
  EXPECT_EQ(soon.certificate_file, certs.path("server-soon.pem"));
  EXPECT_EQ(soon.subject, "CN=localhost");
  EXPECT_EQ(soon.sans, (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1"}));
  EXPECT_GT(soon.days_left, 9.0);
  EXPECT_LE(soon.days_left, 10.0);
  EXPECT_THAT(soon.expiry, MatchesRegex("expires on 20[0-9-]+ [0-9:]+ UTC \\(in (9|10) days\\)"));
  EXPECT_TRUE(soon.verify_peer);
  const auto& second = by_name["tls_domain[127.0.0.2:5061]"];
  EXPECT_EQ(second.subject, "CN=sip2.test");
  EXPECT_EQ(second.sans, (std::vector<std::string>{"DNS:sip2.test", "IP:127.0.0.2"}));
  EXPECT_EQ(second.expiry, "");
  EXPECT_GT(second.days_left, 300);
  EXPECT_FALSE(second.verify_peer);
  // The default client domain takes the global tls_certificate too, and verifies its peers.
  const auto& client = by_name["default client domain"];
  EXPECT_EQ(client.kind, "client");
  EXPECT_EQ(client.not_after, soon.not_after);
  EXPECT_TRUE(client.verify_peer);
  // Each certificate's notAfter is a timestamp gauge.
  auto m = control.metrics();
  EXPECT_EQ(metric(m, "tls_certificate_not_after_timestamp_seconds",
                   {{"domain", "default server domain"}, {"kind", "server"}}),
            static_cast<double>(soon.not_after));
  EXPECT_EQ(metric(m, "tls_certificate_not_after_timestamp_seconds",
                   {{"domain", "tls_domain[127.0.0.2:5061]"}}),
            static_cast<double>(second.not_after));
  net.stop();
}

TEST(ControlServiceTlsTest, ExpiryIsLoggedOncePerThresholdCrossedAndOnceExpired) {
  LogLines log;
  auto tls = runtime("server-soon");  // 10 days left; the configuration check warned of it
  ASSERT_TRUE(tls);
  RecordingHandler handler;
  proxy::ProxyStats stats;
  Net net(test_settings(1), handler);
  ControlHooks hooks;
  hooks.reload = [](control::ReloadScope) {
    control::ReloadResult r;
    r.ok = true;
    return r;
  };
  ControlService control(
      net, stats, [tls] { return tls; }, hooks);
  // The clock starts half an hour into the certificate's 10 days, whatever the age of the test
  // PKI: at the age of 0 s (a PKI made in the same second) the 7-day crossing fell on exactly
  // 7.0 days left and the line said "in 7 days".
  int64_t not_after = 0;
  for (const auto& d : control.tls_domains())
    if (d.name == "default server domain") not_after = d.not_after;
  ASSERT_GT(not_after, 0);
  int64_t now = not_after - 10 * 86400 + 1800;
  control.set_clock([&] { return now; });
  const std::string what = "default server domain: certificate CN=localhost (" +
                           TestCerts::get().path("server-soon.pem") + ") expires on ";
  control.start();
  // Hourly ticks for two days: still in the 30-day band, nothing more.
  for (int h = 0; h < 48; ++h) {
    now += 3600;
    control.tick();
  }
  EXPECT_TRUE(log.matching(what, LogLevel::kWarning).empty());
  // Past the 7-day threshold: one line, not one per tick.
  for (int h = 0; h < 48; ++h) {
    now += 3600;
    control.tick();
  }
  auto lines = log.matching(what, LogLevel::kWarning);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("(in 6 days): renew it and reload"));
  // A reload's configuration check says it itself; the watch does not repeat it.
  EXPECT_TRUE(control.reload(control::ReloadScope::kTlsOnly).ok);
  EXPECT_EQ(log.matching(what, LogLevel::kWarning).size(), 1u);
  // Expired: an error line.
  now += 6 * 86400 + 3600;
  control.tick();
  EXPECT_THAT(log.matching("default server domain: certificate CN=localhost", LogLevel::kError),
              ::testing::ElementsAre(HasSubstr("expired on")));
}

#endif  // SER_WITH_TLS

}  // namespace
}  // namespace core
