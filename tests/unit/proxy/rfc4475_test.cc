// The RFC 4475 torture messages through the stateless proxy, one test per message; what a
// stateless proxy does with each (RFC 3261 §16.3, §16.11) is in its file's `# expect:` line:
// valid requests are forwarded intact, valid responses relayed, and the invalid ones answered
// the way the RFC asks (400, 505) or dropped: none goes on with its defect.
#include <algorithm>

#include "core/sip/stream_framer.h"
#include "core/sip/text.h"
#include "proxy_fixture.h"
#include "torture_message.h"

namespace core::proxy::testing {
namespace {

constexpr const char* kOurVia = "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKser4475\r\n";

std::string start_line(const std::string& text) {
  return text.substr(0, text.find("\r\n"));
}

// The header lines of `text` that a forward must carry unchanged: all but those of the top
// Via (ser fills received/rport there) and of Max-Forwards (decremented).
std::vector<std::string> untouched_lines(const std::string& text) {
  core::sip::SipMessage msg;
  EXPECT_TRUE(msg.parse(text).ok());
  const auto* via = msg.first(core::sip::HeaderType::kVia);
  const auto* mf = msg.first(core::sip::HeaderType::kMaxForwards);
  auto inside = [](const core::sip::HeaderField* h, size_t at) {
    return h && at >= h->offset && at < h->offset + h->length;
  };
  std::vector<std::string> out;
  for (size_t at = msg.headers_offset(); at < msg.headers_end();) {
    const size_t end = text.find("\r\n", at) + 2;
    if (!inside(via, at) && !inside(mf, at)) out.push_back(text.substr(at, end - at));
    at = end;
  }
  return out;
}

class Rfc4475Test : public ProxyTest, public ::testing::WithParamInterface<std::string> {
 protected:
  TortureMessage message() { return load_torture_message(torture_dir() / (GetParam() + ".sip")); }

  // A response gets our Via on top, as if ser had forwarded the request.
  static std::string as_received(const TortureMessage& m) {
    if (m.text.rfind("SIP/", 0) != 0) return m.text;
    std::string t = m.text;
    t.insert(t.find("\r\n") + 2, kOurVia);
    return t;
  }
};

TEST_P(Rfc4475Test, StatelessProxyDoesWhatTheRfcAsks) {
  const TortureMessage m = message();
  SCOPED_TRACE(m.section + ": " + m.expect);
  use_script("route { forward_udp(\"203.0.113.5\", 5070); }");
  receive(as_received(m));
  if (m.expect == "drop") {
    EXPECT_TRUE(sender_.sent.empty()) << sender_.sent.front().data;
    return;
  }
  ASSERT_EQ(sender_.sent.size(), 1u);
  const std::string& out = sender_.sent.front().data;
  if (m.expect.rfind("reply ", 0) == 0) {
    EXPECT_EQ(out.rfind("SIP/2.0 " + m.expect.substr(6) + " ", 0), 0u) << out;
    EXPECT_EQ(sender_.sent.front().dst.to_string().rfind("198.51.100.7:", 0), 0u);
    return;
  }
  EXPECT_EQ(start_line(out), start_line(m.text));
  core::sip::SipMessage fwd;
  ASSERT_TRUE(fwd.parse(out).ok()) << out;
  EXPECT_TRUE(fwd.validate().ok()) << fwd.validate().reason;
  core::sip::SipMessage orig;
  ASSERT_TRUE(orig.parse(m.text).ok());
  EXPECT_EQ(fwd.body(), orig.body());
  if (m.expect == "relay") {
    EXPECT_EQ(out.find("z9hG4bKser4475"), std::string::npos) << out;
    return;
  }
  EXPECT_EQ(m.expect, "forward");
  EXPECT_EQ(sender_.sent.front().dst.to_string(), "203.0.113.5:5070");
  for (const std::string& line : untouched_lines(m.text))
    EXPECT_NE(out.find(line), std::string::npos) << "changed or lost: " << line;
}

std::vector<std::string> message_names() {
  std::vector<std::string> names;
  for (const TortureMessage& m : all_torture_messages()) names.push_back(m.name);
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Rfc4475, Rfc4475Test, ::testing::ValuesIn(message_names()),
                         [](const auto& info) { return info.param; });

// RFC 3261 §16.3 step 5: the 420 names the option tags the proxy does not support.
TEST_F(ProxyTest, ProxyRequireGets420ListingTheTags) {
  receive(load_torture_message(torture_dir() / "bext01.sip").text);
  const std::string& out = only_sent().data;
  EXPECT_EQ(out.rfind("SIP/2.0 420 Bad Extension\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("\r\nUnsupported: noProxiesSupportThis, norDoAnyProxiesSupportThis\r\n"),
            std::string::npos)
      << out;
}

TEST_F(ProxyTest, AckWithProxyRequireStillGoesOn) {
  std::string ack = invite("Proxy-Require: foo\r\n");
  ack.replace(0, 6, "ACK");
  ack.replace(ack.find("CSeq: 1 INVITE"), 14, "CSeq: 1 ACK");
  receive(ack);
  EXPECT_EQ(proxy().stats().forwarded.load(), 1u);
}

// RFC 4475 §3.1.2.15 for a response: no 505 can answer it, so it is dropped, not relayed.
TEST_F(ProxyTest, ResponseOfAnotherSipVersionIsDropped) {
  receive(std::string("SIP/7.0 200 OK\r\n") + kOurVia +
          "Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bKabc123\r\n"
          "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>;tag=b1\r\n"
          "Call-ID: c1@198.51.100.7\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(sender_.sent.empty());
  EXPECT_EQ(proxy().stats().bad_dropped.load(), 1u);
}

TEST(Rfc4475Data, HoldsEveryMessageWithAnExpectation) {
  const auto all = all_torture_messages();
  EXPECT_GE(all.size(), 47u);
  for (const TortureMessage& m : all) {
    EXPECT_FALSE(m.section.empty()) << m.name;
    EXPECT_TRUE(m.expect == "forward" || m.expect == "relay" || m.expect == "drop" ||
                m.expect.rfind("reply ", 0) == 0)
        << m.name << ": " << m.expect;
  }
}

// RFC 3261 §25.1: the escaped NUL of intmeth's display name is no reason to refuse the
// stream either; a bare NUL still is.
TEST(Rfc4475Data, StreamFramerTakesAnEscapedNulButNotABareOne) {
  const TortureMessage m = load_torture_message(torture_dir() / "intmeth.sip");
  auto frame = core::sip::find_frame(m.text, 65536);
  EXPECT_EQ(frame.kind, core::sip::Frame::Kind::kMessage) << frame.reason;
  EXPECT_EQ(frame.length, m.text.size());
  std::string bare = m.text;
  bare.replace(bare.find(std::string("\\\0", 2)), 2, std::string("x\0", 2));
  EXPECT_EQ(core::sip::find_frame(bare, 65536).kind, core::sip::Frame::Kind::kError);
}

TEST(Rfc4475Data, EscapedNulInsideAQuotedStringOnly) {
  using core::sip::nul_only_in_quoted_pairs;
  using namespace std::string_literals;
  EXPECT_TRUE(nul_only_in_quoted_pairs("To: \"a\\\0b\" <sip:x@y>\r\n"s));
  EXPECT_TRUE(nul_only_in_quoted_pairs("To: \"a\r\n \\\0b\" <sip:x@y>\r\n"s));  // across a fold
  EXPECT_FALSE(nul_only_in_quoted_pairs("To: \"a\0b\" <sip:x@y>\r\n"s));        // not escaped
  EXPECT_FALSE(nul_only_in_quoted_pairs("To: a\\\0b <sip:x@y>\r\n"s));          // not quoted
  EXPECT_FALSE(nul_only_in_quoted_pairs("X: \"open\r\nY: \\\0\"\r\n"s));  // a new line ends it
}

}  // namespace
}  // namespace core::proxy::testing
