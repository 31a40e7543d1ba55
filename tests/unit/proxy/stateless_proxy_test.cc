// The stateless proxy's request and response paths (RFC 3261 §16.11), through a recording
// Sender: what goes out, where to, and over which connection.
#include "core/proxy/stateless_proxy.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/base/memory_guard.h"
#include "proxy_fixture.h"

namespace core::proxy::testing {
namespace {

std::string top_via(const std::string& msg) {
  size_t at = msg.find("\r\nVia: ");
  return msg.substr(at + 2, msg.find("\r\n", at + 2) - at - 2);
}

std::string branch_of(const std::string& msg) {
  std::string via = top_via(msg);
  size_t at = via.find("branch=");
  return via.substr(at + 7, via.find(';', at) == std::string::npos ? std::string::npos
                                                                   : via.find(';', at) - at - 7);
}

TEST_F(ProxyTest, ForwardsToRequestUriWithOurViaOnTop) {
  receive(invite());
  const Sent& s = only_sent();
  EXPECT_EQ(s.transport, Transport::kUdp);
  EXPECT_EQ(s.dst.to_string(), "203.0.113.5:5060");
  EXPECT_EQ(s.listener_hint, 0);
  EXPECT_EQ(s.data.rfind("INVITE sip:bob@203.0.113.5 SIP/2.0\r\n", 0), 0u);
  EXPECT_EQ(top_via(s.data).rfind("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK", 0), 0u);
  EXPECT_NE(s.data.find("Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bKabc123\r\n"),
            std::string::npos);
  EXPECT_NE(s.data.find("Max-Forwards: 69\r\n"), std::string::npos);
  EXPECT_EQ(proxy().stats().forwarded.load(), 1u);
}

TEST_F(ProxyTest, RetransmissionGetsTheSameBranchAndAnotherTransactionAnother) {
  receive(invite());
  receive(invite());
  receive(invite("", ";branch=z9hG4bKother"));
  ASSERT_EQ(sender_.sent.size(), 3u);
  EXPECT_EQ(branch_of(sender_.sent[0].data), branch_of(sender_.sent[1].data));
  EXPECT_NE(branch_of(sender_.sent[0].data), branch_of(sender_.sent[2].data));
}

TEST_F(ProxyTest, Rfc2543BranchIsStableForRetransmissions) {
  receive(invite("", ""));
  receive(invite("", ""));
  std::string other = invite("", "");
  other.replace(other.find("CSeq: 1"), 7, "CSeq: 2");
  receive(other);
  ASSERT_EQ(sender_.sent.size(), 3u);
  EXPECT_EQ(branch_of(sender_.sent[0].data), branch_of(sender_.sent[1].data));
  EXPECT_NE(branch_of(sender_.sent[0].data), branch_of(sender_.sent[2].data));
  EXPECT_EQ(branch_of(sender_.sent[0].data).rfind("z9hG4bK", 0), 0u);
}

TEST_F(ProxyTest, AddsReceivedWhenSentByIsNotTheSource) {
  receive(invite(), Transport::kUdp, addr("198.51.100.99", 5062));
  EXPECT_NE(
      only_sent().data.find("198.51.100.7:5062;branch=z9hG4bKabc123;received=198.51.100.99\r\n"),
      std::string::npos);
}

TEST_F(ProxyTest, FillsRportAndReceivedWhenAsked) {
  receive(invite("", ";rport;branch=z9hG4bKabc123"), Transport::kUdp, addr("198.51.100.7", 40000));
  EXPECT_NE(only_sent().data.find(";rport=40000;branch=z9hG4bKabc123;received=198.51.100.7\r\n"),
            std::string::npos);
}

TEST_F(ProxyTest, NoReceivedWhenSentByMatchesAndNoRport) {
  receive(invite());
  EXPECT_EQ(only_sent().data.find("received="), std::string::npos);
}

TEST_F(ProxyTest, MaxForwardsZeroIsAnswered483AndNotForwarded) {
  std::string msg = invite();
  msg.replace(msg.find("Max-Forwards: 70"), 16, "Max-Forwards: 0");
  receive(msg);
  const Sent& s = only_sent();
  EXPECT_EQ(s.data.rfind("SIP/2.0 483 Too Many Hops\r\n", 0), 0u);
  EXPECT_EQ(s.dst.to_string(), "198.51.100.7:5062");
  EXPECT_EQ(proxy().stats().forwarded.load(), 0u);
}

TEST_F(ProxyTest, MissingMaxForwardsIsAddedWith70) {
  std::string msg = invite();
  msg.erase(msg.find("Max-Forwards: 70\r\n"), 18);
  receive(msg);
  EXPECT_NE(only_sent().data.find("Max-Forwards: 70\r\n"), std::string::npos);
}

TEST_F(ProxyTest, ScriptMaxForwardsLimitUsedWhenHeaderMissing) {
  use_script(
      "route { if (!mf_process_maxfwd_header(10)) { sl_send_reply(483, \"Too Many Hops\"); exit; } "
      "forward(); }");
  std::string msg = invite();
  msg.erase(msg.find("Max-Forwards: 70\r\n"), 18);
  receive(msg);
  EXPECT_NE(only_sent().data.find("Max-Forwards: 10\r\n"), std::string::npos);
}

TEST_F(ProxyTest, ScriptRepliesWhenMaxForwardsIsZero) {
  use_script(
      "route { if (!mf_process_maxfwd_header(10)) { sl_send_reply(483, \"Hops\"); exit; } "
      "forward(); }");
  std::string msg = invite();
  msg.replace(msg.find("Max-Forwards: 70"), 16, "Max-Forwards: 0");
  receive(msg);
  EXPECT_EQ(only_sent().data.rfind("SIP/2.0 483 Hops\r\n", 0), 0u);
}

TEST_F(ProxyTest, LooseRoutingPopsOurRouteAndFollowsTheNext) {
  receive(invite("Route: <sip:192.0.2.1:5060;lr>, <sip:203.0.113.9;lr>\r\n"));
  const Sent& s = only_sent();
  EXPECT_EQ(s.dst.to_string(), "203.0.113.9:5060");
  EXPECT_NE(s.data.find("Route: <sip:203.0.113.9;lr>\r\n"), std::string::npos);
  EXPECT_EQ(s.data.find("192.0.2.1:5060;lr"), std::string::npos);
}

TEST_F(ProxyTest, LooseRoutingRemovesALineWithOnlyOurRoute) {
  receive(invite("Route: <sip:proxy.example.com;lr>\r\n"));
  const Sent& s = only_sent();
  EXPECT_EQ(s.dst.to_string(), "203.0.113.5:5060");
  EXPECT_EQ(s.data.find("Route:"), std::string::npos);
}

// Our two Record-Routes (RFC 5658 double record-routing) come back as one Route line when the
// peer writes the route set comma-separated, as Kamailio's loose_route() does.
TEST_F(ProxyTest, LooseRoutingPopsBothOfOurRoutesFromOneLine) {
  receive(invite("Route: <sip:192.0.2.1:5060;transport=tcp;lr>, <sip:192.0.2.1:5060;lr>\r\n"));
  const Sent& s = only_sent();
  EXPECT_EQ(s.dst.to_string(), "203.0.113.5:5060");
  EXPECT_EQ(s.data.find("Route:"), std::string::npos) << s.data;
}

TEST_F(ProxyTest, LooseRoutingPopsBothOfOurRoutesAndKeepsTheNextOnTheLine) {
  receive(
      invite("Route: <sip:192.0.2.1:5060;transport=tcp;lr>, <sip:192.0.2.1:5060;lr>,"
             " <sip:203.0.113.9;lr>\r\n"));
  const Sent& s = only_sent();
  EXPECT_EQ(s.dst.to_string(), "203.0.113.9:5060");
  EXPECT_NE(s.data.find("\r\nRoute: <sip:203.0.113.9;lr>\r\n"), std::string::npos) << s.data;
}

TEST_F(ProxyTest, RecordRouteSameTransportAddsOne) {
  use_script("route { record_route(); forward(); }");
  receive(invite("Record-Route: <sip:198.51.100.1;lr>\r\n"));
  const std::string& d = only_sent().data;
  size_t ours = d.find("Record-Route: <sip:192.0.2.1:5060;lr>\r\n");
  ASSERT_NE(ours, std::string::npos);
  EXPECT_LT(ours, d.find("Record-Route: <sip:198.51.100.1;lr>"));
  EXPECT_EQ(d.find("Record-Route: <sip:192.0.2.1", ours + 10), std::string::npos);
}

TEST_F(ProxyTest, RecordRouteAcrossTransportsAddsTwo) {
  use_script("route { record_route(); forward_tcp(\"203.0.113.5\", 5070); }");
  receive(invite());
  const Sent& s = only_sent();
  EXPECT_EQ(s.transport, Transport::kTcp);
  EXPECT_EQ(s.dst.to_string(), "203.0.113.5:5070");
  size_t out = s.data.find("Record-Route: <sip:192.0.2.1:5060;transport=tcp;lr>\r\n");
  size_t in = s.data.find("Record-Route: <sip:192.0.2.1:5060;lr>\r\n");
  ASSERT_NE(out, std::string::npos);
  ASSERT_NE(in, std::string::npos);
  EXPECT_LT(out, in);
  EXPECT_EQ(top_via(s.data).rfind("Via: SIP/2.0/TCP 192.0.2.1:5060;", 0), 0u);
}

TEST_F(ProxyTest, StreamRequestNamesItsConnectionAndTheResponseUsesIt) {
  use_script("route { forward_udp(\"203.0.113.5\", 5060); }");
  std::string req = invite();
  req.replace(req.find("SIP/2.0/UDP"), 11, "SIP/2.0/TCP");
  receive(req, Transport::kTcp, addr("198.51.100.7", 41000), 42, 1);
  std::string fwd = only_sent().data;
  EXPECT_NE(top_via(fwd).find(";i=42"), std::string::npos);
  // The UAS answers with our Via on top.
  std::string ours = top_via(fwd);
  std::string response = "SIP/2.0 180 Ringing\r\n" + ours + "\r\n" +
                         fwd.substr(fwd.find("Via: SIP/2.0/TCP 198.51.100.7"));
  response = response.substr(0, response.find("Max-Forwards")) +
             "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>;tag=b\r\n"
             "Call-ID: c1@198.51.100.7\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  sender_.sent.clear();
  receive(response, Transport::kUdp, addr("203.0.113.5", 5060));
  const Sent& back = only_sent();
  EXPECT_EQ(back.transport, Transport::kTcp);
  EXPECT_EQ(back.conn_hint, 42u);
  // The connection is named by id; the address is only the fallback of RFC 3261 §18.2.2.
  EXPECT_EQ(back.dst.to_string(), "198.51.100.7:5062");
  EXPECT_EQ(back.data.find("192.0.2.1"), std::string::npos);
  EXPECT_EQ(back.data.rfind("SIP/2.0 180 Ringing\r\nVia: SIP/2.0/TCP 198.51.100.7", 0), 0u);
}

TEST_F(ProxyTest, ResponseGoesToReceivedAndRport) {
  std::string r =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKser.1\r\n"
      "Via: SIP/2.0/UDP 10.0.0.5:5062;rport=40000;received=198.51.100.7;branch=z9hG4bKabc\r\n"
      "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: r1\r\nCSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  receive(r, Transport::kUdp, addr("203.0.113.5", 5060));
  const Sent& s = only_sent();
  EXPECT_EQ(s.dst.to_string(), "198.51.100.7:40000");
  EXPECT_EQ(s.data.rfind("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.5:5062;", 0), 0u);
  EXPECT_EQ(proxy().stats().replies_forwarded.load(), 1u);
}

TEST_F(ProxyTest, ResponseWithTwoViasOnOneLine) {
  std::string r =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKser.1, SIP/2.0/UDP "
      "198.51.100.7:5070;branch=z9hG4bKx\r\n"
      "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: r1\r\nCSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  receive(r, Transport::kUdp, addr("203.0.113.5", 5060));
  const Sent& s = only_sent();
  EXPECT_EQ(s.dst.to_string(), "198.51.100.7:5070");
  EXPECT_NE(s.data.find("Via: SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bKx\r\n"),
            std::string::npos);
  EXPECT_EQ(s.data.find("192.0.2.1"), std::string::npos);
}

TEST_F(ProxyTest, ResponseNotViaUsIsDropped) {
  std::string r =
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 203.0.113.77:5060;branch=z9hG4bKx\r\n"
      "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: r1\r\nCSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  receive(r);
  EXPECT_TRUE(sender_.sent.empty());
  EXPECT_EQ(proxy().stats().not_ours.load(), 1u);
}

TEST_F(ProxyTest, MalformedRequestIsAnswered400WithTheReason) {
  std::string msg = invite();
  msg.erase(msg.find("From: "), msg.find("To: ") - msg.find("From: "));
  receive(msg);
  const Sent& s = only_sent();
  EXPECT_EQ(s.data.rfind("SIP/2.0 400 ", 0), 0u);
  EXPECT_NE(s.data.find("Call-ID: c1@198.51.100.7\r\n"), std::string::npos);
  EXPECT_EQ(proxy().stats().bad_requests.load(), 1u);
}

TEST_F(ProxyTest, GarbageIsDroppedAndCounted) {
  receive("\x01\x02 hello there\r\n\r\n");
  receive("SIP/2.0 200\r\n\r\n");
  EXPECT_TRUE(sender_.sent.empty());
  EXPECT_EQ(proxy().stats().bad_dropped.load(), 2u);
}

TEST_F(ProxyTest, ScriptReplyCarriesToTagAndFixedVia) {
  use_script("route { sl_send_reply(404, \"Not Here\"); }");
  receive(invite("", ";rport;branch=z9hG4bKabc123"), Transport::kUdp, addr("198.51.100.7", 40000));
  const Sent& s = only_sent();
  EXPECT_EQ(s.dst.to_string(), "198.51.100.7:40000");
  EXPECT_EQ(s.data.rfind("SIP/2.0 404 Not Here\r\n", 0), 0u);
  EXPECT_NE(s.data.find(";rport=40000;branch=z9hG4bKabc123;received=198.51.100.7\r\n"),
            std::string::npos);
  EXPECT_NE(s.data.find("To: <sip:bob@example.com>;tag="), std::string::npos);
  EXPECT_NE(s.data.find("Content-Length: 0\r\n\r\n"), std::string::npos);
}

TEST_F(ProxyTest, NeverRepliesToAck) {
  use_script("route { sl_send_reply(404, \"Not Here\"); }");
  std::string ack = invite();
  ack.replace(0, 6, "ACK");
  ack.replace(ack.find("CSeq: 1 INVITE"), 14, "CSeq: 1 ACK");
  receive(ack);
  EXPECT_TRUE(sender_.sent.empty());
}

TEST_F(ProxyTest, OversizedDatagramIsAnswered513) {
  settings_.max_message_size = 300;
  receive(invite("Subject: " + std::string(400, 'x') + "\r\n"));
  EXPECT_EQ(only_sent().data.rfind("SIP/2.0 513 Message Too Large\r\n", 0), 0u);
}

TEST_F(ProxyTest, RewriteHostChangesUriAndDestination) {
  use_script("route { rewritehost(\"203.0.113.20\"); forward(); }");
  receive(invite());
  const Sent& s = only_sent();
  EXPECT_EQ(s.dst.to_string(), "203.0.113.20:5060");
  EXPECT_EQ(s.data.rfind("INVITE sip:bob@203.0.113.20 SIP/2.0\r\n", 0), 0u);
}

TEST_F(ProxyTest, RewriteUriWithTransportParameterPicksTcp) {
  use_script("route { rewriteuri(\"sip:carol@203.0.113.21:5080;transport=tcp\"); forward(); }");
  receive(invite());
  const Sent& s = only_sent();
  EXPECT_EQ(s.transport, Transport::kTcp);
  EXPECT_EQ(s.dst.to_string(), "203.0.113.21:5080");
}

TEST_F(ProxyTest, AppendAndRemoveHeaders) {
  use_script("route { append_hf(\"X-Tenant: blue\\r\\n\"); remove_hf(\"Subject\"); forward(); }");
  receive(invite("Subject: hello\r\ns: compact too\r\n"));
  const std::string& d = only_sent().data;
  EXPECT_NE(d.find("X-Tenant: blue\r\n"), std::string::npos);
  EXPECT_EQ(d.find("hello"), std::string::npos);
  EXPECT_EQ(d.find("compact too"), std::string::npos);
}

TEST_F(ProxyTest, Ipv6RequestIsForwardedFromOurIpv6Socket) {
  receive(invite("", ";branch=z9hG4bKv6", "sip:bob@[2001:db8::99]:5070"), Transport::kUdp,
          addr("2001:db8::7", 5062), 0, 2);
  const Sent& s = only_sent();
  EXPECT_EQ(s.dst.to_string(), "[2001:db8::99]:5070");
  EXPECT_EQ(s.listener_hint, 2);
  EXPECT_EQ(top_via(s.data).rfind("Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=", 0), 0u);
}

TEST_F(ProxyTest, OnReplyRouteDropStopsTheResponse) {
  use_script("route { forward(); } onreply_route { if (method == \"INVITE\") drop; }");
  std::string r =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKser.1\r\n"
      "Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bKabc\r\n"
      "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: r1\r\nCSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  receive(r);
  EXPECT_TRUE(sender_.sent.empty());
  EXPECT_EQ(proxy().stats().script_dropped.load(), 1u);
}

TEST_F(ProxyTest, SendFailureIsCounted) {
  sender_.fail = true;
  receive(invite());
  EXPECT_EQ(proxy().stats().send_failed.load(), 1u);
  EXPECT_EQ(proxy().stats().forwarded.load(), 0u);
}

TEST_F(ProxyTest, UnknownMethodAndHeadersPassThroughUntouched) {
  std::string msg = invite("X-Custom: keep me ; as is\r\n");
  msg.replace(0, 6, "FOOBAR");
  msg.replace(msg.find("CSeq: 1 INVITE"), 14, "CSeq: 1 FOOBAR");
  receive(msg);
  const std::string& d = only_sent().data;
  EXPECT_EQ(d.rfind("FOOBAR sip:bob@203.0.113.5 SIP/2.0\r\n", 0), 0u);
  EXPECT_NE(d.find("X-Custom: keep me ; as is\r\n"), std::string::npos);
}

}  // namespace
}  // namespace core::proxy::testing

namespace core::proxy::testing {
namespace {

TEST_F(ProxyTest, TlsNextHopIsNamedForTheCertificateCheck) {
  use_script("route { forward(); }");
  receive(invite("", ";branch=z9hG4bKtls", "sips:bob@203.0.113.5"));
  const Sent& s = only_sent();
  EXPECT_EQ(s.transport, Transport::kTls);
  EXPECT_EQ(s.dst.to_string(), "203.0.113.5:5061");
  EXPECT_EQ(s.server_name, "203.0.113.5");
}

TEST_F(ProxyTest, ForwardTlsToAnIpv6HostNamesItWithoutBrackets) {
  use_script("route { forward_tls(\"[2001:db8::99]\", 5061); }");
  receive(invite(), Transport::kUdp, addr("2001:db8::7", 5062), 0, 2);
  EXPECT_EQ(only_sent().server_name, "2001:db8::99");
}

// RFC 3261 §18.2.2: with the request's connection gone, a response is sent over a new one;
// over TLS that connection checks the sender's name (RFC 5922 §7.2), never the chain alone.
TEST_F(ProxyTest, ResponseOverTlsNamesTheViaSentByHost) {
  std::string r =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKser.1\r\n"
      "Via: SIP/2.0/TLS Sip.Example.NET:5071;received=198.51.100.7;branch=z9hG4bKabc\r\n"
      "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: r1\r\nCSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  receive(r, Transport::kUdp, addr("203.0.113.5", 5060));
  const Sent& s = only_sent();
  EXPECT_EQ(s.transport, Transport::kTls);
  EXPECT_EQ(s.dst.to_string(), "198.51.100.7:5071");
  EXPECT_EQ(s.server_name, "Sip.Example.NET");
}

TEST_F(ProxyTest, ResponseOverTlsToAnAddressNamesTheAddressItGoesTo) {
  std::string r =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKser.1\r\n"
      "Via: SIP/2.0/TLS [2001:db8::5]:5071;branch=z9hG4bKabc\r\n"
      "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: r1\r\nCSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  receive(r, Transport::kUdp, addr("203.0.113.5", 5060));
  EXPECT_EQ(only_sent().server_name, "2001:db8::5");
}

TEST_F(ProxyTest, ReplyOverTlsNamesTheRequestsSentByHost) {
  use_script("route { sl_send_reply(404, \"Not Here\"); }");
  std::string req = invite("", ";branch=z9hG4bKabc123");
  req.replace(req.find("SIP/2.0/UDP 198.51.100.7:5062"), 29, "SIP/2.0/TLS ua.example.com:5062");
  receive(req, Transport::kTls, addr("198.51.100.7", 41000), 42, 1);
  const Sent& s = only_sent();
  EXPECT_EQ(s.transport, Transport::kTls);
  EXPECT_EQ(s.conn_hint, 42u);
  EXPECT_EQ(s.server_name, "ua.example.com");
}

// Issue #10: the script's client domain goes with the TLS forward (Kamailio's
// tls_set_connect_server_id), never with a plain one.
TEST_F(ProxyTest, TlsClientDomainDoesNotGoWithAPlainForward) {
  use_script("route { tls_client_domain(\"tenant-a\"); forward_udp(\"203.0.113.5\", 5060); }");
  receive(invite());
  EXPECT_EQ(only_sent().transport, Transport::kUdp);
  EXPECT_EQ(only_sent().client_domain, "");
}

TEST_F(ProxyTest, TlsClientDomainNamesTheIdentityOfATlsSend) {
  use_script("route { tls_client_domain(\"tenant-a\"); forward_tls(\"203.0.113.5\", 5061); }");
  receive(invite());
  const Sent& s = only_sent();
  EXPECT_EQ(s.transport, Transport::kTls);
  EXPECT_EQ(s.client_domain, "tenant-a");
  EXPECT_EQ(s.server_name, "203.0.113.5");
}

TEST_F(ProxyTest, PlainTransportsCarryNoServerName) {
  receive(invite());
  EXPECT_EQ(only_sent().server_name, "");
}

}  // namespace
}  // namespace core::proxy::testing

namespace core::proxy::testing {
namespace {

TEST_F(ProxyTest, OnReplyRouteHeaderEditsAreApplied) {
  use_script(
      "route { forward(); } onreply_route { append_hf(\"X-Relayed: ser\\r\\n\"); "
      "remove_hf(\"Server\"); }");
  std::string r =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKser.1\r\n"
      "Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bKabc\r\n"
      "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: r1\r\nCSeq: 1 INVITE\r\n"
      "Server: secret-pbx 1.0\r\nContent-Length: 0\r\n\r\n";
  receive(r);
  const std::string& d = only_sent().data;
  EXPECT_NE(d.find("X-Relayed: ser\r\n"), std::string::npos) << d;
  EXPECT_EQ(d.find("secret-pbx"), std::string::npos) << d;
  EXPECT_EQ(d.find("192.0.2.1"), std::string::npos) << d;
  EXPECT_EQ(d.rfind("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 198.51.100.7:5062;", 0), 0u) << d;
}

}  // namespace
}  // namespace core::proxy::testing

namespace core::proxy::testing {
namespace {

TEST_F(ProxyTest, ReplyDoesNotAddASecondTagToAnEmptyOne) {
  use_script("route { sl_send_reply(404, \"Not Here\"); }");
  std::string msg = invite();
  msg.replace(msg.find("To: <sip:bob@example.com>"), 25, "To: <sip:bob@example.com>;tag");
  receive(msg);
  const std::string& d = only_sent().data;
  ASSERT_NE(d.find("To: <sip:bob@example.com>;tag\r\n"), std::string::npos) << d;
  EXPECT_EQ(d.find("To: <sip:bob@example.com>;tag;tag="), std::string::npos) << d;
}

}  // namespace
}  // namespace core::proxy::testing

namespace core::proxy::testing {
namespace {

// The output buffers live in the shared pool: with its budget spent, a request is dropped and
// counted rather than forwarded with memory from nowhere — and nothing crashes.
TEST_F(ProxyTest, OutputBufferComesFromTheSharedPoolBudget) {
  core::Pool& shm = core::Pool::shm();
  size_t saved = shm.budget();
  uint64_t drops = core::allocation_drops();
  proxy();
  std::thread([&] {  // a new thread: its output buffers are not grown yet
    shm.set_budget(shm.stats().in_use + 64);
    receive(invite());
    shm.set_budget(saved);
    receive(invite());
  })
      .join();
  shm.set_budget(saved);
  ASSERT_EQ(sender_.sent.size(), 1u);
  EXPECT_EQ(proxy().stats().forwarded.load(), 1u);
  EXPECT_EQ(sender_.sent[0].data.rfind("INVITE sip:bob@203.0.113.5 SIP/2.0\r\n", 0), 0u);
  EXPECT_EQ(core::allocation_drops(), drops + 1);
}

// A response that finds no memory to be relayed is a drop for memory, not a malformed one.
TEST_F(ProxyTest, AResponseWithoutMemoryIsCountedAsAnAllocationDrop) {
  core::Pool& shm = core::Pool::shm();
  size_t saved = shm.budget();
  uint64_t drops = core::allocation_drops();
  std::string r =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKser.1\r\n"
      "Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKabc\r\n"
      "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: r1\r\nCSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  proxy();
  std::thread([&] {
    shm.set_budget(shm.stats().in_use + 64);
    receive(r, Transport::kUdp, addr("203.0.113.5", 5060));
    shm.set_budget(saved);
    receive(r, Transport::kUdp, addr("203.0.113.5", 5060));
  }).join();
  shm.set_budget(saved);
  ASSERT_EQ(sender_.sent.size(), 1u) << "relayed once memory was back";
  EXPECT_EQ(proxy().stats().replies_forwarded.load(), 1u);
  EXPECT_EQ(proxy().stats().bad_dropped.load(), 0u) << "it was not malformed";
  EXPECT_EQ(proxy().stats().send_failed.load(), 1u);
  EXPECT_EQ(core::allocation_drops(), drops + 1);
}

}  // namespace
}  // namespace core::proxy::testing
