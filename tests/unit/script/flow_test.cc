// Control flow: if/else chains, route(NAME), break, exit, drop, onreply_route, the depth guard.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/script/script_compiler.h"
#include "tests/unit/script/script_test_util.h"

namespace core::script::testing {
namespace {

using cfg::CmpOp;
using cfg::Field;
using ::testing::ElementsAre;

cfg::Stmt say(const std::string& text) {
  return call("log", {num(2), str(text)});
}
std::string said(const std::string& text) {
  return "log(2," + text + ")";
}
ExprPtr method_is(const std::string& m) {
  return cmp(Field::kMethod, CmpOp::kEq, str(m));
}

TEST(ScriptFlow, IfElseChainTakesTheFirstMatchingBranch) {
  // if (method=="INVITE") a; else if (method=="REGISTER") b; else c;
  auto compiled = compile_ok(
      main_only(stmts(if_else(method_is("INVITE"), say("invite"),
                              if_else(method_is("REGISTER"), say("register"), say("other"))))));
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  for (const char* m : {"INVITE", "REGISTER", "OPTIONS"}) {
    ctx.method_ = m;
    compiled->run_request(ctx);
  }
  EXPECT_THAT(ctx.calls, ElementsAre(said("invite"), said("register"), said("other")));
}

TEST(ScriptFlow, EndOfMainRouteWithoutForwardSendsNothing) {
  auto compiled = compile_ok(main_only(stmts(say("only logging"))));
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  RunResult r = compiled->run_request(ctx);
  EXPECT_EQ(r.outcome, Outcome::kContinue);
  EXPECT_FALSE(r.forwarded);
  EXPECT_FALSE(r.replied);
}

TEST(ScriptFlow, BreakInsideNamedRouteReturnsToTheCaller) {
  cfg::RouteScript script = main_only(
      stmts(say("before"), call("route", {word("CHECK")}), say("after"), call("forward")));
  script.named["CHECK"] =
      route_block(stmts(say("in check"), if_(method_is("INVITE"), block(say("breaking"), brk())),
                        say("check end")),
                  "CHECK");
  auto compiled = compile_ok(script);
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  ctx.method_ = "INVITE";
  RunResult r = compiled->run_request(ctx);
  EXPECT_EQ(r.outcome, Outcome::kContinue);
  EXPECT_TRUE(r.forwarded);
  EXPECT_THAT(ctx.calls, ElementsAre(said("before"), said("in check"), said("breaking"),
                                     said("after"), "forward(any,,0)"));
}

TEST(ScriptFlow, BreakInMainRouteEndsIt) {
  auto compiled = compile_ok(main_only(stmts(say("a"), brk(), say("b"))));
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  EXPECT_EQ(compiled->run_request(ctx).outcome, Outcome::kContinue);
  EXPECT_THAT(ctx.calls, ElementsAre(said("a")));
}

TEST(ScriptFlow, ExitInNamedRouteStopsTheWholeScript) {
  cfg::RouteScript script =
      main_only(stmts(call("route", {str("REPLY")}), say("never"), call("forward")));
  script.named["REPLY"] =
      route_block(stmts(call("sl_send_reply", {num(404), str("Not Here")}), exit_()), "REPLY");
  auto compiled = compile_ok(script);
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  RunResult r = compiled->run_request(ctx);
  EXPECT_EQ(r.outcome, Outcome::kExited);
  EXPECT_TRUE(r.replied);
  EXPECT_FALSE(r.forwarded);
  EXPECT_THAT(ctx.calls, ElementsAre("reply(404,Not Here)"));
}

TEST(ScriptFlow, DropStopsAndMarksTheMessageDropped) {
  cfg::RouteScript script = main_only(stmts(call("route", {word("FILTER")}), call("forward")));
  script.named["FILTER"] = route_block(
      stmts(if_(cmp(Field::kSrcIp, CmpOp::kEq, net("203.0.113.0/24")), drop())), "FILTER");
  auto compiled = compile_ok(script);
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  ctx.src_ = IpAddr::v4(203, 0, 113, 66);
  RunResult r = compiled->run_request(ctx);
  EXPECT_EQ(r.outcome, Outcome::kDropped);
  EXPECT_TRUE(ctx.calls.empty());
  ctx.src_ = IpAddr::v4(192, 0, 2, 1);
  r = compiled->run_request(ctx);
  EXPECT_EQ(r.outcome, Outcome::kContinue);
  EXPECT_THAT(ctx.calls, ElementsAre("forward(any,,0)"));
}

TEST(ScriptFlow, NestedRouteCallsUnwindOneLevelPerBreak) {
  cfg::RouteScript script = main_only(stmts(call("route", {word("A")}), say("main end")));
  script.named["A"] = route_block(stmts(call("route", {word("B")}), say("A end")), "A");
  script.named["B"] = route_block(stmts(say("B"), brk(), say("B unreachable")), "B");
  auto compiled = compile_ok(script);
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  compiled->run_request(ctx);
  EXPECT_THAT(ctx.calls, ElementsAre(said("B"), said("A end"), said("main end")));
}

TEST(ScriptFlow, TypicalMaxForwardsGuard) {
  // if (!mf_process_maxfwd_header(10)) { sl_send_reply("483","Too Many Hops"); exit; } forward();
  auto compiled = compile_ok(
      main_only(stmts(if_(not_(call_expr("mf_process_maxfwd_header", {num(10)})),
                          block(call("sl_send_reply", {num(483), str("Too Many Hops")}), exit_())),
                      call("forward"))));
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  ctx.maxfwd_status_ = Status::kFalse;
  RunResult r = compiled->run_request(ctx);
  EXPECT_EQ(r.outcome, Outcome::kExited);
  EXPECT_THAT(ctx.calls, ElementsAre("maxfwd(10)", "reply(483,Too Many Hops)"));
  ctx.calls.clear();
  ctx.maxfwd_status_ = Status::kOk;
  r = compiled->run_request(ctx);
  EXPECT_EQ(r.outcome, Outcome::kContinue);
  EXPECT_THAT(ctx.calls, ElementsAre("maxfwd(10)", "forward(any,,0)"));
}

TEST(ScriptFlow, RouteCallUsedAsAConditionIsRefused) {
  cfg::RouteScript script =
      main_only(stmts(if_(call_expr("route", {word("R")}), say("then")), say("after")));
  script.named["R"] = route_block(stmts(if_(method_is("BYE"), drop())), "R");
  EXPECT_THAT(compile_error(script),
              ::testing::HasSubstr("route() returns no value and cannot be used as a condition"));
}

TEST(ScriptFlow, OnreplyRouteRunsSeparately) {
  cfg::RouteScript script = main_only(stmts(call("forward")));
  script.onreply =
      route_block(stmts(call("remove_hf", {str("Server")}),
                        if_(cmp(Field::kSrcIp, CmpOp::kEq, net("192.0.2.0/24")), drop())));
  auto compiled = compile_ok(script);
  ASSERT_TRUE(compiled);
  EXPECT_TRUE(compiled->has_main_route());
  EXPECT_TRUE(compiled->has_onreply_route());
  FakeContext ctx;
  ctx.src_ = IpAddr::v4(192, 0, 2, 5);
  RunResult r = compiled->run_onreply(ctx);
  EXPECT_EQ(r.outcome, Outcome::kDropped);
  EXPECT_THAT(ctx.calls, ElementsAre("remove_hf(Server)"));
}

TEST(ScriptFlow, MissingBlocksDoNothing) {
  cfg::RouteScript script;
  script.onreply = route_block(stmts(say("reply")));
  auto compiled = compile_ok(script);
  ASSERT_TRUE(compiled);
  EXPECT_FALSE(compiled->has_main_route());
  FakeContext ctx;
  EXPECT_EQ(compiled->run_request(ctx).outcome, Outcome::kContinue);
  EXPECT_TRUE(ctx.calls.empty());
  cfg::RouteScript empty;
  auto nothing = compile_ok(empty);
  ASSERT_TRUE(nothing);
  EXPECT_EQ(nothing->run_onreply(ctx).outcome, Outcome::kContinue);
  EXPECT_TRUE(ctx.calls.empty());
}

TEST(ScriptFlow, RecursionDepthGuardDropsInsteadOfOverflowing) {
  // The checks refuse cycles (compile_error below); a cyclic program that got past them must
  // still not crash a worker: built here by the compiler proper, without the checks.
  cfg::RouteScript script = main_only(stmts(call("route", {word("LOOP")}), call("forward")));
  script.named["LOOP"] = route_block(stmts(call("route", {word("LOOP")})), "LOOP");
  EXPECT_THAT(compile_error(script), ::testing::HasSubstr("route recursion: LOOP -> LOOP"));
  Program program;
  cfg::Diagnostics diags;
  ASSERT_TRUE(ScriptCompiler(&program, &diags).compile(script)) << diags.first_error();
  auto compiled = std::make_unique<CompiledScript>(std::move(program));
  FakeContext ctx;
  RunResult r = compiled->run_request(ctx);
  EXPECT_EQ(r.outcome, Outcome::kDropped);
  EXPECT_TRUE(r.aborted);
  EXPECT_FALSE(r.forwarded);
  ASSERT_EQ(ctx.calls.size(), 1u);
  EXPECT_THAT(ctx.calls[0], ::testing::StartsWith("log(0,script: route() nested too deep"));
}

TEST(ScriptFlow, DeepButFiniteNestingRuns) {
  // A chain R1 -> R2 -> ... -> R20 is well under the limit.
  cfg::RouteScript script = main_only(stmts(call("route", {word("R1")})));
  for (int i = 1; i <= 20; ++i) {
    std::string name = "R" + std::to_string(i);
    script.named[name] = route_block(
        i < 20 ? stmts(call("route", {word("R" + std::to_string(i + 1))})) : stmts(say("deep")),
        name);
  }
  auto compiled = compile_ok(script);
  ASSERT_TRUE(compiled);
  FakeContext ctx;
  RunResult r = compiled->run_request(ctx);
  EXPECT_FALSE(r.aborted);
  EXPECT_THAT(ctx.calls, ElementsAre(said("deep")));
}

TEST(ScriptFlow, OneCompiledScriptServesManyMessages) {
  auto compiled = compile_ok(
      main_only(stmts(if_else(cmp(Field::kUri, CmpOp::kEq, myself()),
                              call("sl_send_reply", {num(200), str("OK")}), call("forward")))));
  ASSERT_TRUE(compiled);
  int replied = 0, forwarded = 0;
  for (int i = 0; i < 100; ++i) {
    FakeContext ctx;
    ctx.uri_host_ = i % 2 ? "proxy.example.net" : "far.example.com";
    RunResult r = compiled->run_request(ctx);
    replied += r.replied;
    forwarded += r.forwarded;
  }
  EXPECT_EQ(replied, 50);
  EXPECT_EQ(forwarded, 50);
}

}  // namespace
}  // namespace core::script::testing
