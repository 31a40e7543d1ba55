// RFC 5626 edge flows through the stateless proxy: add_path()/add_path_received() on a REGISTER,
// a request routed back over the flow its Route's token names, 430 when that flow is gone, 403
// for a token that does not verify, and the Record-Route token of a UA using outbound.
#include <gtest/gtest.h>

#include <string>

#include "proxy_fixture.h"

namespace core::proxy::testing {
namespace {

using core::net::SocketAddr;

constexpr uint64_t kPhoneConn = 42;
const SocketAddr kPhone = addr("198.51.100.7", 40000);
const SocketAddr kRegistrar = addr("203.0.113.5", 5060);

std::string header(const std::string& msg, const std::string& name) {
  size_t at = msg.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += 4 + name.size();
  return msg.substr(at, msg.find("\r\n", at) - at);
}

// The URI inside "<...>" of a Path or Record-Route value.
std::string uri_of(const std::string& value) {
  size_t open = value.find('<');
  return value.substr(open + 1, value.find('>') - open - 1);
}

std::string register_request(const std::string& contact_params = "",
                             const std::string& extra = "") {
  return "REGISTER sip:203.0.113.5 SIP/2.0\r\n"
         "Via: SIP/2.0/TCP 10.0.0.99:5999;branch=z9hG4bKreg1\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:alice@example.com>;tag=r1\r\n"
         "To: <sip:alice@example.com>\r\n"
         "Call-ID: reg1@10.0.0.99\r\n"
         "CSeq: 1 REGISTER\r\n"
         "Contact: <sip:alice@10.0.0.99:5999;transport=tcp>" +
         contact_params + "\r\n" + extra + "Content-Length: 0\r\n\r\n";
}

// What the registrar sends towards the registered Contact, with the Path as its Route.
std::string from_registrar(const std::string& route, const std::string& method = "INVITE") {
  return method +
         " sip:alice@10.0.0.99:5999;transport=tcp SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bKinv1\r\n"
         "Route: <" +
         route +
         ">\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:bob@example.com>;tag=b1\r\n"
         "To: <sip:alice@example.com>\r\n"
         "Call-ID: inv1@203.0.113.5\r\n"
         "CSeq: 1 " +
         method + "\r\nContact: <sip:bob@203.0.113.5>\r\nContent-Length: 0\r\n\r\n";
}

class FlowsTest : public ProxyTest {
 protected:
  // Registers over TCP connection kPhoneConn with `script`; returns the Path the registrar saw.
  std::string register_over_tcp(const std::string& contact_params = "",
                                const std::string& extra = "") {
    receive(register_request(contact_params, extra), Transport::kTcp, kPhone, kPhoneConn, 1);
    EXPECT_EQ(sender_.sent.size(), 1u);
    if (sender_.sent.empty()) return "";
    EXPECT_EQ(sender_.sent[0].dst, kRegistrar);
    std::string path = header(sender_.sent[0].data, "Path");
    sender_.sent.clear();
    return path;
  }
};

TEST_F(FlowsTest, AddPathPutsOurAddressAndAFlowTokenOnTopOfPath) {
  use_script("route { add_path(); forward(); }");
  std::string path = register_over_tcp("", "Path: <sip:other.example.net;lr>\r\n");
  // Our socket facing the registrar (UDP), with the token as the user part.
  ASSERT_NE(path.find("@192.0.2.1:5060;lr>"), std::string::npos) << path;
  EXPECT_EQ(path.find("sip:@"), std::string::npos);
  EXPECT_EQ(path.find(";ob"), std::string::npos) << "the UA did not ask for outbound";
  EXPECT_EQ(path.find("received="), std::string::npos);
}

TEST_F(FlowsTest, AddPathMarksOutboundWhenTheUaAskedForIt) {
  use_script("route { add_path(); forward(); }");
  std::string path = register_over_tcp(
      ";reg-id=1;+sip.instance=\"<urn:uuid:00000000-0000-1000-"
      "8000-000A95A0E128>\"",
      "Supported: path, outbound\r\n");
  EXPECT_NE(path.find(";lr;ob>"), std::string::npos) << path;
}

TEST_F(FlowsTest, NoObWithoutSupportedOutbound) {
  use_script("route { add_path(); forward(); }");
  std::string path = register_over_tcp(";reg-id=1;+sip.instance=\"<urn:uuid:1>\"");
  EXPECT_EQ(path.find(";ob"), std::string::npos) << path;
}

TEST_F(FlowsTest, AddPathReceivedCarriesTheSourceEscaped) {
  use_script("route { add_path_received(); forward(); }");
  std::string path = register_over_tcp();
  EXPECT_NE(path.find(";lr;received=sip:198.51.100.7:40000%3Btransport%3Dtcp>"), std::string::npos)
      << path;
}

TEST_F(FlowsTest, AddPathIsFalseForOtherMethods) {
  use_script(
      "route { if (add_path()) { sl_send_reply(500, \"path added\"); } else { forward(); } }");
  receive(invite(), Transport::kTcp, kPhone, kPhoneConn, 1);
  const Sent& s = only_sent();
  EXPECT_EQ(s.data.rfind("INVITE ", 0), 0u);
  EXPECT_EQ(header(s.data, "Path"), "");
}

TEST_F(FlowsTest, ARequestRoutedThroughThePathGoesOverThePhonesConnection) {
  use_script("route { add_path(); forward(); }");
  std::string path_uri = uri_of(register_over_tcp());
  receive(from_registrar(path_uri), Transport::kUdp, kRegistrar);
  const Sent& s = only_sent();
  EXPECT_TRUE(s.flow);
  EXPECT_EQ(s.conn_hint, kPhoneConn);
  EXPECT_EQ(s.transport, Transport::kTcp);
  // The Request-URI (an address behind NAT) is left as it is; our Route is gone.
  EXPECT_EQ(s.data.rfind("INVITE sip:alice@10.0.0.99:5999;transport=tcp SIP/2.0\r\n", 0), 0u);
  EXPECT_EQ(header(s.data, "Route"), "");
  EXPECT_EQ(header(s.data, "Via").rfind("SIP/2.0/TCP 192.0.2.1:5060;branch=", 0), 0u);
  EXPECT_EQ(proxy().stats().flow_routed.load(), 1u);
}

TEST_F(FlowsTest, WithoutAScriptTheFlowIsTheNextHopToo) {
  use_script("route { add_path(); forward(); }");
  std::string path_uri = uri_of(register_over_tcp());
  proxy().set_script(nullptr);
  receive(from_registrar(path_uri), Transport::kUdp, kRegistrar);
  EXPECT_TRUE(only_sent().flow);
}

TEST_F(FlowsTest, AGoneFlowIsAnswered430AndAnAckDropped) {
  use_script("route { add_path(); forward(); }");
  std::string path_uri = uri_of(register_over_tcp());
  sender_.gone_conn = kPhoneConn;
  receive(from_registrar(path_uri), Transport::kUdp, kRegistrar);
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_TRUE(sender_.sent[0].flow);
  EXPECT_FALSE(sender_.sent[1].flow);
  EXPECT_EQ(sender_.sent[1].dst, kRegistrar);
  EXPECT_EQ(sender_.sent[1].data.rfind("SIP/2.0 430 Flow Failed\r\n", 0), 0u);
  EXPECT_EQ(proxy().stats().flow_failed.load(), 1u);
  sender_.sent.clear();
  receive(from_registrar(path_uri, "ACK"), Transport::kUdp, kRegistrar);
  ASSERT_EQ(sender_.sent.size(), 1u);
  EXPECT_TRUE(sender_.sent[0].flow);  // tried, and nothing else sent: no reply to an ACK
}

TEST_F(FlowsTest, AnEditedTokenIsRefused403AndGoesNowhere) {
  use_script("route { add_path(); forward(); }");
  std::string path_uri = uri_of(register_over_tcp());
  std::string edited = path_uri;
  edited[4] = edited[4] == 'a' ? 'b' : 'a';  // "sip:" then the token
  receive(from_registrar(edited), Transport::kUdp, kRegistrar);
  const Sent& s = only_sent();
  EXPECT_FALSE(s.flow);
  EXPECT_EQ(s.dst, kRegistrar);
  EXPECT_EQ(s.data.rfind("SIP/2.0 403 Forbidden\r\n", 0), 0u);
  EXPECT_EQ(proxy().stats().forged_flow_tokens.load(), 1u);
}

// A Route of ours whose user part is no flow token (a preloaded outbound-proxy Route such as
// sip:edge@proxy, a phone number) is popped as before flows: forwarded, not refused 403.
TEST_F(FlowsTest, AnOrdinaryUserPartInOurRouteIsNoFlowToken) {
  use_script("route { forward(); }");
  for (const char* user : {"edge", "alice", "4930123456"}) {
    receive(
        "MESSAGE sip:bob@203.0.113.9:5070 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bKm1\r\n"
        "Route: <sip:" +
            std::string(user) +
            "@192.0.2.1:5060;lr>\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:b@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\n"
            "Call-ID: m1@203.0.113.5\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n",
        Transport::kUdp, kRegistrar);
    const Sent& s = only_sent();
    EXPECT_EQ(s.dst, addr("203.0.113.9", 5070)) << user;
    EXPECT_EQ(s.data.rfind("MESSAGE ", 0), 0u) << user;
    sender_.sent.clear();
  }
  EXPECT_EQ(proxy().stats().forged_flow_tokens.load(), 0u);
}

TEST_F(FlowsTest, ATokenOfAnotherRunIsRefused) {
  use_script("route { add_path(); forward(); }");
  std::string path_uri = uri_of(register_over_tcp());
  proxy_.reset();  // a restart: a new process key
  receive(from_registrar(path_uri), Transport::kUdp, kRegistrar);
  EXPECT_EQ(only_sent().data.rfind("SIP/2.0 403 Forbidden\r\n", 0), 0u);
}

TEST_F(FlowsTest, AUdpFlowGoesBackToTheSourceAddressAndSocket) {
  use_script("route { add_path(); forward(); }");
  std::string reg = register_request();
  reg.replace(reg.find("SIP/2.0/TCP"), 11, "SIP/2.0/UDP");
  receive(reg, Transport::kUdp, kPhone, 0, 0);
  std::string path_uri = uri_of(header(only_sent().data, "Path"));
  sender_.sent.clear();
  receive(from_registrar(path_uri), Transport::kUdp, kRegistrar);
  const Sent& s = only_sent();
  EXPECT_FALSE(s.flow);
  EXPECT_EQ(s.transport, Transport::kUdp);
  EXPECT_EQ(s.dst, kPhone);  // not the Contact's 10.0.0.99:5999
  EXPECT_EQ(s.listener_hint, 0);
}

TEST_F(FlowsTest, ForwardToAHostNamedByTheScriptIgnoresTheToken) {
  use_script("route { add_path(); forward(); }");
  std::string path_uri = uri_of(register_over_tcp());
  use_script("route { forward(\"203.0.113.9\", 5070); }");
  proxy_.reset();
  receive(from_registrar(path_uri), Transport::kUdp, kRegistrar);
  // The new proxy has a new key, but the token is not even looked at: the script chose.
  EXPECT_EQ(only_sent().dst, addr("203.0.113.9", 5070));
}

// A UA using outbound marks its Contact `ob` (RFC 5626 §4.3): record_route() then puts the flow
// token in the Record-Route facing it, and the callee's in-dialog requests come back over it.
TEST_F(FlowsTest, RecordRouteCarriesTheTokenForAUaUsingOutbound) {
  use_script("route { record_route(); forward(); }");
  std::string inv =
      invite("Contact: <sip:alice@10.0.0.99:5999;transport=tcp;ob>\r\n", ";branch=z9hG4bKabc123");
  inv.replace(inv.find("SIP/2.0/UDP"), 11, "SIP/2.0/TCP");
  receive(inv, Transport::kTcp, kPhone, kPhoneConn, 1);
  const std::string out = only_sent().data;
  // Two Record-Routes (TCP in, UDP out): the one facing the phone carries the token.
  size_t first = out.find("Record-Route: <sip:192.0.2.1:5060;lr>\r\n");
  size_t second = out.find("Record-Route: <sip:", first + 1);
  ASSERT_NE(first, std::string::npos) << out;
  ASSERT_NE(second, std::string::npos) << out;
  std::string in_rr = out.substr(second + 14, out.find("\r\n", second) - second - 14);
  EXPECT_NE(in_rr.find("@192.0.2.1:5060;transport=tcp;lr>"), std::string::npos) << in_rr;
  sender_.sent.clear();
  // The callee's BYE: Route set = the Record-Routes in order.
  std::string bye = from_registrar("sip:192.0.2.1:5060;lr>, <" + uri_of(in_rr), "BYE");
  receive(bye, Transport::kUdp, kRegistrar);
  EXPECT_TRUE(only_sent().flow);
  EXPECT_EQ(only_sent().conn_hint, kPhoneConn);
  sender_.sent.clear();
  // The phone's own BYE names its own flow: routed onwards by its Request-URI.
  std::string own = from_registrar(uri_of(in_rr), "BYE");
  const std::string contact = " sip:alice@10.0.0.99:5999;transport=tcp ";
  own.replace(own.find(contact), contact.size(), " sip:bob@203.0.113.5 ");
  receive(own, Transport::kTcp, kPhone, kPhoneConn, 1);
  EXPECT_FALSE(only_sent().flow);
  EXPECT_EQ(only_sent().dst, kRegistrar);
}

TEST_F(FlowsTest, NoTokenInRecordRouteWithoutOb) {
  use_script("route { record_route(); forward(); }");
  std::string inv = invite("Contact: <sip:alice@10.0.0.99:5999;transport=tcp>\r\n");
  receive(inv, Transport::kTcp, kPhone, kPhoneConn, 1);
  EXPECT_EQ(only_sent().data.find("Record-Route: <sip:192.0.2.1:5060;transport=tcp;lr>\r\n"),
            only_sent().data.find("Record-Route: <sip:192.0.2.1:5060;transport=tcp"));
  EXPECT_EQ(only_sent().data.find("@192.0.2.1"), std::string::npos);
}

}  // namespace
}  // namespace core::proxy::testing

namespace core::proxy::testing {
namespace {

using core::net::SocketAddr;

// A strict router (RFC 2543) puts the next hop's Record-Route URI, token and all, in the
// Request-URI and the real target last in Route: the flow is still found.
TEST_F(FlowsTest, AStrictRoutedRequestStillFollowsTheFlow) {
  use_script("route { add_path(); forward(); }");
  std::string path_uri = uri_of(register_over_tcp());
  std::string req = from_registrar("sip:alice@10.0.0.99:5999;transport=tcp");
  req.replace(req.find("INVITE sip:alice@10.0.0.99:5999;transport=tcp "),
              std::string("INVITE sip:alice@10.0.0.99:5999;transport=tcp ").size(),
              "INVITE " + path_uri + " ");
  receive(req, Transport::kUdp, kRegistrar);
  const Sent& s = only_sent();
  EXPECT_TRUE(s.flow);
  EXPECT_EQ(s.conn_hint, kPhoneConn);
  EXPECT_EQ(s.data.rfind("INVITE sip:alice@10.0.0.99:5999;transport=tcp SIP/2.0\r\n", 0), 0u)
      << s.data;
}

}  // namespace
}  // namespace core::proxy::testing

namespace core::proxy::testing {
namespace {

using core::net::SocketAddr;

// A call to a registered phone, record-routed on its way over the flow: the Record-Route facing
// the phone carries its token, so the caller's ACK and BYE (routed by the route set, not the
// Path) reach the phone over the same connection; the phone's own BYE goes on by its route set.
TEST_F(FlowsTest, ARecordRouteOnACallOverAFlowCarriesThatFlowsToken) {
  use_script(
      "route { if (method == \"REGISTER\") { add_path(); } else { record_route(); } "
      "forward(); }");
  std::string path_uri = uri_of(register_over_tcp());
  receive(from_registrar(path_uri), Transport::kUdp, kRegistrar);
  const std::string out = only_sent().data;
  ASSERT_TRUE(only_sent().flow);
  // Over TCP to the phone, in over UDP: two Record-Routes, the first (TCP) facing the phone.
  size_t first = out.find("\r\nRecord-Route: <");
  size_t second = out.find("\r\nRecord-Route: <", first + 1);
  ASSERT_NE(second, std::string::npos) << out;
  std::string phone_rr = uri_of(out.substr(first + 16, second - first - 16));
  std::string caller_rr = uri_of(out.substr(second + 16, out.find("\r\n", second + 2) - second));
  EXPECT_NE(phone_rr.find("@192.0.2.1:5060;transport=tcp;lr"), std::string::npos) << phone_rr;
  EXPECT_EQ(caller_rr, "sip:192.0.2.1:5060;lr");
  sender_.sent.clear();
  // The caller's route set is the Record-Route reversed.
  receive(from_registrar(caller_rr + ">, <" + phone_rr, "BYE"), Transport::kUdp, kRegistrar);
  EXPECT_TRUE(only_sent().flow);
  EXPECT_EQ(only_sent().conn_hint, kPhoneConn);
  sender_.sent.clear();
  // The phone's own BYE: its route set is the Record-Route in order; it came over its flow.
  std::string own = from_registrar(phone_rr + ">, <" + caller_rr, "BYE");
  const std::string contact = " sip:alice@10.0.0.99:5999;transport=tcp ";
  own.replace(own.find(contact), contact.size(), " sip:bob@203.0.113.5 ");
  receive(own, Transport::kTcp, kPhone, kPhoneConn, 1);
  EXPECT_FALSE(only_sent().flow);
  EXPECT_EQ(only_sent().dst, kRegistrar);
}

}  // namespace
}  // namespace core::proxy::testing
