#include "core/sip/via.h"

#include <gtest/gtest.h>

#include <string>

#include "core/sip/text.h"

namespace core::sip {
namespace {

TEST(ViaTest, ParsesProtocolSentByAndParams) {
  const std::string text =
      "SIP/2.0/UDP pc33.atlanta.example.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;"
      "rport=5067;maddr=224.2.0.1;ttl=16;x-extra=\"q v\"";
  Via via;
  ASSERT_TRUE(via.parse(text).ok());
  EXPECT_EQ(via.protocol_name(), "SIP");
  EXPECT_EQ(via.protocol_version(), "2.0");
  EXPECT_EQ(via.transport_name(), "UDP");
  EXPECT_EQ(via.transport(), Transport::kUdp);
  EXPECT_EQ(via.host(), "pc33.atlanta.example.com");
  EXPECT_EQ(via.sent_by().kind, HostKind::kName);
  EXPECT_EQ(via.port(), 5066);
  EXPECT_TRUE(via.has_port());
  EXPECT_EQ(via.branch().value, "z9hG4bK776asdhds");
  EXPECT_TRUE(via.has_rfc3261_branch());
  EXPECT_EQ(via.received().value, "192.0.2.1");
  EXPECT_TRUE(via.rport().present());
  EXPECT_EQ(via.rport().value, "5067");
  EXPECT_EQ(via.maddr().value, "224.2.0.1");
  EXPECT_EQ(via.ttl().value, "16");
  EXPECT_EQ(via.param("X-EXTRA").value, "\"q v\"");
  EXPECT_FALSE(via.param("nope").present());
}

TEST(ViaTest, ParametersAreViewsWithOffsets) {
  // An editor fills in an empty rport right after its name and appends received at the end.
  const std::string text = "SIP/2.0/TCP 10.0.0.1;rport;branch=z9hG4bKabc";
  Via via;
  ASSERT_TRUE(via.parse(text).ok());
  EXPECT_TRUE(via.rport().present());
  EXPECT_FALSE(via.rport().has_value);
  EXPECT_EQ(offset_in(text, via.rport().name), text.find("rport"));
  EXPECT_EQ(offset_in(text, via.text()) + via.text().size(), text.size());
  EXPECT_EQ(offset_in(text, via.branch().value), text.find("z9hG4bKabc"));
  EXPECT_EQ(via.params(), ";rport;branch=z9hG4bKabc");
  EXPECT_FALSE(via.received().present());
}

TEST(ViaTest, Ipv6SentByAndReceived) {
  Via via;
  ASSERT_TRUE(
      via.parse("SIP/2.0/TLS [2001:db8::9:1]:5061;branch=z9hG4bK1;received=2001:db8::2").ok());
  EXPECT_EQ(via.transport(), Transport::kTls);
  EXPECT_EQ(via.host(), "[2001:db8::9:1]");
  EXPECT_EQ(via.sent_by().address(), "2001:db8::9:1");
  EXPECT_EQ(via.sent_by().kind, HostKind::kIPv6);
  EXPECT_EQ(via.port(), 5061);
  EXPECT_EQ(via.received().value, "2001:db8::2");

  ASSERT_TRUE(via.parse("SIP/2.0/UDP [::1];branch=z9hG4bK2").ok());
  EXPECT_EQ(via.sent_by().address(), "::1");
  EXPECT_FALSE(via.has_port());
  EXPECT_EQ(via.port(), 0);
  ASSERT_TRUE(via.parse("SIP/2.0/UDP [::ffff:192.0.2.7]:5060").ok());
  EXPECT_EQ(via.sent_by().address(), "::ffff:192.0.2.7");
}

TEST(ViaTest, ToleratesLinearWhiteSpace) {
  // RFC 3261 §25.1: SLASH, COLON, SEMI and EQUAL may be surrounded by (folded) white space.
  Via via;
  ASSERT_TRUE(
      via.parse("SIP / 2.0 / tcp  host.example.com : 5070 ; branch = z9hG4bKw ;\r\n rport").ok());
  EXPECT_EQ(via.transport(), Transport::kTcp);
  EXPECT_EQ(via.transport_name(), "tcp");
  EXPECT_EQ(via.host(), "host.example.com");
  EXPECT_EQ(via.port(), 5070);
  EXPECT_EQ(via.branch().value, "z9hG4bKw");
  EXPECT_TRUE(via.rport().present());
}

TEST(ViaTest, TransportsWeDoNotSpeakStillParse) {
  Via via;
  ASSERT_TRUE(via.parse("SIP/2.0/WSS h").ok());
  EXPECT_FALSE(via.transport().has_value());
  EXPECT_EQ(via.transport_name(), "WSS");  // kept as text
  ASSERT_TRUE(via.parse("SIP/2.0/tls h").ok());
  EXPECT_EQ(via.transport(), Transport::kTls);
}

TEST(ViaTest, OldStyleBranchIsNotRfc3261) {
  Via via;
  ASSERT_TRUE(via.parse("SIP/2.0/UDP h;branch=1234").ok());
  EXPECT_FALSE(via.has_rfc3261_branch());
  ASSERT_TRUE(via.parse("SIP/2.0/UDP h;branch=Z9HG4BK1").ok());
  EXPECT_FALSE(via.has_rfc3261_branch());  // the cookie is case-sensitive
}

TEST(ViaTest, RejectsMalformedVias) {
  const char* bad[] = {
      "",
      "SIP/2.0",
      "SIP/2.0/UDP",
      "SIP/2.0/UDP ",
      "SIP/2.0 UDP h",
      "XIP/2.0/UDP h",
      "SIP/2.0/UDPh",
      "SIP/2.0/UDP h:",
      "SIP/2.0/UDP h:0",
      "SIP/2.0/UDP h:65536",
      "SIP/2.0/UDP h:5x",
      "SIP/2.0/UDP [::1",
      "SIP/2.0/UDP [1:2:3]",
      "SIP/2.0/UDP ex ample.com",
      "SIP/2.0/UDP -bad.example.com",
      "SIP/2.0/UDP h;branch",
      "SIP/2.0/UDP h;branch=",
      "SIP/2.0/UDP h;received=not-an-ip",
      "SIP/2.0/UDP h;rport=0",
      "SIP/2.0/UDP h;rport=70000",
      "SIP/2.0/UDP h;ttl=256",
      "SIP/2.0/UDP h;maddr=bad$host",
      "SIP/2.0/UDP h;;branch=z9hG4bK1",
      "SIP/2.0/UDP h;branch=\"unterminated",
      "SIP/2.0/UDP h junk",
  };
  for (const char* text : bad) {
    Via via;
    const ParseError err = via.parse(text);
    EXPECT_EQ(err.code, SipError::kBadVia) << '"' << text << '"';
    EXPECT_FALSE(err.reason.empty());
  }
}

// Another SIP version is reported as such, with the Via parsed whole: a request of that
// version is answered 505 over it (RFC 4475 §3.1.2.15).
TEST(ViaTest, OtherSipVersionIsParsedAndReported) {
  Via via;
  const ParseError err = via.parse("SIP/7.0/UDP c.example.com;rport;branch=z9hG4bKkdjuw");
  EXPECT_EQ(err.code, SipError::kBadVersion);
  EXPECT_EQ(via.protocol_version(), "7.0");
  EXPECT_EQ(via.host(), "c.example.com");
  EXPECT_TRUE(via.rport().present());
}

// RFC 4475 §3.2.1: the magic cookie alone is no RFC 3261 branch.
TEST(ViaTest, CookieAloneIsNoRfc3261Branch) {
  Via via;
  ASSERT_TRUE(via.parse("SIP/2.0/UDP h;branch=z9hG4bK").ok());
  EXPECT_FALSE(via.has_rfc3261_branch());
}

}  // namespace
}  // namespace core::sip
