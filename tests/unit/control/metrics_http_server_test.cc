// The metrics endpoint over real loopback sockets: GET /metrics answers the Prometheus text of
// ServerControl::metrics(); other paths 404, other methods 405; and a client cannot hold it:
// bounded head, bounded number of clients, a deadline.
#include "core/control/metrics_http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/control/prometheus_text.h"

namespace core::control {
namespace {

using namespace std::chrono_literals;

class FakeControl final : public ServerControl {
 public:
  ReloadResult reload(ReloadScope) override { return {}; }
  std::vector<Metric> metrics() override {
    ++calls;
    return {Metric{"connections", {{"transport", "tls"}, {"state", "open"}}, 2, false, "Open"},
            Metric{"messages_in", {{"transport", "udp"}}, 17, true, "Messages received"}};
  }
  std::vector<ConnectionInfo> connections() override { return {}; }
  std::vector<WorkerInfo> workers() override { return {}; }
  std::vector<DomainInfo> tls_domains() override { return {}; }
  MemoryInfo memory() override { return {}; }
  std::vector<std::pair<std::string, std::string>> parameters() override { return {}; }
  int calls = 0;
};

// A blocking loopback client with a bounded wait on every read.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  }
  ~Client() { ::close(fd_); }
  bool connected() const { return connected_; }
  bool send(const std::string& s) { return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) >= 0; }
  // Everything until the server closes (or `limit` passes: then "<timeout>" is appended).
  std::string read_all(std::chrono::milliseconds limit = 5s) {
    std::string got;
    auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return got + "<timeout>";
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return got;
      got.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class MetricsHttpServerTest : public ::testing::Test {
 protected:
  void start(MetricsHttpLimits limits = {}) {
    server_ = std::make_unique<MetricsHttpServer>(control_, limits);
    std::string error;
    ASSERT_TRUE(server_->listen(*core::net::SocketAddr::parse("127.0.0.1", 0), &error)) << error;
    ASSERT_TRUE(server_->start(&error)) << error;
  }
  uint16_t port() const { return server_->address().port(); }
  std::string request(const std::string& text) {
    Client c(port());
    EXPECT_TRUE(c.connected());
    c.send(text);
    return c.read_all();
  }

  FakeControl control_;
  std::unique_ptr<MetricsHttpServer> server_;
};

std::string body_of(const std::string& response) {
  size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "<no head end>" : response.substr(end + 4);
}

TEST_F(MetricsHttpServerTest, GetMetricsAnswersThePrometheusTextOfTheServersMetrics) {
  start();
  std::string r = request("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n");
  ASSERT_TRUE(r.starts_with("HTTP/1.1 200 OK\r\n")) << r;
  EXPECT_NE(r.find("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
            std::string::npos)
      << r;
  std::vector<Metric> metrics = control_.metrics();
  std::string expected = prometheus_text(metrics);
  EXPECT_TRUE(body_of(r).starts_with(expected)) << r;  // the server's, then the endpoint's own
  EXPECT_NE(r.find("\nser_metrics_scrapes_total 1\n"), std::string::npos) << r;
  EXPECT_NE(r.find("\r\nContent-Length: " + std::to_string(body_of(r).size()) + "\r\n"),
            std::string::npos)
      << r;
  EXPECT_NE(expected.find("ser_messages_in_total{transport=\"udp\"} 17\n"), std::string::npos);
  EXPECT_EQ(server_->stats().scrapes.load(), 1u);
}

TEST_F(MetricsHttpServerTest, AQueryStringAndAnHttp10ClientAreServedToo) {
  start();
  EXPECT_TRUE(request("GET /metrics?x=1 HTTP/1.0\r\n\r\n").starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_TRUE(request("GET /metrics HTTP/1.0\n\n").starts_with("HTTP/1.1 200 OK\r\n"));
}

TEST_F(MetricsHttpServerTest, HeadAnswersTheHeadersWithoutTheBody) {
  start();
  std::string r = request("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(r.starts_with("HTTP/1.1 200 OK\r\n")) << r;
  EXPECT_EQ(body_of(r), "");
  // The length of the body a GET gets (the scrape counter has as many digits in both).
  std::string get = request("GET /metrics HTTP/1.1\r\n\r\n");
  EXPECT_NE(r.find("Content-Length: " + std::to_string(body_of(get).size()) + "\r\n"),
            std::string::npos)
      << r;
}

TEST_F(MetricsHttpServerTest, OtherPathsAreNotFound) {
  start();
  for (const char* path : {"/", "/metric", "/metrics/", "/Metrics", "/foo/metrics"}) {
    std::string r = request(std::string("GET ") + path + " HTTP/1.1\r\n\r\n");
    EXPECT_TRUE(r.starts_with("HTTP/1.1 404 Not Found\r\n")) << path << ": " << r;
  }
  EXPECT_EQ(control_.calls, 0);  // nothing was asked of the server
}

TEST_F(MetricsHttpServerTest, OtherMethodsAreNotAllowedAndSayWhichAre) {
  start();
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "get"}) {
    std::string r =
        request(std::string(method) + " /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    EXPECT_TRUE(r.starts_with("HTTP/1.1 405 Method Not Allowed\r\n")) << method << ": " << r;
    EXPECT_NE(r.find("\r\nAllow: GET, HEAD\r\n"), std::string::npos) << r;
  }
  EXPECT_EQ(control_.calls, 0);
}

TEST_F(MetricsHttpServerTest, AMalformedRequestLineIsABadRequest) {
  start();
  for (const char* line : {"GET\r\n\r\n", "GET /metrics\r\n\r\n", "\x16\x03\x01 garbage\r\n\r\n",
                           "GET /metrics SIP/2.0\r\n\r\n"}) {
    std::string r = request(line);
    EXPECT_TRUE(r.starts_with("HTTP/1.1 400 Bad Request\r\n")) << r;
  }
}

TEST_F(MetricsHttpServerTest, AnOversizedHeadIsRefusedWithoutReadingItAll) {
  MetricsHttpLimits limits;
  limits.max_request_head = 1024;
  start(limits);
  Client c(port());
  c.send("GET /metrics HTTP/1.1\r\nX: " + std::string(64 * 1024, 'a'));
  std::string r = c.read_all();
  EXPECT_TRUE(r.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n")) << r;
  EXPECT_EQ(control_.calls, 0);
}

TEST_F(MetricsHttpServerTest, ClientsBeyondTheLimitAreClosedAtOnceAndServiceResumes) {
  MetricsHttpLimits limits;
  limits.max_clients = 3;
  start(limits);
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(std::make_unique<Client>(port()));
    idle.back()->send("GET /met");  // a partial request holds the slot
  }
  // The server sees the three in order; the fourth is closed without an answer.
  Client extra(port());
  std::string r = extra.read_all();
  EXPECT_EQ(r, "") << r;
  EXPECT_EQ(server_->stats().refused.load(), 1u);
  idle.clear();
  // ... and the next scrape counts it.
  // Slots come back as the idle clients go (the server learns of each close from its loop).
  std::string ok;
  for (int i = 0; i < 50 && !ok.starts_with("HTTP/1.1 200"); ++i) {
    ok = request("GET /metrics HTTP/1.1\r\n\r\n");
    if (!ok.starts_with("HTTP/1.1 200")) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(ok.starts_with("HTTP/1.1 200 OK\r\n")) << ok;
  // A retry made before the server saw the idle clients go is refused too (and counted): the
  // scrape shows every refusal so far, at least the fourth client's.
  uint64_t refused = server_->stats().refused.load();
  EXPECT_GE(refused, 1u);
  EXPECT_NE(ok.find("\nser_metrics_clients_refused_total " + std::to_string(refused) + "\n"),
            std::string::npos)
      << ok;
}

TEST_F(MetricsHttpServerTest, AClientThatNeverFinishesIsClosedByTheDeadline) {
  MetricsHttpLimits limits;
  limits.client_deadline = 300ms;
  start(limits);
  Client c(port());
  c.send("GET /metrics HTTP/1.1\r\n");  // and nothing more
  auto t0 = std::chrono::steady_clock::now();
  std::string r = c.read_all(5s);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r, "");             // closed, not answered
  EXPECT_LT(took, 300ms + 2s);  // the deadline plus slack
  EXPECT_EQ(server_->stats().timed_out.load(), 1u);
}

TEST_F(MetricsHttpServerTest, StopClosesConnectedClientsAndReturns) {
  start();
  Client c(port());
  c.send("GET /metrics HTTP/1.1\r\n");
  server_->stop();
  EXPECT_EQ(c.read_all(2s), "");
  Client after(port());
  EXPECT_FALSE(after.connected() && after.send("GET /metrics HTTP/1.1\r\n\r\n") &&
               after.read_all(1s).starts_with("HTTP/1.1 200"));
}

TEST_F(MetricsHttpServerTest, ABusyAddressIsAnErrorNamingIt) {
  start();
  MetricsHttpServer second(control_);
  std::string error;
  EXPECT_FALSE(second.listen(server_->address(), &error));
  EXPECT_NE(error.find("cannot listen on 127.0.0.1:" + std::to_string(port())), std::string::npos)
      << error;
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
}

}  // namespace
}  // namespace core::control
