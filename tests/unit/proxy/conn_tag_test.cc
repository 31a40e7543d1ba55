// The `i` parameter of our Via (ConnTag): a response names the connection its request came in
// on only with a tag this process wrote for that very branch; any other value is routed as if it
// were absent (by the next Via), and counted.
#include "core/proxy/conn_tag.h"

#include <gtest/gtest.h>

#include <string>

#include "core/base/log.h"
#include "proxy_fixture.h"

namespace core::proxy::testing {
namespace {

const char kBranch[] = "z9hG4bKser.0123456789abcdef";

TEST(ConnTagTest, ATagVerifiesForItsBranchOnly) {
  ConnTag tags;
  TextArena arena;
  std::string tag(tags.write(42, kBranch, arena));
  ASSERT_EQ(tag.rfind("42.", 0), 0u);
  EXPECT_EQ(tag.size(), 3u + 13u);
  EXPECT_EQ(tags.verify(tag, kBranch), 42u);
  EXPECT_EQ(tags.verify(tag, "z9hG4bKser.0123456789abcdee"), 0u);
}

TEST(ConnTagTest, AnotherIdOrAnAlteredMacOrAnotherProcessesKeyDoesNotVerify) {
  ConnTag tags;
  TextArena arena;
  std::string tag(tags.write(42, kBranch, arena));
  std::string other_id = "43" + tag.substr(2);
  EXPECT_EQ(tags.verify(other_id, kBranch), 0u);
  std::string altered = tag;
  altered.back() = altered.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(tags.verify(altered, kBranch), 0u);
  EXPECT_EQ(tags.verify("42", kBranch), 0u);
  EXPECT_EQ(tags.verify(tag + "a", kBranch), 0u);
  EXPECT_EQ(tags.verify("", kBranch), 0u);
  ConnTag restarted;  // a new process has a new key
  EXPECT_EQ(restarted.verify(tag, kBranch), 0u);
}

std::string top_via(const std::string& msg) {
  size_t at = msg.find("\r\nVia: ");
  return msg.substr(at + 2, msg.find("\r\n", at + 2) - at - 2);
}

class ConnTagProxyTest : public ProxyTest {
 protected:
  // A request from 198.51.100.7 over TCP connection 42, forwarded over UDP; returns our Via.
  std::string forward_over_connection_42(const std::string& branch = "z9hG4bKabc123") {
    if (!script_) use_script("route { forward_udp(\"203.0.113.5\", 5060); }");
    std::string req = invite("", ";branch=" + branch);
    req.replace(req.find("SIP/2.0/UDP"), 11, "SIP/2.0/TCP");
    receive(req, Transport::kTcp, addr("198.51.100.7", 41000), 42, 1);
    std::string via = top_via(only_sent().data);
    sender_.sent.clear();
    return via;
  }
  // The UAS's 180 with `our_via` on top, received over UDP.
  void answer(const std::string& our_via) {
    receive("SIP/2.0 180 Ringing\r\n" + our_via +
                "\r\n"
                "Via: SIP/2.0/TCP 198.51.100.7:5062;branch=z9hG4bKabc123;received=198.51.100.7\r\n"
                "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>;tag=b\r\n"
                "Call-ID: c1@198.51.100.7\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
            Transport::kUdp, addr("203.0.113.5", 5060));
  }
  static std::string with_i(const std::string& via, const std::string& value) {
    size_t at = via.find(";i=");
    return via.substr(0, at) + ";i=" + value;
  }
};

TEST_F(ConnTagProxyTest, OurGenuineTagSendsTheResponseBackOverTheConnection) {
  std::string ours = forward_over_connection_42();
  EXPECT_NE(ours.find(";i=42."), std::string::npos) << ours;
  answer(ours);
  const Sent& back = only_sent();
  EXPECT_EQ(back.transport, Transport::kTcp);
  EXPECT_EQ(back.conn_hint, 42u);
  EXPECT_EQ(proxy().stats().forged_conn_tags.load(), 0u);
}

// Which worker handles a response read over UDP: the one owning the connection it goes back
// over, read from our Via before anything is parsed; requests and Vias without i= name none.
TEST_F(ConnTagProxyTest, AResponseNamesTheConnectionOfItsTopViaToPickItsWorker) {
  std::string ours = forward_over_connection_42();
  std::string response = "SIP/2.0 200 OK\r\n" + ours +
                         ", SIP/2.0/TCP 198.51.100.7:5062;branch=z9hG4bKabc123\r\n"
                         "Call-ID: c1\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(proxy().connection_hint(response), 42u);
  std::string request = invite("", ";branch=z9hG4bKx;i=42.AAAAAAAAAAAAAA");
  EXPECT_EQ(proxy().connection_hint(request), 0u);
  EXPECT_EQ(proxy().connection_hint("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKy"
                                    "\r\nContent-Length: 0\r\n\r\n"),
            0u);
  EXPECT_EQ(proxy().connection_hint("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"), 0u);
}

TEST_F(ConnTagProxyTest, AForgedIdIsRoutedByTheViaAsIfItHadNone) {
  std::string ours = forward_over_connection_42();
  answer(with_i(ours, "7"));  // the old, unauthenticated form: any connection's id
  const Sent& back = only_sent();
  EXPECT_EQ(back.transport, Transport::kTcp);
  EXPECT_EQ(back.conn_hint, 0u);
  EXPECT_EQ(back.dst.to_string(), "198.51.100.7:5062");
  EXPECT_EQ(proxy().stats().forged_conn_tags.load(), 1u);
  EXPECT_EQ(proxy().stats().replies_forwarded.load(), 1u);
}

TEST_F(ConnTagProxyTest, AnAlteredTagOrOneForAnotherIdIsRoutedAsIfItHadNone) {
  std::string ours = forward_over_connection_42();
  std::string tag = ours.substr(ours.find(";i=") + 3);
  std::string altered = tag;
  altered.back() = altered.back() == 'a' ? 'b' : 'a';
  answer(with_i(ours, altered));
  answer(with_i(ours, "7" + tag.substr(2)));
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[0].conn_hint, 0u);
  EXPECT_EQ(sender_.sent[1].conn_hint, 0u);
  EXPECT_EQ(proxy().stats().forged_conn_tags.load(), 2u);
}

TEST_F(ConnTagProxyTest, ATagCopiedFromAnotherTransactionDoesNotVerify) {
  std::string first = forward_over_connection_42("z9hG4bKfirst");
  std::string second = forward_over_connection_42("z9hG4bKsecond");
  std::string copied = with_i(second, first.substr(first.find(";i=") + 3));
  answer(copied);
  EXPECT_EQ(only_sent().conn_hint, 0u);
  EXPECT_EQ(proxy().stats().forged_conn_tags.load(), 1u);
}

TEST_F(ConnTagProxyTest, ForgedTagsAreLoggedThrottledAndEscaped) {
  std::vector<std::string> lines;
  int old_level = core::log_level();
  core::log_set_level(2);
  core::log_set_sink([&](core::LogLevel, std::string_view l) { lines.emplace_back(l); });
  std::string ours = forward_over_connection_42();
  for (int i = 0; i < 50; ++i) answer(with_i(ours, "\"7\\x\""));
  core::log_set_sink(nullptr);
  core::log_set_level(old_level);
  EXPECT_EQ(proxy().stats().forged_conn_tags.load(), 50u);
  ASSERT_GE(lines.size(), 1u);
  EXPECT_LE(lines.size(), 10u);
  EXPECT_NE(lines[0].find("i=\"7\\\\x\" does not verify"), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace core::proxy::testing
