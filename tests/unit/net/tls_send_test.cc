// A send that asks for TLS never goes out as plain TCP: without a TLS factory for outbound
// connections (ser built without TLS, or disable_tls) it fails with a log line.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <mutex>

#include "core/base/log.h"
#include "net_test_util.h"

namespace core::net {
namespace {
using namespace testing;

// A loopback TCP listener standing for the next hop; accept() does not block.
int listening_peer(SocketAddr* bound) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  SocketAddr any = *SocketAddr::parse("127.0.0.1", 0);
  if (::bind(fd, any.sa(), any.len()) != 0 || ::listen(fd, 8) != 0) {
    ::close(fd);
    return -1;
  }
  *bound = local_address_of(fd);
  return fd;
}

class LogLines {
 public:
  LogLines() {
    core::log_set_sink([this](core::LogLevel, std::string_view l) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.emplace_back(l);
    });
  }
  ~LogLines() { core::log_set_sink(nullptr); }
  bool has(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& l : lines_)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST(TlsSendTest, ATlsSendWithoutATlsFactoryFailsInsteadOfGoingOutAsTcp) {
  LogLines log;
  RecordingHandler handler;
  Net net(test_settings(1), handler);
  ASSERT_TRUE(net.start());
  SocketAddr peer;
  int lfd = listening_peer(&peer);
  ASSERT_GE(lfd, 0);
  net.send(Transport::kTls, peer, sip_message("secret"));
  ASSERT_TRUE(eventually([&] { return net.stats().send_failed == 1; }));
  EXPECT_TRUE(log.has("send to tls:" + peer.to_string() + " refused: no TLS for outbound"));
  // The decision came before any connect: the peer has no connection waiting.
  int conn = ::accept(lfd, nullptr, nullptr);
  EXPECT_LT(conn, 0) << "a TLS send reached the peer in the clear";
  if (conn >= 0) ::close(conn);
  EXPECT_EQ(net.stats().connects, 0u);
  // Plain TCP to the same peer still connects.
  net.send(Transport::kTcp, peer, sip_message("plain"));
  ASSERT_TRUE(eventually([&] { return net.stats().connects == 1; }));
  net.stop();
  ::close(lfd);
}

TEST(TlsSendTest, ATlsListenerWithoutAFactoryIsRefused) {
  LogLines log;
  RecordingHandler handler;
  Net net(test_settings(1), handler);
  EXPECT_LT(net.add_listener({Transport::kTls, *SocketAddr::parse("127.0.0.1", 0), nullptr}), 0);
  EXPECT_TRUE(log.has("cannot listen on tls:127.0.0.1:0: no TLS socket factory"));
}

}  // namespace
}  // namespace core::net
