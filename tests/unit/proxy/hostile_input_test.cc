// Requests crafted by a hostile or broken upstream: the proxy must not send responses where
// RFC 3261 does not intend, nor forward a request other than the one the script asked for.
#include <gtest/gtest.h>

#include "core/proxy/sip_text.h"
#include "proxy_fixture.h"

namespace core::proxy::testing {
namespace {

// RFC 3261 §18.2.1: `received` records the packet's source address. A `received` written by
// the sender itself would steer every response (forwarded by the next Via) to a third host.
TEST_F(ProxyTest, UpstreamReceivedIsReplacedByTheSourceAddress) {
  receive(invite("", ";received=203.0.113.66;branch=z9hG4bKabc123"), Transport::kUdp,
          addr("198.51.100.99", 5062));
  const std::string& d = only_sent().data;
  EXPECT_EQ(d.find("203.0.113.66"), std::string::npos) << d;
  EXPECT_NE(d.find("198.51.100.7:5062;received=198.51.100.99;branch=z9hG4bKabc123\r\n"),
            std::string::npos)
      << d;
}

TEST_F(ProxyTest, UpstreamReceivedIsCorrectedWhenSentByIsTheSource) {
  receive(invite("", ";rport;branch=z9hG4bKabc123;received=203.0.113.66"), Transport::kUdp,
          addr("198.51.100.7", 40000));
  const std::string& d = only_sent().data;
  EXPECT_EQ(d.find("203.0.113.66"), std::string::npos) << d;
  EXPECT_NE(d.find(";rport=40000;branch=z9hG4bKabc123;received=198.51.100.7\r\n"),
            std::string::npos)
      << d;
}

TEST_F(ProxyTest, LocalReplyCarriesTheCorrectedReceived) {
  std::string msg = invite("", ";received=203.0.113.66;branch=z9hG4bKabc123");
  msg.replace(msg.find("Max-Forwards: 70"), 16, "Max-Forwards: 0");
  receive(msg, Transport::kUdp, addr("198.51.100.99", 5062));
  const Sent& s = only_sent();
  EXPECT_EQ(s.data.rfind("SIP/2.0 483 ", 0), 0u);
  EXPECT_EQ(s.data.find("203.0.113.66"), std::string::npos) << s.data;
  EXPECT_NE(s.data.find(";received=198.51.100.99;branch=z9hG4bKabc123\r\n"), std::string::npos)
      << s.data;
}

// Found by the sip_message fuzzer: a request refused for a bare NUL got a 400 that echoed the
// header holding it (here the CSeq), so ser sent a reply that does not parse. It is dropped.
TEST_F(ProxyTest, ARequestWithABareNulIsDroppedNotAnsweredWithTheNulEchoed) {
  std::string msg = invite("", ";branch=z9hG4bKabc123");
  const size_t cseq = msg.find("CSeq: ");
  ASSERT_NE(cseq, std::string::npos);
  msg.insert(cseq + 7, std::string("\0", 1));
  receive(msg, Transport::kUdp, addr("198.51.100.7", 5062));
  EXPECT_TRUE(sender_.sent.empty()) << sender_.sent.front().data;
}

// A user part larger than the per-message text arena: the rewrite must keep it or fail, never
// forward to the new host without the user (another destination than the script asked for).
TEST_F(ProxyTest, RewriteHostNeverDropsALongUser) {
  use_script("route { rewritehost(\"203.0.113.20\"); forward(); }");
  std::string user(TextArena::kSize + 10, 'u');
  receive(invite("", ";branch=z9hG4bKabc123", "sip:" + user + "@203.0.113.5"));
  for (const Sent& s : sender_.sent)
    EXPECT_NE(s.data.rfind("INVITE sip:203.0.113.20 SIP/2.0\r\n", 0), 0u) << "user dropped";
}

TEST_F(ProxyTest, RewriteHostNeverDropsLongUriParameters) {
  use_script("route { rewritehost(\"203.0.113.20\"); forward(); }");
  std::string params = ";x=" + std::string(TextArena::kSize + 10, 'p');
  receive(invite("", ";branch=z9hG4bKabc123", "sip:bob@203.0.113.5" + params));
  for (const Sent& s : sender_.sent)
    EXPECT_NE(s.data.rfind("INVITE sip:bob@203.0.113.20 SIP/2.0\r\n", 0), 0u) << "params dropped";
}

// RFC 3261 §19.1.1: headers are not allowed in a Request-URI, and a proxy must not pass them
// on (RFC 4475 §3.1.2.10): such a request is answered 400.
TEST_F(ProxyTest, RequestUriWithHeadersIsRefused) {
  receive(invite("", ";branch=z9hG4bKabc123", "sip:bob@203.0.113.5?Route=%3Csip:x%3E"));
  EXPECT_EQ(only_sent().data.rfind("SIP/2.0 400 headers in the Request-URI\r\n", 0), 0u);
}

}  // namespace
}  // namespace core::proxy::testing

namespace core::proxy::testing {
namespace {

// rewritehost changes the host only (SER's semantics): user:password stays as received.
TEST_F(ProxyTest, RewriteHostKeepsTheUserPassword) {
  use_script("route { rewritehost(\"203.0.113.20\"); forward(); }");
  receive(invite("", ";branch=z9hG4bKabc123", "sip:bob:secret@203.0.113.5;user=phone"));
  EXPECT_EQ(only_sent().data.rfind("INVITE sip:bob:secret@203.0.113.20;user=phone SIP/2.0\r\n", 0),
            0u)
      << only_sent().data;
}

}  // namespace
}  // namespace core::proxy::testing

namespace core::proxy::testing {
namespace {

// RFC 3261 §16.4: a strict router (RFC 2543) put our Record-Route URI into the Request-URI
// and the real target last in Route; the proxy restores it before routing.
TEST_F(ProxyTest, StrictRoutedRequestGetsItsTargetBackFromTheLastRoute) {
  receive(invite("Route: <sip:203.0.113.9;lr>, <sip:bob@203.0.113.5>\r\n", ";branch=z9hG4bKabc123",
                 "sip:192.0.2.1:5060;lr"));
  const Sent& s = only_sent();
  EXPECT_EQ(s.data.rfind("INVITE sip:bob@203.0.113.5 SIP/2.0\r\n", 0), 0u) << s.data;
  EXPECT_NE(s.data.find("Route: <sip:203.0.113.9;lr>\r\n"), std::string::npos) << s.data;
  EXPECT_EQ(s.dst.to_string(), "203.0.113.9:5060");
}

TEST_F(ProxyTest, StrictRoutedRequestWithOnlyTheTargetInRoute) {
  receive(
      invite("Route: <sip:bob@203.0.113.5:5070>\r\n", ";branch=z9hG4bKabc123", "sip:192.0.2.1"));
  const Sent& s = only_sent();
  EXPECT_EQ(s.data.rfind("INVITE sip:bob@203.0.113.5:5070 SIP/2.0\r\n", 0), 0u) << s.data;
  EXPECT_EQ(s.data.find("Route:"), std::string::npos) << s.data;
  EXPECT_EQ(s.dst.to_string(), "203.0.113.5:5070");
}

// A user at the proxy's address is a request for a local service, not a strict route.
TEST_F(ProxyTest, RequestUriWithAUserAtOurAddressIsNotTakenForAStrictRoute) {
  receive(invite("Route: <sip:203.0.113.9;lr>\r\n", ";branch=z9hG4bKabc123",
                 "sip:voicemail@192.0.2.1"));
  EXPECT_EQ(only_sent().data.rfind("INVITE sip:voicemail@192.0.2.1 SIP/2.0\r\n", 0), 0u);
}

}  // namespace
}  // namespace core::proxy::testing

namespace core::proxy::testing {
namespace {

// remove_hf() of a header the proxy edits itself (a Route it pops, Max-Forwards) is no
// conflict: the header goes, the request is still forwarded.
TEST_F(ProxyTest, ScriptRemovingRouteDoesNotStopLooseRouting) {
  use_script("route { remove_hf(\"Route\"); forward(); }");
  receive(invite("Route: <sip:192.0.2.1:5060;lr>, <sip:203.0.113.9;lr>\r\n"));
  EXPECT_EQ(only_sent().data.find("Route:"), std::string::npos) << only_sent().data;
  EXPECT_EQ(proxy().stats().forwarded.load(), 1u);
}

TEST_F(ProxyTest, ScriptRemovingMaxForwardsStillSendsOneDecremented) {
  use_script("route { remove_hf(\"Max-Forwards\"); forward(); }");
  receive(invite());
  const std::string& d = only_sent().data;
  size_t at = d.find("Max-Forwards: 69\r\n");
  EXPECT_NE(at, std::string::npos) << d;
  EXPECT_EQ(d.find("Max-Forwards", at + 1), std::string::npos) << d;
}

}  // namespace
}  // namespace core::proxy::testing

namespace core::proxy::testing {
namespace {

// A Request-URI that nearly fills the text arena: whatever is forwarded still carries the
// Record-Route the script asked for (else the dialog's later requests bypass the proxy).
TEST_F(ProxyTest, ForwardedRequestNeverLosesItsRecordRouteToAFullArena) {
  use_script("route { rewritehost(\"203.0.113.20\"); record_route(); forward(); }");
  for (size_t n = TextArena::kSize - 400; n < TextArena::kSize; n += 3)
    receive(invite("", ";branch=z9hG4bKabc123", "sip:" + std::string(n, 'u') + "@203.0.113.5"));
  ASSERT_FALSE(sender_.sent.empty());
  for (const Sent& s : sender_.sent)
    EXPECT_NE(s.data.find("\r\nRecord-Route: <sip:192.0.2.1:5060;lr>\r\n"), std::string::npos)
        << s.data.size();
}

}  // namespace
}  // namespace core::proxy::testing

namespace core::proxy::testing {
namespace {

TEST_F(ProxyTest, LocalReplyNeverCarriesAnEmptyRportToAFullArena) {
  use_script("route { rewritehost(\"203.0.113.20\"); sl_send_reply(404, \"Not Here\"); }");
  for (size_t n = TextArena::kSize - 120; n < TextArena::kSize; ++n)
    receive(
        invite("", ";rport;branch=z9hG4bKabc123", "sip:" + std::string(n, 'u') + "@203.0.113.5"),
        Transport::kUdp, addr("198.51.100.7", 40000));
  ASSERT_FALSE(sender_.sent.empty());
  for (const Sent& s : sender_.sent) EXPECT_EQ(s.data.find("rport=;"), std::string::npos) << s.data;
}

}  // namespace
}  // namespace core::proxy::testing
