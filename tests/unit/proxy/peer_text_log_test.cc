// Text a peer controls reaches the log escaped: one line per call, no CR/LF/control bytes
// (a forged "ERROR: ..." line cannot be slipped in through an SNI or a Request-URI).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/base/log.h"
#include "proxy_fixture.h"

namespace core::proxy::testing {
namespace {

using core::net::SocketAddr;

class PeerTextLogTest : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    old_level_ = core::log_level();
    core::log_set_level(2);
    core::log_set_sink([this](core::LogLevel, std::string_view l) { lines_.emplace_back(l); });
  }
  void TearDown() override {
    core::log_set_sink(nullptr);
    core::log_set_level(old_level_);
  }
  int old_level_ = 2;
  std::vector<std::string> lines_;
};

TEST_F(PeerTextLogTest, ScriptLogOfAnSniWithControlBytesIsEscaped) {
  use_script("route { log(1, \"sni=$tls_sni cn=$tls_peer_subject_cn\\n\"); drop; }");
  core::net::ConnectionSecurity sec;
  sec.sni = "a\r\nERROR: forged\x1b[2J";
  sec.peer_subject_cn = "bob\xff";
  std::string req = invite();
  SocketAddr src = addr("198.51.100.7", 5062);
  SocketAddr dst = locals_.by_listener(1)->address;
  core::net::ReceivedMessage rx{Transport::kTls, src, dst, 9, 1, 0, req, &sec};
  proxy().on_message(rx);
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].substr(lines_[0].find("] ") + 2),
            "sni=a\\x0d\\x0aERROR: forged\\x1b[2J cn=bob\\xff");
}

TEST_F(PeerTextLogTest, AnUnresolvableRequestUriIsLoggedThrottled) {
  use_script("route { forward(); }");
  for (int i = 0; i < 100; ++i)
    receive(invite("", ";branch=z9hG4bKabc123", "sip:bob@203.0.113.5;transport=bogus"));
  ASSERT_GE(lines_.size(), 1u);
  EXPECT_LE(lines_.size(), 10u);
  EXPECT_NE(lines_[0].find("cannot resolve the next hop of sip:bob@203.0.113.5;transport=bogus"),
            std::string::npos)
      << lines_[0];
}

// A Request-URI of an address family ser has no socket for: an error line per request unless
// throttled (any peer can send such requests in a loop).
TEST_F(PeerTextLogTest, ANextHopOfAnotherAddressFamilyIsLoggedThrottled) {
  LocalSockets v4_only;
  v4_only.add({Transport::kUdp, addr("192.0.2.1", 5060), 0, "192.0.2.1", 5060});
  StatelessProxy v4_proxy(v4_only, nullptr, sender_, settings_);
  std::string req = invite("", ";branch=z9hG4bKabc123", "sip:bob@[2001:db8::5]");
  core::net::ReceivedMessage rx{
      Transport::kUdp, addr("198.51.100.7", 5062), addr("192.0.2.1", 5060), 0, 0, 0, req};
  for (int i = 0; i < 100; ++i) v4_proxy.on_message(rx);
  EXPECT_TRUE(sender_.sent.empty());
  ASSERT_GE(lines_.size(), 1u);
  EXPECT_LE(lines_.size(), 10u);
  EXPECT_NE(lines_[0].find("no udp socket of this address family"), std::string::npos) << lines_[0];
}

// The next hop refuses every send (a peer picks an unreachable one): throttled too.
TEST_F(PeerTextLogTest, AFailedForwardIsLoggedThrottled) {
  sender_.fail = true;
  for (int i = 0; i < 100; ++i) receive(invite());
  EXPECT_EQ(sender_.sent.size(), 100u);
  ASSERT_GE(lines_.size(), 1u);
  EXPECT_LE(lines_.size(), 10u);
  EXPECT_NE(lines_[0].find("sending to 203.0.113.5:5060 over udp failed"), std::string::npos)
      << lines_[0];
}

}  // namespace
}  // namespace core::proxy::testing
