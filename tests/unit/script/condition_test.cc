// Every condition kind of CONFIG.md "Routing script", on hand-built ASTs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/script/script_test_util.h"

namespace core::script::testing {
namespace {

using cfg::CmpOp;
using cfg::Field;

TEST(ScriptCondition, MethodEqualsIsCaseInsensitiveLikeSer) {
  FakeContext ctx;
  ctx.method_ = "INVITE";
  EXPECT_TRUE(holds(cmp(Field::kMethod, CmpOp::kEq, str("INVITE")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kMethod, CmpOp::kEq, str("invite")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kMethod, CmpOp::kEq, str("REGISTER")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kMethod, CmpOp::kEq, str("INVITEX")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kMethod, CmpOp::kNe, str("ACK")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kMethod, CmpOp::kNe, str("INVITE")), ctx));
}

TEST(ScriptCondition, MethodRegexMatchesCaseInsensitively) {
  FakeContext ctx;
  ctx.method_ = "SUBSCRIBE";
  EXPECT_TRUE(holds(cmp(Field::kMethod, CmpOp::kMatch, str("^(REGISTER|SUBSCRIBE)$")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kMethod, CmpOp::kMatch, str("subscribe")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kMethod, CmpOp::kMatch, str("^INVITE$")), ctx));
}

TEST(ScriptCondition, UriRegexIsUnanchoredAndBoundedByTheView) {
  FakeContext ctx;
  ctx.uri_ = "sip:alice@Example.ORG;transport=tcp";
  EXPECT_TRUE(holds(cmp(Field::kUri, CmpOp::kMatch, str("@example\\.org")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kUri, CmpOp::kMatch, str("transport=tcp$")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kUri, CmpOp::kMatch, str("^sips:")), ctx));
  // The subject is a string_view: text beyond it must not be matched.
  std::string backing = "sip:a@b.org;EXTRA";
  ctx.uri_ = backing.substr(0, 11);
  EXPECT_TRUE(holds(cmp(Field::kUri, CmpOp::kMatch, str("b\\.org$")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kUri, CmpOp::kMatch, str("EXTRA")), ctx));
}

TEST(ScriptCondition, UriEqualsStringAndHostField) {
  FakeContext ctx;
  ctx.uri_ = "sip:bob@example.org";
  ctx.uri_host_ = "example.org";
  EXPECT_TRUE(holds(cmp(Field::kUri, CmpOp::kEq, str("SIP:bob@example.org")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kUriHost, CmpOp::kEq, str("example.org")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kUriHost, CmpOp::kEq, str("example.com")), ctx));
}

TEST(ScriptCondition, UriEqualsMyselfAsksTheContextWithHostAndPort) {
  FakeContext ctx;
  ctx.uri_host_ = "proxy.example.net";
  ctx.uri_port_ = 5070;
  EXPECT_TRUE(holds(cmp(Field::kUri, CmpOp::kEq, myself()), ctx));
  ASSERT_FALSE(ctx.myself_queries.empty());
  EXPECT_EQ(ctx.myself_queries.back(),
            std::make_pair(std::string("proxy.example.net"), static_cast<uint16_t>(5070)));
  ctx.uri_host_ = "elsewhere.example.com";
  EXPECT_FALSE(holds(cmp(Field::kUri, CmpOp::kEq, myself()), ctx));
  EXPECT_TRUE(holds(cmp(Field::kUri, CmpOp::kNe, myself()), ctx));
}

TEST(ScriptCondition, SrcIpInIpv4Network) {
  FakeContext ctx;
  ctx.src_ = IpAddr::v4(10, 20, 30, 40);
  EXPECT_TRUE(holds(cmp(Field::kSrcIp, CmpOp::kEq, net("10.0.0.0/8")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kSrcIp, CmpOp::kEq, net("10.20.30.40")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kSrcIp, CmpOp::kEq, net("10.20.30.41")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kSrcIp, CmpOp::kEq, net("192.168.0.0/16")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kSrcIp, CmpOp::kNe, net("192.168.0.0/16")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kSrcIp, CmpOp::kEq, net("0.0.0.0/0")), ctx));
  // Odd prefix lengths compare partial bytes.
  EXPECT_TRUE(holds(cmp(Field::kSrcIp, CmpOp::kEq, net("10.16.0.0/12")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kSrcIp, CmpOp::kEq, net("10.32.0.0/11")), ctx));
}

TEST(ScriptCondition, SrcIpInIpv6NetworkAndMappedIpv4) {
  FakeContext ctx;
  auto ip = parse_ip("2001:db8:1::5");
  ASSERT_TRUE(ip);
  ctx.src_ = *ip;
  EXPECT_TRUE(holds(cmp(Field::kSrcIp, CmpOp::kEq, net("2001:db8::/32")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kSrcIp, CmpOp::kEq, net("2001:db9::/32")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kSrcIp, CmpOp::kEq, net("10.0.0.0/8")), ctx));
  // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d: an IPv4 network still matches.
  ctx.src_ = *parse_ip("::ffff:10.1.2.3");
  EXPECT_TRUE(holds(cmp(Field::kSrcIp, CmpOp::kEq, net("10.0.0.0/8")), ctx));
  // An IPv4 address never falls in an IPv6 network.
  ctx.src_ = IpAddr::v4(127, 0, 0, 1);
  EXPECT_FALSE(holds(cmp(Field::kSrcIp, CmpOp::kEq, net("::1")), ctx));
}

TEST(ScriptCondition, DstIpNetworkAndMyself) {
  FakeContext ctx;
  ctx.dst_ = IpAddr::v4(198, 51, 100, 1);
  EXPECT_TRUE(holds(cmp(Field::kDstIp, CmpOp::kEq, net("198.51.100.0/24")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kDstIp, CmpOp::kEq, myself()), ctx));
  EXPECT_EQ(ctx.myself_queries.back().first, "198.51.100.1");
  ctx.src_ = IpAddr::v4(192, 0, 2, 99);
  EXPECT_FALSE(holds(cmp(Field::kSrcIp, CmpOp::kEq, myself()), ctx));
}

// Addresses are compared as addresses and networks (src_ip == 10.0.0.0/8), not as text.
TEST(ScriptCondition, RegexOnAnAddressIsRefused) {
  EXPECT_THAT(
      compile_error(main_only(stmts(if_(cmp(Field::kSrcIp, CmpOp::kMatch, str("^192\\.168\\.")),
                                        call("log", {num(2), str("x")}))))),
      ::testing::HasSubstr("'=~' cannot be used with src_ip: use == or !="));
}

// The script language compares a field with a value, never with another field.
TEST(ScriptCondition, FieldAgainstFieldIsRefused) {
  EXPECT_THAT(
      compile_error(main_only(stmts(if_(cmp(Field::kSrcIp, CmpOp::kEq, field(Field::kDstIp)),
                                        call("log", {num(2), str("x")}))))),
      ::testing::HasSubstr("src_ip can only be compared with an IP address"));
  EXPECT_THAT(
      compile_error(main_only(stmts(if_(cmp(Field::kSrcPort, CmpOp::kGt, field(Field::kDstPort)),
                                        call("log", {num(2), str("x")}))))),
      ::testing::HasSubstr("src_port can only be compared with a port number"));
  EXPECT_THAT(compile_error(main_only(
                  stmts(if_(cmp(Field::kTlsPeerSubjectCn, CmpOp::kEq, field(Field::kTlsPeerSanDns)),
                            call("log", {num(2), str("x")}))))),
              ::testing::HasSubstr("$tls_peer_subject_cn can only be compared with a string"));
}

TEST(ScriptCondition, PortsCompareAsNumbers) {
  FakeContext ctx;
  ctx.src_port_ = 5062;
  ctx.dst_port_ = 5061;
  ctx.uri_port_ = 5080;
  EXPECT_TRUE(holds(cmp(Field::kSrcPort, CmpOp::kEq, num(5062)), ctx));
  EXPECT_FALSE(holds(cmp(Field::kSrcPort, CmpOp::kEq, num(5060)), ctx));
  EXPECT_TRUE(holds(cmp(Field::kSrcPort, CmpOp::kNe, num(5060)), ctx));
  EXPECT_FALSE(holds(cmp(Field::kSrcPort, CmpOp::kNe, num(5062)), ctx));
  EXPECT_TRUE(holds(cmp(Field::kDstPort, CmpOp::kEq, num(5061)), ctx));
  EXPECT_TRUE(holds(cmp(Field::kUriPort, CmpOp::kGe, num(5080)), ctx));
  EXPECT_TRUE(holds(cmp(Field::kSrcPort, CmpOp::kGt, num(5061)), ctx));
}

TEST(ScriptCondition, MsgLenOrderingOperators) {
  FakeContext ctx;
  ctx.msg_len_ = 1500;
  EXPECT_TRUE(holds(cmp(Field::kMsgLen, CmpOp::kGt, num(1499)), ctx));
  EXPECT_FALSE(holds(cmp(Field::kMsgLen, CmpOp::kGt, num(1500)), ctx));
  EXPECT_TRUE(holds(cmp(Field::kMsgLen, CmpOp::kGe, num(1500)), ctx));
  EXPECT_TRUE(holds(cmp(Field::kMsgLen, CmpOp::kLt, num(1501)), ctx));
  EXPECT_FALSE(holds(cmp(Field::kMsgLen, CmpOp::kLt, num(1500)), ctx));
  EXPECT_TRUE(holds(cmp(Field::kMsgLen, CmpOp::kLe, num(1500)), ctx));
  EXPECT_TRUE(holds(cmp(Field::kMsgLen, CmpOp::kEq, num(1500)), ctx));
}

TEST(ScriptCondition, ProtoWordsAnyCase) {
  FakeContext ctx;
  ctx.proto_ = Transport::kTls;
  EXPECT_TRUE(holds(cmp(Field::kProto, CmpOp::kEq, word("TLS")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kProto, CmpOp::kEq, word("tls")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kProto, CmpOp::kEq, word("UDP")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kProto, CmpOp::kNe, word("TCP")), ctx));
  ctx.proto_ = Transport::kUdp;
  EXPECT_TRUE(holds(cmp(Field::kProto, CmpOp::kEq, word("UDP")), ctx));
}

TEST(ScriptCondition, AddressFamily) {
  FakeContext ctx;
  ctx.af_ = Af::kInet6;
  EXPECT_TRUE(holds(cmp(Field::kAf, CmpOp::kEq, word("INET6")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kAf, CmpOp::kEq, word("INET")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kAf, CmpOp::kNe, word("inet")), ctx));
}

TEST(ScriptCondition, TlsFactsAreEmptyWithoutTls) {
  FakeContext ctx;
  EXPECT_TRUE(holds(cmp(Field::kTlsVersion, CmpOp::kEq, str("")), ctx));
  EXPECT_FALSE(holds(cmp(Field::kTlsSni, CmpOp::kMatch, str(".")), ctx));
  ctx.tls_[TlsFact::kVersion] = "TLSv1.3";
  ctx.tls_[TlsFact::kCipher] = "TLS_AES_256_GCM_SHA384";
  ctx.tls_[TlsFact::kPeerSubjectCn] = "alice.example.org";
  ctx.tls_[TlsFact::kPeerSanDns] = "alice.example.org";
  ctx.tls_[TlsFact::kSni] = "sip.example.org";
  EXPECT_TRUE(holds(cmp(Field::kTlsVersion, CmpOp::kEq, str("TLSv1.3")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kTlsCipher, CmpOp::kMatch, str("AES_256")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kTlsPeerSubjectCn, CmpOp::kEq, str("alice.example.org")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kTlsPeerSanDns, CmpOp::kMatch, str("\\.example\\.org$")), ctx));
  EXPECT_TRUE(holds(cmp(Field::kTlsSni, CmpOp::kNe, str("other.example.org")), ctx));
}

TEST(ScriptCondition, FunctionCallsAsConditions) {
  FakeContext ctx;
  ctx.peer_verified_ = true;
  EXPECT_TRUE(holds(call_expr("is_peer_verified"), ctx));
  ctx.peer_verified_ = false;
  EXPECT_FALSE(holds(call_expr("is_peer_verified"), ctx));
  ctx.maxfwd_status_ = Status::kFalse;
  EXPECT_FALSE(holds(call_expr("mf_process_maxfwd_header", {num(10)}), ctx));
  ctx.maxfwd_status_ = Status::kError;  // errors count as false
  EXPECT_FALSE(holds(call_expr("mf_process_maxfwd_header", {num(10)}), ctx));
  ctx.maxfwd_status_ = Status::kOk;
  EXPECT_TRUE(holds(call_expr("mf_process_maxfwd_header", {num(10)}), ctx));
  EXPECT_EQ(ctx.calls.front(), "maxfwd(10)");
}

TEST(ScriptCondition, NotAndOr) {
  FakeContext ctx;
  ctx.method_ = "INVITE";
  ctx.proto_ = Transport::kTcp;
  auto is_invite = [] { return cmp(Field::kMethod, CmpOp::kEq, str("INVITE")); };
  auto is_udp = [] { return cmp(Field::kProto, CmpOp::kEq, word("UDP")); };
  EXPECT_FALSE(holds(not_(is_invite()), ctx));
  EXPECT_TRUE(holds(not_(is_udp()), ctx));
  EXPECT_FALSE(holds(and_(is_invite(), is_udp()), ctx));
  EXPECT_TRUE(holds(and_(is_invite(), not_(is_udp())), ctx));
  EXPECT_TRUE(holds(or_(is_udp(), is_invite()), ctx));
  EXPECT_FALSE(holds(or_(is_udp(), not_(is_invite())), ctx));
  EXPECT_TRUE(holds(not_(not_(is_invite())), ctx));
}

TEST(ScriptCondition, ShortCircuitSkipsTheRightSide) {
  FakeContext ctx;
  ctx.method_ = "REGISTER";
  // false && f(): f is not called.
  EXPECT_FALSE(holds(and_(cmp(Field::kMethod, CmpOp::kEq, str("INVITE")),
                          call_expr("mf_process_maxfwd_header", {num(5)})),
                     ctx));
  EXPECT_EQ(ctx.calls.size(), 1u);  // only the "no" log line
  // true || f(): f is not called.
  EXPECT_TRUE(holds(or_(cmp(Field::kMethod, CmpOp::kEq, str("REGISTER")),
                        call_expr("mf_process_maxfwd_header", {num(5)})),
                    ctx));
  EXPECT_EQ(ctx.calls.size(), 1u);
}

TEST(ScriptCondition, GroupingFollowsTheTreeTheParserBuilt) {
  // a || (b && c) versus (a || b) && c with a=true, b=false, c=false.
  FakeContext ctx;
  ctx.method_ = "INVITE";
  ctx.proto_ = Transport::kUdp;
  ctx.af_ = Af::kInet;
  auto a = [] { return cmp(Field::kMethod, CmpOp::kEq, str("INVITE")); };
  auto b = [] { return cmp(Field::kProto, CmpOp::kEq, word("TCP")); };
  auto c = [] { return cmp(Field::kAf, CmpOp::kEq, word("INET6")); };
  EXPECT_TRUE(holds(or_(a(), and_(b(), c())), ctx));
  EXPECT_FALSE(holds(and_(or_(a(), b()), c()), ctx));
}

}  // namespace
}  // namespace core::script::testing
