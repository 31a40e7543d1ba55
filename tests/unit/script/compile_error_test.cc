// Load-time errors: every problem found while compiling names file:line:col and says what is
// wrong; nothing crashes on an AST shape the checker should have refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/script/script_test_util.h"

namespace core::script::testing {
namespace {

using cfg::CmpOp;
using cfg::Field;
using ::testing::HasSubstr;

cfg::Stmt if_log(ExprPtr cond) {
  return if_(std::move(cond), call("log", {str("x")}));
}

TEST(ScriptCompileError, BadNetworkIsReportedAtTheOperand) {
  cfg::Operand bad = net("10.0.0.0/33");
  bad.loc = at(7, 21);
  std::string err = compile_error(main_only(stmts(if_log(cmp(Field::kSrcIp, CmpOp::kEq, bad)))));
  EXPECT_THAT(err, HasSubstr("t.cfg:7:21: error:"));
  EXPECT_THAT(
      err, HasSubstr("invalid network '10.0.0.0/33': the prefix length must be between 0 and 32"));
  cfg::Operand host = net("not.an.address");
  host.loc = at(8, 3);
  err = compile_error(main_only(stmts(if_log(cmp(Field::kDstIp, CmpOp::kEq, host)))));
  EXPECT_THAT(err, HasSubstr("t.cfg:8:3: error:"));
  EXPECT_THAT(err, HasSubstr("dst_ip can only be compared with an IP address, a network "
                             "(address/prefix) or myself, found 'not.an.address'"));
  EXPECT_THAT(compile_error(main_only(
                  stmts(if_log(cmp(Field::kSrcIp, CmpOp::kEq, net("10.0.0.0/255.0.255.0")))))),
              HasSubstr("invalid network '10.0.0.0/255.0.255.0'"));
}

TEST(ScriptCompileError, HostBitsInANetworkAreAWarningOnly) {
  cfg::Diagnostics diags;
  auto compiled = CompiledScript::compile(
      main_only(stmts(if_log(cmp(Field::kSrcIp, CmpOp::kEq, net("10.1.2.3/8"))))), diags);
  ASSERT_TRUE(compiled);
  ASSERT_EQ(diags.all().size(), 1u);
  EXPECT_EQ(diags.all()[0].severity, cfg::Severity::kWarning);
  FakeContext ctx;
  ctx.src_ = IpAddr::v4(10, 200, 0, 1);
  compiled->run_request(ctx);
  EXPECT_EQ(ctx.calls.size(), 1u);  // the whole /8 matches
}

TEST(ScriptCompileError, BadRegexNamesTheLibraryReason) {
  cfg::Operand re = str("(unclosed");
  re.loc = at(3, 15);
  std::string err = compile_error(main_only(stmts(if_log(cmp(Field::kUri, CmpOp::kMatch, re)))));
  EXPECT_THAT(err, HasSubstr("t.cfg:3:15: error: invalid regular expression \"(unclosed\": "));
}

TEST(ScriptCompileError, OperatorsThatDoNotFitTheField) {
  EXPECT_THAT(compile_error(main_only(stmts(if_log(cmp(Field::kMethod, CmpOp::kGt, str("A")))))),
              HasSubstr("'>' cannot be used with method: use ==, != or =~"));
  EXPECT_THAT(compile_error(main_only(stmts(if_log(cmp(Field::kMsgLen, CmpOp::kMatch, str("1")))))),
              HasSubstr("'=~' cannot be used with msg:len: use ==, !=, <, >, <= or >="));
  EXPECT_THAT(compile_error(main_only(stmts(if_log(cmp(Field::kSrcPort, CmpOp::kEq, str("x")))))),
              HasSubstr("src_port can only be compared with a port number between 1 and 65535, "
                        "found string \"x\""));
  EXPECT_THAT(compile_error(main_only(stmts(if_log(cmp(Field::kProto, CmpOp::kEq, word("SCTP")))))),
              HasSubstr("proto can only be compared with UDP, TCP or TLS, found 'SCTP'"));
  EXPECT_THAT(compile_error(main_only(stmts(if_log(cmp(Field::kAf, CmpOp::kMatch, word("INET")))))),
              HasSubstr("'=~' cannot be used with af: use == or !="));
  EXPECT_THAT(compile_error(main_only(stmts(if_log(cmp(Field::kMethod, CmpOp::kEq, myself()))))),
              HasSubstr("method can only be compared with a method name in a string, such as "
                        "\"INVITE\", found 'myself'"));
  EXPECT_THAT(compile_error(
                  main_only(stmts(if_log(cmp(Field::kMsgLen, CmpOp::kEq, field(Field::kMethod)))))),
              HasSubstr("msg:len can only be compared with a number, found 'method'"));
}

TEST(ScriptCompileError, BadCallsAreLoadErrors) {
  cfg::Stmt unknown = call("frobnicate");
  unknown.call.loc = at(12, 5);
  EXPECT_THAT(compile_error(main_only(stmts(std::move(unknown)))),
              HasSubstr("t.cfg:12:5: error: unknown function 'frobnicate'"));
  EXPECT_THAT(compile_error(main_only(stmts(call("t_relay")))),
              HasSubstr("t_relay() is not provided: ser is a stateless proxy; use forward()"));
  EXPECT_THAT(compile_error(main_only(stmts(call("sl_send_reply", {num(99), str("x")})))),
              HasSubstr("sl_send_reply() argument 1 (code) must be a reply code between 100 and "
                        "699, found 99"));
  EXPECT_THAT(compile_error(main_only(stmts(call("sl_send_reply", {num(404)})))),
              HasSubstr("sl_send_reply() takes 2 arguments (code, reason), found 1"));
  EXPECT_THAT(compile_error(main_only(stmts(call("forward", {str("h"), num(70000)})))),
              HasSubstr("must be a port number between 1 and 65535 or uri:port, found 70000"));
  EXPECT_THAT(compile_error(main_only(stmts(call("forward", {field(Field::kMethod)})))),
              HasSubstr("forward() argument 1 (host) must be a host name, an address or uri:host, "
                        "found 'method'"));
  EXPECT_THAT(compile_error(main_only(stmts(call("mf_process_maxfwd_header", {num(0)})))),
              HasSubstr("must be a number between 1 and 255, found 0"));
  EXPECT_THAT(compile_error(main_only(stmts(call("log", {num(9), str("x")})))),
              HasSubstr("must be a log level between -3 and 4"));
  EXPECT_THAT(compile_error(main_only(stmts(call("record_route", {str("x")})))),
              HasSubstr("record_route() takes no arguments, found 1"));
  EXPECT_THAT(compile_error(main_only(stmts(call("rewritehost", {field(Field::kUriHost)})))),
              HasSubstr("rewritehost() argument 1 (host) must be a host name or an address, "
                        "found 'uri:host'"));
}

TEST(ScriptCompileError, UnknownRouteName) {
  cfg::Operand name = word("MISSING");
  name.loc = at(4, 11);
  EXPECT_THAT(compile_error(main_only(stmts(call("route", {name})))),
              HasSubstr("t.cfg:4:11: error: unknown route 'MISSING'"));
}

TEST(ScriptCompileError, MalformedTreesAreErrorsNotCrashes) {
  cfg::Stmt no_cond = simple(cfg::Stmt::Kind::kIf);
  no_cond.then_branch = std::make_unique<cfg::Stmt>(brk());
  EXPECT_THAT(compile_error(main_only(stmts(std::move(no_cond)))), HasSubstr("malformed if"));
  EXPECT_THAT(compile_error(main_only(stmts(if_log(and_(call_expr("is_peer_verified"), nullptr))))),
              HasSubstr("malformed && / ||"));
  EXPECT_THAT(compile_error(main_only(stmts(if_log(not_(nullptr))))), HasSubstr("malformed !"));
}

TEST(ScriptCompileError, EveryErrorIsReportedNotJustTheFirst) {
  cfg::RouteScript script = main_only(stmts(call("nope1"), call("nope2")));
  script.named["X"] = route_block(stmts(call("nope3")), "X");
  script.onreply = route_block(stmts(call("nope4")));
  cfg::Diagnostics diags;
  EXPECT_EQ(CompiledScript::compile(script, diags), nullptr);
  EXPECT_EQ(diags.error_count(), 4u);
}

// Issue #10: a literal id must name a client domain of the configuration (`ser -c` says so);
// an id read from the message is the forward's to check.
TEST(ScriptCompileError, TlsClientDomainWithAnUnknownLiteralId) {
  cfg::Diagnostics diags;
  std::vector<std::string> ids{"tenant-a"};
  EXPECT_TRUE(CompiledScript::compile(
      main_only(stmts(call("tls_client_domain", {str("Tenant-A")}), call("forward"))), diags, ids))
      << diags.first_error();
  auto bad = CompiledScript::compile(
      main_only(stmts(call("tls_client_domain", {str("tenant-b")}), call("forward"))), diags, ids);
  EXPECT_EQ(bad, nullptr);
  EXPECT_THAT(diags.first_error(),
              HasSubstr("tls_client_domain(\"tenant-b\"): no client domain with id \"tenant-b\""));
  EXPECT_THAT(compile_error(main_only(stmts(call("tls_client_domain", {num(3)})))),
              HasSubstr("must be a client domain id"));
  cfg::Diagnostics field_diags;
  auto from_field = CompiledScript::compile(
      main_only(stmts(call("tls_client_domain", {field(Field::kTlsPeerSubjectCn)}))), field_diags);
  ASSERT_TRUE(from_field) << field_diags.first_error();
  FakeContext ctx;
  from_field->run_request(ctx);
  ASSERT_EQ(ctx.calls.size(), 1u);
  EXPECT_EQ(ctx.calls[0], "tls_client_domain()");
}

}  // namespace
}  // namespace core::script::testing
