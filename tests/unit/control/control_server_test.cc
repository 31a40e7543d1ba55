#include "core/control/control_server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/unit/control/fake_server_control.h"

namespace core::control {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A blocking client of the test's unix socket; every read is bounded by a deadline.
class Client {
 public:
  explicit Client(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    path.copy(sa.sun_path, sizeof(sa.sun_path) - 1);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
  }
  // A client of a TCP control socket on 127.0.0.1:`port`.
  explicit Client(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
  }
  ~Client() { close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& text) {
    ASSERT_EQ(::send(fd_, text.data(), text.size(), MSG_NOSIGNAL), ssize_t(text.size()));
  }
  // All of `text`, or as much as the server took before it closed the connection.
  void send_until_closed(const std::string& text) {
    for (size_t off = 0; off < text.size();) {
      ssize_t n = ::send(fd_, text.data() + off, text.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += size_t(n);
    }
  }
  // As much of `text` as the socket takes without blocking.
  void send_some(const std::string& text) {
    (void)::send(fd_, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  // One answer line ("" when the server closed or nothing came within the deadline).
  std::string line(std::chrono::milliseconds deadline = 5000ms) {
    auto end = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string l = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return l;
      }
      if (!fill(end)) return "";
    }
  }
  Json answer(std::chrono::milliseconds deadline = 5000ms) {
    std::string l = line(deadline);
    return l.empty() ? Json() : Json::parse(l);
  }
  // True when the server closes the connection before `deadline`.
  bool closed_within(std::chrono::milliseconds deadline) {
    auto end = std::chrono::steady_clock::now() + deadline;
    while (fill(end)) buf_.clear();
    return eof_;
  }
  // The connection ended with a reset (ECONNRESET) rather than an orderly end of stream.
  bool reset() const { return reset_; }

 private:
  bool fill(std::chrono::steady_clock::time_point end) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char tmp[65536];
    ssize_t n = recv(fd_, tmp, sizeof(tmp), 0);
    if (n <= 0) {
      eof_ = true;
      reset_ = n < 0 && errno == ECONNRESET;
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  bool reset_ = false;
  std::string buf_;
};

const std::string kPs = R"({"jsonrpc":"2.0","method":"core.ps","id":1})";

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ser-ctl-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/run/ser.ctl";  // its directory does not exist yet
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }
  cfg::ControlAddress address() const { return {cfg::ControlAddress::Kind::kUnix, path_, "", 0}; }
  void start(ControlLimits limits = {}) {
    server_ = std::make_unique<ControlServer>(fake_, limits);
    std::string error;
    ASSERT_TRUE(server_->open(address(), {}, &error)) << error;
    ASSERT_TRUE(server_->start(&error)) << error;
  }
  testing::FakeServerControl fake_;
  std::unique_ptr<ControlServer> server_;
  std::string dir_;
  std::string path_;
};

TEST_F(ControlServerTest, TheSocketIsMadeMode0600InADirectoryItCreatesAndRemovedAtStop) {
  start();
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(server_->name(), "unix:" + path_);
  server_->stop();
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(ControlServerTest, TheSocketAndTheDirectoryItMadeBelongToTheConfiguredUser) {
  if (geteuid() != 0) GTEST_SKIP() << "chown needs root";
  SocketOwner owner;
  std::string error;
  ASSERT_TRUE(resolve_owner("nobody", "", &owner, &error)) << error;
  server_ = std::make_unique<ControlServer>(fake_);
  ASSERT_TRUE(server_->open(address(), owner, &error)) << error;
  struct stat st, dir;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  ASSERT_EQ(stat(fs::path(path_).parent_path().c_str(), &dir), 0);
  EXPECT_EQ(st.st_uid, owner.uid);
  EXPECT_EQ(st.st_gid, owner.gid);
  EXPECT_EQ(dir.st_uid, owner.uid);
  EXPECT_FALSE(resolve_owner("no-such-user-here", "", &owner, &error));
  EXPECT_EQ(error, "user 'no-such-user-here' does not exist");
}

TEST_F(ControlServerTest, SeveralRequestsOnOneConnectionAreAnsweredInOrderOneLineEach) {
  start();
  Client c(path_);
  ASSERT_TRUE(c.connected());
  c.send(kPs + "\n" + R"({"jsonrpc":"2.0","method":"tls.list","id":2})" +
         R"({"jsonrpc":"2.0","method":"cfg.list","id":3})");
  Json a = c.answer(), b = c.answer(), d = c.answer();
  EXPECT_EQ(a["id"], 1);
  EXPECT_EQ(a["result"].size(), 2u);
  EXPECT_EQ(b["id"], 2);
  EXPECT_EQ(d["id"], 3);
  EXPECT_EQ(d["result"]["children"], "4");
}

TEST_F(ControlServerTest, GarbageGetsErrorsAndTheConnectionKeepsServing) {
  start();
  Client c(path_);
  c.send("hello\n");
  EXPECT_EQ(c.answer()["error"]["code"], kParseError);
  c.send("{\"jsonrpc\":\"2.0\",\"method\":\"x.y\",\"id\":9}\n[]\n\"s\"\n");
  EXPECT_EQ(c.answer()["error"]["code"], kMethodNotFound);
  EXPECT_EQ(c.answer()["error"]["code"], kInvalidRequest);
  EXPECT_EQ(c.answer()["error"]["code"], kInvalidRequest);
  c.send(std::string("\x00\x01\x02\xff\n", 5));
  EXPECT_EQ(c.answer()["error"]["code"], kParseError);
  c.send(kPs);
  EXPECT_EQ(c.answer()["id"], 1);
}

TEST_F(ControlServerTest, AHalfRequestAtEndOfStreamIsAParseErrorThenClosed) {
  start();
  Client c(path_);
  c.send(R"({"jsonrpc":"2.0","method":"core.ps")");
  c.shutdown_write();
  Json r = c.answer();
  EXPECT_EQ(r["error"]["code"], kParseError);
  EXPECT_EQ(r["error"]["message"], "parse error: incomplete request (end of stream)");
  EXPECT_TRUE(c.closed_within(5s));
}

TEST_F(ControlServerTest, ALastRequestWithoutItsNewlineIsAnsweredAtEndOfStream) {
  start();
  Client c(path_);
  c.send("42");
  c.shutdown_write();
  EXPECT_EQ(c.answer()["error"]["code"], kInvalidRequest);
  EXPECT_TRUE(c.closed_within(5s));
}

TEST_F(ControlServerTest, AnIdleClientWithAHalfRequestIsAnsweredAndClosedByTheDeadline) {
  ControlLimits limits;
  limits.idle_timeout = 300ms;
  start(limits);
  Client c(path_);
  c.send("{\"jsonrpc\":");
  Json r = c.answer(5s);
  EXPECT_EQ(r["error"]["code"], kParseError);
  EXPECT_TRUE(c.closed_within(5s));
  Client quiet(path_);
  EXPECT_TRUE(quiet.closed_within(300ms + 5s));
}

TEST_F(ControlServerTest, AnOversizedRequestIsAnInvalidRequestAndTheConnectionCloses) {
  ControlLimits limits;
  limits.max_request = 4096;
  start(limits);
  Client c(path_);
  // The server stops reading past the limit, so the send may be cut short by its close.
  c.send_until_closed("{\"jsonrpc\":\"2.0\",\"method\":\"core.ps\",\"params\":[\"" +
                      std::string(100000, 'a'));
  Json r = c.answer();
  EXPECT_EQ(r["error"]["code"], kInvalidRequest);
  EXPECT_EQ(r["error"]["message"], "invalid request: larger than 4096 bytes");
  EXPECT_TRUE(c.closed_within(5s));
  EXPECT_FALSE(c.reset()) << "the rest of the request is drained, not left to reset the close";
  Client next(path_);
  next.send(kPs);
  EXPECT_EQ(next.answer()["id"], 1) << "the server keeps serving";
}

// Over TCP too: the answer, then an orderly end of stream while the client still sends (a reset
// can make the client's stack discard the answer); the session ends when the client closes.
TEST_F(ControlServerTest, AnOversizedRequestOverTcpIsAnsweredThenHalfClosedNotReset) {
  ControlLimits limits;
  limits.max_request = 4096;
  server_ = std::make_unique<ControlServer>(fake_, limits);
  std::string error;
  cfg::ControlAddress tcp{cfg::ControlAddress::Kind::kTcp, "", "127.0.0.1", 0};
  ASSERT_TRUE(server_->open(tcp, {}, &error)) << error;
  ASSERT_TRUE(server_->start(&error)) << error;
  auto port =
      static_cast<uint16_t>(std::stoi(server_->name().substr(server_->name().rfind(':') + 1)));
  {
    Client c(port);
    ASSERT_TRUE(c.connected());
    c.send_some("{\"jsonrpc\":\"2.0\",\"method\":\"core.ps\",\"params\":[\"" +
                std::string(256 << 10, 'a'));
    Json r = c.answer();
    EXPECT_EQ(r["error"]["code"], kInvalidRequest);
    EXPECT_TRUE(c.closed_within(5s));
    EXPECT_FALSE(c.reset());
    c.send_some(std::string(16384, 'b'));  // still taken and dropped: no reset comes back
    EXPECT_EQ(server_->client_count(), 1u);
  }
  for (int i = 0; i < 500 && server_->client_count() > 0; ++i) usleep(10000);
  EXPECT_EQ(server_->client_count(), 0u);
}

TEST_F(ControlServerTest, ClientsPastTheLimitAreRefusedWithAnErrorOthersAreServed) {
  ControlLimits limits;
  limits.max_clients = 4;
  start(limits);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<Client>(path_));
    clients.back()->send(kPs);
    EXPECT_EQ(clients.back()->answer()["id"], 1);
  }
  EXPECT_EQ(server_->client_count(), 4u);
  Client extra(path_);
  EXPECT_EQ(extra.answer()["error"]["code"], kTooManyClients);
  EXPECT_TRUE(extra.closed_within(5s));
  clients.pop_back();
  // The freed slot is taken again once the server saw the close.
  for (int i = 0; i < 100 && server_->client_count() > 3; ++i) usleep(10000);
  Client again(path_);
  again.send(kPs);
  EXPECT_EQ(again.answer()["id"], 1);
}

TEST_F(ControlServerTest, AClientThatNeverReadsPausesOnlyItself) {
  ControlLimits limits;
  limits.max_output = 64 * 1024;
  start(limits);
  Client hog(path_);
  std::string many;
  for (int i = 0; i < 4000; ++i) many += kPs + "\n";
  hog.send_some(many);  // up to ~200 KiB of answers nobody reads
  Client other(path_);
  other.send(kPs);
  EXPECT_EQ(other.answer()["id"], 1);
}

TEST_F(ControlServerTest, AStaleSocketFileIsReplaced) {
  start();
  // A ser killed with SIGKILL leaves its file behind: simulate by stopping without removal.
  server_.reset();
  fs::create_directories(fs::path(path_).parent_path());
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  path_.copy(sa.sun_path, sizeof(sa.sun_path) - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  close(fd);  // bound, never listened: nobody answers
  start();
  Client c(path_);
  c.send(kPs);
  EXPECT_EQ(c.answer()["id"], 1);
}

TEST_F(ControlServerTest, ASocketInUseOrAFileThatIsNoSocketIsNotTakenOver) {
  start();
  ControlServer second(fake_);
  std::string error;
  EXPECT_FALSE(second.open(address(), {}, &error));
  EXPECT_EQ(error, "control socket unix:" + path_ + ": " + path_ +
                       " is in use by a running server (another ser with the same ctl_socket?)");
  server_.reset();
  { std::ofstream(path_) << "precious"; }
  ControlServer third(fake_);
  EXPECT_FALSE(third.open(address(), {}, &error));
  EXPECT_NE(error.find("exists and is not a socket (not removed)"), std::string::npos) << error;
  EXPECT_TRUE(fs::exists(path_));
}

TEST_F(ControlServerTest, ATcpSocketOnLoopbackServesTheSameProtocol) {
  server_ = std::make_unique<ControlServer>(fake_);
  std::string error;
  cfg::ControlAddress tcp{cfg::ControlAddress::Kind::kTcp, "", "127.0.0.1", 0};
  ASSERT_TRUE(server_->open(tcp, {}, &error)) << error;
  ASSERT_TRUE(server_->start(&error)) << error;
  EXPECT_NE(server_->name(), "tcp:127.0.0.1:0");
  int port = std::stoi(server_->name().substr(server_->name().rfind(':') + 1));
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  std::string req = kPs + "\n";
  ASSERT_EQ(send(fd, req.data(), req.size(), 0), ssize_t(req.size()));
  char buf[4096];
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  ssize_t n = recv(fd, buf, sizeof(buf), 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(Json::parse(std::string(buf, n))["id"], 1);
  close(fd);
}

}  // namespace
}  // namespace core::control
