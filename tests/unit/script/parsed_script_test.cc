// The whole path a user's ser.cfg takes: text -> cfg loader (parser) -> CompiledScript
// (checks + compiler) -> run against a message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cfg/config_loader.h"
#include "tests/unit/script/script_test_util.h"

namespace core::script::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::unique_ptr<CompiledScript> compile_text(const std::string& text) {
  cfg::Config config;
  cfg::Diagnostics diags;
  if (!cfg::load_config_text("t.cfg", text, &config, &diags)) {
    ADD_FAILURE() << "config rejected: " << diags.first_error();
    return nullptr;
  }
  auto compiled = CompiledScript::compile(config.script, diags);
  if (!compiled) ADD_FAILURE() << "compile failed: " << diags.first_error();
  return compiled;
}

constexpr const char* kEdgeProxy = R"(
# A small edge proxy in the SER style.
loadmodule "sl.so"
loadmodule "maxfwd.so"

route {
    if (!mf_process_maxfwd_header(10)) {
        sl_send_reply("483", "Too Many Hops");
        exit;
    }
    if (msg:len >= 4096) {
        sl_send_reply(513, "Message too big");
        exit;
    }
    if (src_ip == 203.0.113.0/24 || src_ip == [2001:db8:bad::]/48) {
        drop;
    }
    if (method == "REGISTER" && uri == myself) {
        route(REGISTRAR);
        break;
    }
    if (method =~ "^(INVITE|SUBSCRIBE)$") {
        record_route();
    }
    if (proto == TLS && !is_peer_verified()) {
        log(1, "unverified TLS peer $tls_peer_subject_cn via $tls_sni");
    }
    if (uri =~ "@gw\\.example\\.net") {
        forward_tcp("10.0.0.5", 5070);
    } else {
        forward(uri:host, uri:port);
    }
}

route[REGISTRAR] {
    append_hf("X-Registrar: local\r\n");
    sl_send_reply(200, "OK");
}

onreply_route {
    remove_hf("Server");
    if (af == INET6) {
        log("reply over IPv6");
    }
}
)";

TEST(ParsedScript, EdgeProxyRegisterToMyselfIsAnsweredLocally) {
  auto compiled = compile_text(kEdgeProxy);
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  ctx.method_ = "REGISTER";
  ctx.uri_ = "sip:proxy.example.net";
  ctx.uri_host_ = "proxy.example.net";
  RunResult r = compiled->run_request(ctx);
  EXPECT_EQ(r.outcome, Outcome::kContinue);
  EXPECT_TRUE(r.replied);
  EXPECT_FALSE(r.forwarded);
  EXPECT_THAT(ctx.calls,
              ElementsAre("maxfwd(10)", "append_hf(X-Registrar: local\r\n)", "reply(200,OK)"));
}

TEST(ParsedScript, EdgeProxyInviteIsRecordRoutedAndForwarded) {
  auto compiled = compile_text(kEdgeProxy);
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  ctx.method_ = "INVITE";
  ctx.uri_ = "sip:bob@far.example.com:5080";
  ctx.uri_host_ = "far.example.com";
  ctx.uri_port_ = 5080;
  RunResult r = compiled->run_request(ctx);
  EXPECT_TRUE(r.forwarded);
  EXPECT_THAT(ctx.calls,
              ElementsAre("maxfwd(10)", "record_route()", "forward(any,far.example.com,5080)"));
  ctx.calls.clear();
  ctx.uri_ = "sip:carol@gw.example.net";
  compiled->run_request(ctx);
  EXPECT_THAT(ctx.calls, ElementsAre("maxfwd(10)", "record_route()", "forward(tcp,10.0.0.5,5070)"));
}

TEST(ParsedScript, EdgeProxyGuards) {
  auto compiled = compile_text(kEdgeProxy);
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  ctx.maxfwd_status_ = Status::kFalse;
  EXPECT_EQ(compiled->run_request(ctx).outcome, Outcome::kExited);
  EXPECT_THAT(ctx.calls, ElementsAre("maxfwd(10)", "reply(483,Too Many Hops)"));

  FakeContext big;
  big.msg_len_ = 5000;
  EXPECT_EQ(compiled->run_request(big).outcome, Outcome::kExited);
  EXPECT_EQ(big.calls.back(), "reply(513,Message too big)");

  FakeContext bad4;
  bad4.src_ = IpAddr::v4(203, 0, 113, 9);
  EXPECT_EQ(compiled->run_request(bad4).outcome, Outcome::kDropped);
  FakeContext bad6;
  bad6.src_ = *parse_ip("2001:db8:bad::1");
  EXPECT_EQ(compiled->run_request(bad6).outcome, Outcome::kDropped);
  FakeContext good6;
  good6.src_ = *parse_ip("2001:db8:600d::1");
  EXPECT_EQ(compiled->run_request(good6).outcome, Outcome::kContinue);
}

TEST(ParsedScript, EdgeProxyLogsUnverifiedTlsPeers) {
  auto compiled = compile_text(kEdgeProxy);
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  ctx.method_ = "OPTIONS";
  ctx.proto_ = Transport::kTls;
  ctx.tls_[TlsFact::kPeerSubjectCn] = "mallory";
  ctx.tls_[TlsFact::kSni] = "sip.example.org";
  compiled->run_request(ctx);
  EXPECT_THAT(ctx.calls,
              ::testing::Contains("log(1,unverified TLS peer mallory via sip.example.org)"));
  FakeContext verified;
  verified.proto_ = Transport::kTls;
  verified.peer_verified_ = true;
  compiled->run_request(verified);
  for (const auto& c : verified.calls) EXPECT_THAT(c, ::testing::Not(HasSubstr("unverified")));
}

TEST(ParsedScript, EdgeProxyOnreplyRoute) {
  auto compiled = compile_text(kEdgeProxy);
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  ctx.af_ = Af::kInet6;
  EXPECT_EQ(compiled->run_onreply(ctx).outcome, Outcome::kContinue);
  EXPECT_THAT(ctx.calls, ElementsAre("remove_hf(Server)", "log(4,reply over IPv6)"));
}

TEST(ParsedScript, PrecedenceOfNotAndOrFromText) {
  // && binds tighter than ||; ! binds tightest.
  auto compiled = compile_text(R"(
route {
    if (method == "A" || method == "B" && proto == TCP) { log(2, "1"); }
    if ((method == "A" || method == "B") && proto == TCP) { log(2, "2"); }
    if (!method == "B" || proto == UDP) { log(2, "3"); }
}
)");
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  ctx.method_ = "A";
  ctx.proto_ = Transport::kUdp;
  compiled->run_request(ctx);
  EXPECT_THAT(ctx.calls, ElementsAre("log(2,1)", "log(2,3)"));
}

TEST(ParsedScript, PortsProtoAndDstConditionsFromText) {
  auto compiled = compile_text(R"(
route {
    if (src_port == 5062 && dst_port != 5060 && dst_ip == 127.0.0.0/8) { log(2, "a"); }
    if (af == INET && proto != TLS && uri:port != 5080) { log(2, "b"); }
    if ($tls_version == "" && $tls_cipher == "") { log(2, "c"); }
    if (dst_ip == myself) { log(2, "d"); }
}
)");
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  ctx.src_port_ = 5062;
  ctx.dst_port_ = 5061;
  ctx.dst_ = IpAddr::v4(127, 0, 0, 1);
  ctx.myself_ = {"127.0.0.1"};
  compiled->run_request(ctx);
  EXPECT_THAT(ctx.calls, ElementsAre("log(2,a)", "log(2,b)", "log(2,c)", "log(2,d)"));
}

TEST(ParsedScript, NestedNamedRoutesWithBreakAndExitFromText) {
  auto compiled = compile_text(R"(
route {
    route(OUTER);
    log(2, "main continues");
    if (method == "BYE") { route(FINAL); }
    log(2, "main end");
}
route[OUTER] {
    route(INNER);
    log(2, "outer continues");
    break;
    log(2, "never");
}
route[INNER] {
    if (method == "INVITE") { break; }
    log(2, "inner end");
}
route[FINAL] {
    sl_send_reply(200, "Bye");
    exit;
}
)");
  ASSERT_TRUE(compiled);
  FakeContext invite;
  compiled->run_request(invite);
  EXPECT_THAT(invite.calls,
              ElementsAre("log(2,outer continues)", "log(2,main continues)", "log(2,main end)"));
  FakeContext bye;
  bye.method_ = "BYE";
  EXPECT_EQ(compiled->run_request(bye).outcome, Outcome::kExited);
  EXPECT_THAT(bye.calls, ElementsAre("log(2,inner end)", "log(2,outer continues)",
                                     "log(2,main continues)", "reply(200,Bye)"));
}

TEST(ParsedScript, LoaderAndCompilerAgreeOnErrors) {
  // A network the parser accepts as a word but that is not an address fails at compile time
  // with the operand's position (or earlier, in the checks: either way the config is refused).
  cfg::Config config;
  cfg::Diagnostics diags;
  bool loaded = cfg::load_config_text(
      "t.cfg", "route {\n  if (src_ip == 10.0.0.0/40) { drop; }\n}\n", &config, &diags);
  std::string err = diags.first_error();
  if (loaded) {
    EXPECT_EQ(CompiledScript::compile(config.script, diags), nullptr);
    err = diags.first_error();
  }
  EXPECT_THAT(err, HasSubstr("t.cfg:2:"));
}

}  // namespace
}  // namespace core::script::testing
