// Every built-in action: the context sees the right call with arguments resolved at load.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/script/script_test_util.h"

namespace core::script::testing {
namespace {

using cfg::Field;
using ::testing::ElementsAre;

// Runs `route { <one action> }` and returns what the context recorded.
std::vector<std::string> run_one(cfg::Stmt action, FakeContext& ctx, RunResult* out = nullptr) {
  auto compiled = compile_ok(main_only(stmts(std::move(action))));
  if (!compiled) return {};
  RunResult r = compiled->run_request(ctx);
  if (out) *out = r;
  return ctx.calls;
}

TEST(ScriptAction, ForwardWithoutArgumentsGoesToTheRequestUri) {
  FakeContext ctx;
  RunResult r;
  EXPECT_THAT(run_one(call("forward"), ctx, &r), ElementsAre("forward(any,,0)"));
  EXPECT_TRUE(r.forwarded);
  EXPECT_FALSE(r.replied);
  EXPECT_EQ(r.outcome, Outcome::kContinue);
}

// A port written as a string ("5080") is made a number by the parser (parsed_script_test).
TEST(ScriptAction, ForwardToHostAndPortLiteral) {
  FakeContext ctx;
  EXPECT_THAT(run_one(call("forward", {str("10.0.0.7"), num(5070)}), ctx),
              ElementsAre("forward(any,10.0.0.7,5070)"));
  ctx.calls.clear();
  EXPECT_THAT(run_one(call("forward", {str("next.example.org"), num(5080)}), ctx),
              ElementsAre("forward(any,next.example.org,5080)"));
  ctx.calls.clear();
  EXPECT_THAT(run_one(call("forward", {net("::1")}), ctx), ElementsAre("forward(any,::1,0)"));
}

TEST(ScriptAction, ForwardPerTransport) {
  FakeContext ctx;
  run_one(call("forward_udp", {str("a.example"), num(5060)}), ctx);
  run_one(call("forward_tcp", {str("b.example"), num(5060)}), ctx);
  run_one(call("forward_tls", {str("c.example"), num(5061)}), ctx);
  EXPECT_THAT(ctx.calls, ElementsAre("forward(udp,a.example,5060)", "forward(tcp,b.example,5060)",
                                     "forward(tls,c.example,5061)"));
}

TEST(ScriptAction, ForwardUriFieldsAreReadPerMessage) {
  FakeContext ctx;
  ctx.uri_host_ = "first.example";
  ctx.uri_port_ = 5999;
  auto compiled = compile_ok(
      main_only(stmts(call("forward_tcp", {field(Field::kUriHost), field(Field::kUriPort)}))));
  ASSERT_TRUE(compiled);
  compiled->run_request(ctx);
  ctx.uri_host_ = "second.example";
  ctx.uri_port_ = 0;
  compiled->run_request(ctx);
  EXPECT_THAT(ctx.calls,
              ElementsAre("forward(tcp,first.example,5999)", "forward(tcp,second.example,0)"));
}

TEST(ScriptAction, FailedForwardIsNotReportedAsForwarded) {
  FakeContext ctx;
  ctx.forward_status_ = Status::kError;
  RunResult r;
  run_one(call("forward"), ctx, &r);
  EXPECT_FALSE(r.forwarded);
}

// sl_send_reply("483", ...) as old configs write it is made a number by the parser.
TEST(ScriptAction, SlSendReplyRepliesWithTheCodeAndReason) {
  FakeContext ctx;
  RunResult r;
  EXPECT_THAT(run_one(call("sl_send_reply", {num(483), str("Too Many Hops")}), ctx, &r),
              ElementsAre("reply(483,Too Many Hops)"));
  EXPECT_TRUE(r.replied);
  EXPECT_FALSE(r.forwarded);
}

TEST(ScriptAction, HeaderAndUriEdits) {
  FakeContext ctx;
  run_one(call("record_route"), ctx);
  run_one(call("rewritehost", {str("gw.example")}), ctx);
  run_one(call("rewritehostport", {str("gw.example:5070")}), ctx);
  run_one(call("rewriteuri", {str("sip:x@gw.example")}), ctx);
  run_one(call("append_hf", {str("X-Tag: 1\r\n")}), ctx);
  run_one(call("remove_hf", {str("User-Agent")}), ctx);
  EXPECT_THAT(ctx.calls,
              ElementsAre("record_route()", "rewritehost(gw.example)",
                          "rewritehostport(gw.example:5070)", "rewriteuri(sip:x@gw.example)",
                          "append_hf(X-Tag: 1\r\n)", "remove_hf(User-Agent)"));
}

// The header line is inserted as written: without its CRLF it would run into the next header.
TEST(ScriptAction, AppendHfWithoutLineEndIsRefused) {
  EXPECT_THAT(compile_error(main_only(stmts(call("append_hf", {str("X-Edge: yes")})))),
              ::testing::HasSubstr("append_hf() argument 1 (header) must end with \"\\r\\n\""));
}

TEST(ScriptAction, SerSetAliasesRewriteTheUri) {
  FakeContext ctx;
  run_one(call("seturi", {str("sip:a@b")}), ctx);
  EXPECT_EQ(ctx.calls.back(), "rewriteuri(sip:a@b)");
}

TEST(ScriptAction, MaxForwardsAsStatement) {
  FakeContext ctx;
  EXPECT_THAT(run_one(call("mf_process_maxfwd_header", {num(70)}), ctx), ElementsAre("maxfwd(70)"));
}

TEST(ScriptAction, LogLevelDefaultsToDebugAsInSer) {
  FakeContext ctx;
  run_one(call("log", {str("hello")}), ctx);
  run_one(call("log", {num(1), str("warned")}), ctx);
  run_one(call("log", {num(-1), str("ser error level")}), ctx);
  EXPECT_THAT(ctx.calls, ElementsAre("log(4,hello)", "log(1,warned)", "log(0,ser error level)"));
}

TEST(ScriptAction, LogSubstitutesTlsFacts) {
  FakeContext ctx;
  ctx.tls_[TlsFact::kVersion] = "TLSv1.3";
  ctx.tls_[TlsFact::kCipher] = "TLS_AES_128_GCM_SHA256";
  ctx.tls_[TlsFact::kPeerSubjectCn] = "alice";
  ctx.tls_[TlsFact::kPeerSanDns] = "alice.example.org";
  ctx.tls_[TlsFact::kSni] = "sip.example.org";
  ctx.tls_[TlsFact::kDomain] = "tls_domain[192.0.2.1:5061, \"sip.example.org\"]";
  run_one(call("log", {num(2), str("v=$tls_version c=$tls_cipher cn=$tls_peer_subject_cn "
                                   "san=$tls_peer_san_dns sni=$tls_sni d=$tls_domain.")}),
          ctx);
  EXPECT_EQ(ctx.calls.back(),
            "log(2,v=TLSv1.3 c=TLS_AES_128_GCM_SHA256 cn=alice san=alice.example.org "
            "sni=sip.example.org d=tls_domain[192.0.2.1:5061, \"sip.example.org\"].)");
}

TEST(ScriptAction, LogLeavesOtherDollarWordsAndEmptyFactsAlone) {
  FakeContext ctx;  // not TLS: every fact is empty
  run_one(call("log", {num(2), str("[$tls_sni] $ru $")}), ctx);
  ASSERT_FALSE(ctx.calls.empty());
  EXPECT_EQ(ctx.calls.back(), "log(2,[] $ru $)");
  // A misspelt fact would log nothing useful: refused, with the fact it likely meant.
  EXPECT_THAT(
      compile_error(main_only(stmts(call("log", {num(2), str("$tls_snix")})))),
      ::testing::HasSubstr("unknown TLS fact '$tls_snix' in log text, did you mean '$tls_sni'?"));
}

TEST(ScriptAction, LogBufferIsReusedAcrossMessages) {
  FakeContext ctx;
  auto compiled = compile_ok(main_only(stmts(call("log", {num(2), str("sni=$tls_sni")}))));
  ASSERT_TRUE(compiled);
  ctx.tls_[TlsFact::kSni] = "a-rather-long-name.example.org";
  compiled->run_request(ctx);
  ctx.tls_[TlsFact::kSni] = "b";
  compiled->run_request(ctx);
  EXPECT_THAT(ctx.calls, ElementsAre("log(2,sni=a-rather-long-name.example.org)", "log(2,sni=b)"));
}

}  // namespace
}  // namespace core::script::testing
