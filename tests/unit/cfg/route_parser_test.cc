// RouteParser: statements, conditions, calls and operands into the AST; syntax errors with
// their exact position, and recovery so that one run reports several of them.
#include "cfg/route_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cfg/script_functions.h"
#include "tests/unit/cfg/route_script_fixture.h"

namespace cfg {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::parse_errors;
using testing::parse_script;
using K = Operand::Kind;

// The main route of `text`, which must parse without any diagnostic.
RouteBlock main_of(const std::string& text) {
  auto p = parse_script(text);
  EXPECT_THAT(p.messages(), IsEmpty());
  EXPECT_TRUE(p.script.main.has_value());
  return p.script.main ? std::move(*p.script.main) : RouteBlock{};
}

// The condition of the first statement (an `if`) of `route { if (COND) drop; }`.
std::unique_ptr<Expr> cond_of(const std::string& cond) {
  RouteBlock b = main_of("route { if (" + cond + ") drop; }");
  if (b.body.empty() || b.body[0].kind != Stmt::Kind::kIf) {
    ADD_FAILURE() << "no if statement for " << cond;
    return std::make_unique<Expr>();
  }
  return std::move(b.body[0].cond);
}

// The first call statement of `route { CALL; }`.
Call call_of(const std::string& call) {
  RouteBlock b = main_of("route { " + call + "; }");
  if (b.body.empty() || b.body[0].kind != Stmt::Kind::kCall) {
    ADD_FAILURE() << "no call statement for " << call;
    return {};
  }
  return b.body[0].call;
}

// ---------------------------------------------------------------- valid scripts

TEST(RouteParserTest, ParsesAWholeScriptWithEveryStatementForm) {
  const std::string text = R"(route {
  if (!mf_process_maxfwd_header(10)) {
    sl_send_reply("483", "Too Many Hops");
    break;
  }
  if (method == "REGISTER" && uri == myself) { drop; } else if (method =~ "^(ACK|BYE)$") exit;
  record_route();
  route(RELAY);
}
route[RELAY] {
  forward(uri:host, uri:port);
}
onreply_route {
  log(3, "reply over $tls_version");
}
)";
  auto p = parse_script(text);
  EXPECT_THAT(p.messages(), IsEmpty());
  ASSERT_TRUE(p.script.main);
  ASSERT_TRUE(p.script.onreply);
  ASSERT_EQ(p.script.named.count("RELAY"), 1u);
  const auto& body = p.script.main->body;
  ASSERT_EQ(body.size(), 4u);
  EXPECT_EQ(body[0].kind, Stmt::Kind::kIf);
  ASSERT_EQ(body[0].then_branch->kind, Stmt::Kind::kBlock);
  ASSERT_EQ(body[0].then_branch->body.size(), 2u);
  EXPECT_EQ(body[0].then_branch->body[1].kind, Stmt::Kind::kBreak);
  EXPECT_EQ(body[0].else_branch, nullptr);
  // else if: the else branch is itself an if whose then branch is `exit`.
  ASSERT_NE(body[1].else_branch, nullptr);
  EXPECT_EQ(body[1].then_branch->body[0].kind, Stmt::Kind::kDrop);
  ASSERT_EQ(body[1].else_branch->kind, Stmt::Kind::kIf);
  EXPECT_EQ(body[1].else_branch->then_branch->kind, Stmt::Kind::kExit);
  EXPECT_EQ(body[2].call.name, "record_route");
  EXPECT_EQ(body[3].call.name, "route");
  EXPECT_EQ(p.script.named["RELAY"].body[0].call.name, "forward");
  EXPECT_EQ(p.script.onreply->body[0].call.name, "log");
}

TEST(RouteParserTest, RecordsWhereEachStatementStarts) {
  RouteBlock b = main_of("route {\n  forward();\n\tif (af == INET) drop;\n}");
  ASSERT_EQ(b.body.size(), 2u);
  EXPECT_EQ(b.body[0].loc.to_string(), "t.cfg:2:3");
  EXPECT_EQ(b.body[0].call.loc.to_string(), "t.cfg:2:3");
  EXPECT_EQ(b.body[1].loc.to_string(), "t.cfg:3:2");
  EXPECT_EQ(b.body[1].cond->loc.to_string(), "t.cfg:3:6");
  EXPECT_EQ(b.body[1].cond->value.loc.to_string(), "t.cfg:3:12");
  EXPECT_EQ(b.body[1].then_branch->loc.to_string(), "t.cfg:3:18");
}

TEST(RouteParserTest, EmptyStatementsAndEmptyBlocksAreAccepted) {
  RouteBlock b = main_of("route { ; if (proto == UDP) ; else {} {} }");
  ASSERT_EQ(b.body.size(), 2u);
  EXPECT_EQ(b.body[0].then_branch->kind, Stmt::Kind::kBlock);
  EXPECT_TRUE(b.body[0].then_branch->body.empty());
  EXPECT_EQ(b.body[0].else_branch->kind, Stmt::Kind::kBlock);
  EXPECT_EQ(b.body[1].kind, Stmt::Kind::kBlock);
}

TEST(RouteParserTest, AndBindsTighterThanOr) {
  auto e = cond_of("proto == UDP || proto == TCP && af == INET6");
  ASSERT_EQ(e->kind, Expr::Kind::kOr);
  EXPECT_EQ(e->left->kind, Expr::Kind::kCompare);
  ASSERT_EQ(e->right->kind, Expr::Kind::kAnd);
  EXPECT_EQ(e->right->left->field, Field::kProto);
  EXPECT_EQ(e->right->right->field, Field::kAf);
}

TEST(RouteParserTest, ParenthesesAndNegationGroupConditions) {
  auto e = cond_of("!(proto == UDP || proto == TCP) && !is_peer_verified()");
  ASSERT_EQ(e->kind, Expr::Kind::kAnd);
  ASSERT_EQ(e->left->kind, Expr::Kind::kNot);
  EXPECT_EQ(e->left->left->kind, Expr::Kind::kOr);
  ASSERT_EQ(e->right->kind, Expr::Kind::kNot);
  EXPECT_EQ(e->right->left->kind, Expr::Kind::kCall);
  EXPECT_EQ(e->right->left->call.name, "is_peer_verified");
}

TEST(RouteParserTest, OrIsLeftAssociative) {
  auto e = cond_of("af == INET || af == INET6 || proto == TLS");
  ASSERT_EQ(e->kind, Expr::Kind::kOr);
  EXPECT_EQ(e->left->kind, Expr::Kind::kOr);
  EXPECT_EQ(e->right->field, Field::kProto);
}

TEST(RouteParserTest, ComparisonOperators) {
  const std::pair<const char*, CmpOp> ops[] = {
      {"==", CmpOp::kEq}, {"!=", CmpOp::kNe}, {">", CmpOp::kGt},    {"<", CmpOp::kLt},
      {">=", CmpOp::kGe}, {"<=", CmpOp::kLe}, {"=~", CmpOp::kMatch}};
  for (const auto& [spelling, op] : ops) {
    auto e = cond_of(std::string("msg:len ") + spelling + " 1500");
    EXPECT_EQ(e->kind, Expr::Kind::kCompare) << spelling;
    EXPECT_EQ(e->field, Field::kMsgLen) << spelling;
    EXPECT_EQ(e->op, op) << spelling;
    EXPECT_EQ(cmp_op_name(op), std::string(spelling));
  }
}

TEST(RouteParserTest, EveryFieldCanBeCompared) {
  const std::pair<const char*, Field> fields[] = {
      {"method", Field::kMethod},
      {"uri", Field::kUri},
      {"uri:host", Field::kUriHost},
      {"uri:port", Field::kUriPort},
      {"src_ip", Field::kSrcIp},
      {"src_port", Field::kSrcPort},
      {"dst_ip", Field::kDstIp},
      {"dst_port", Field::kDstPort},
      {"proto", Field::kProto},
      {"af", Field::kAf},
      {"msg:len", Field::kMsgLen},
      {"$tls_version", Field::kTlsVersion},
      {"$tls_cipher", Field::kTlsCipher},
      {"$tls_peer_subject_cn", Field::kTlsPeerSubjectCn},
      {"$tls_peer_san_dns", Field::kTlsPeerSanDns},
      {"$tls_sni", Field::kTlsSni},
      {"$tls_domain", Field::kTlsDomain},
  };
  for (const auto& [name, field] : fields) {
    auto e = cond_of(std::string(name) + " != \"x\"");
    EXPECT_EQ(e->field, field) << name;
    EXPECT_EQ(field_name(field), std::string(name));
  }
}

TEST(RouteParserTest, ComparisonValuesOfEachKind) {
  auto s = cond_of("method == \"INVITE\"");
  EXPECT_EQ(s->value.kind, K::kString);
  EXPECT_EQ(s->value.text, "INVITE");
  auto m = cond_of("uri == myself");
  EXPECT_EQ(m->value.kind, K::kMyself);
  auto w = cond_of("proto == tls");
  EXPECT_EQ(w->value.kind, K::kWord);
  EXPECT_EQ(w->value.text, "tls");  // as written: the compiler compares case-insensitively
  auto n = cond_of("src_port == 5060");
  EXPECT_EQ(n->value.kind, K::kNumber);
  EXPECT_EQ(n->value.number, 5060);
  EXPECT_EQ(n->value.text, "5060");
  auto f = cond_of("$tls_sni == $tls_peer_san_dns");
  EXPECT_EQ(f->value.kind, K::kField);
  EXPECT_EQ(f->value.field, Field::kTlsPeerSanDns);
}

TEST(RouteParserTest, NumberWrittenAsStringIsANumberForNumericFields) {
  auto e = cond_of("dst_port == \"5061\"");
  EXPECT_EQ(e->value.kind, K::kNumber);
  EXPECT_EQ(e->value.number, 5061);
  auto s = cond_of("method == \"5061\"");
  EXPECT_EQ(s->value.kind, K::kString);
}

TEST(RouteParserTest, AddressesAndNetworksForIpFields) {
  const std::pair<const char*, const char*> cases[] = {
      {"src_ip == 10.0.0.0/8", "10.0.0.0/8"},
      {"src_ip == 192.0.2.7", "192.0.2.7"},
      {"dst_ip == [::1]", "::1"},
      {"dst_ip == [2001:db8::]/32", "2001:db8::/32"},
      {"src_ip == 2001:db8::1", "2001:db8::1"},
      {"src_ip == fe80::/10", "fe80::/10"},
      {"src_ip == \"198.51.100.1\"", "198.51.100.1"},
  };
  for (const auto& [cond, text] : cases) {
    auto e = cond_of(cond);
    EXPECT_EQ(e->value.kind, K::kNetwork) << cond;
    EXPECT_EQ(e->value.text, text) << cond;
  }
}

TEST(RouteParserTest, BracketedAddressLeavesTheFollowingTokens) {
  auto e = cond_of("src_ip == [::1]&&proto==TLS");
  ASSERT_EQ(e->kind, Expr::Kind::kAnd);
  EXPECT_EQ(e->left->value.text, "::1");
  EXPECT_EQ(e->right->field, Field::kProto);
  // A prefix must touch the ']'; a detached one is not taken for part of the address.
  EXPECT_THAT(parse_errors("route { if (src_ip == [::1] /64) drop; }"),
              ElementsAre("t.cfg:1:29: error: unexpected character '/'"));
}

TEST(RouteParserTest, CallArgumentsOfEachKind) {
  Call f = call_of("forward(uri:host, uri:port)");
  ASSERT_EQ(f.args.size(), 2u);
  EXPECT_EQ(f.args[0].kind, K::kField);
  EXPECT_EQ(f.args[0].field, Field::kUriHost);
  EXPECT_EQ(f.args[1].field, Field::kUriPort);
  Call t = call_of("forward_tls(\"sip.example.org\", 5061)");
  EXPECT_EQ(t.args[0].kind, K::kString);
  EXPECT_EQ(t.args[1].kind, K::kNumber);
  EXPECT_EQ(t.args[1].number, 5061);
  Call w = call_of("forward_udp(10.0.0.1, 5060)");
  EXPECT_EQ(w.args[0].kind, K::kWord);
  EXPECT_EQ(w.args[0].text, "10.0.0.1");
  Call v6 = call_of("forward_tcp([2001:db8::5], 5060)");
  EXPECT_EQ(v6.args[0].kind, K::kNetwork);
  EXPECT_EQ(v6.args[0].text, "2001:db8::5");
  Call r = call_of("route(RELAY)");
  EXPECT_EQ(r.args[0].kind, K::kWord);
  EXPECT_EQ(r.args[0].text, "RELAY");
  EXPECT_TRUE(call_of("record_route()").args.empty());
}

TEST(RouteParserTest, NumberWrittenAsStringIsNormalisedWhereANumberIsTaken) {
  Call reply = call_of("sl_send_reply(\"483\", \"Too Many Hops\")");
  EXPECT_EQ(reply.args[0].kind, K::kNumber);
  EXPECT_EQ(reply.args[0].number, 483);
  EXPECT_EQ(reply.args[1].kind, K::kString);
  Call fwd = call_of("forward(\"10.0.0.1\", \"5070\")");
  EXPECT_EQ(fwd.args[0].kind, K::kString);
  EXPECT_EQ(fwd.args[1].kind, K::kNumber);
  // log(level, text) with one argument is log(text): "3" stays text there.
  EXPECT_EQ(call_of("log(\"3\")").args[0].kind, K::kString);
  Call log2 = call_of("log(\"1\", \"2\")");
  EXPECT_EQ(log2.args[0].kind, K::kNumber);
  EXPECT_EQ(log2.args[1].kind, K::kString);
  // Unknown functions keep what was written (the checks report them).
  EXPECT_EQ(call_of("frob(\"1\")").args[0].kind, K::kString);
}

TEST(RouteParserTest, StringEscapesReachTheArgument) {
  Call c = call_of("append_hf(\"X-Edge: \\\"tls\\\"\\r\\n\")");
  EXPECT_EQ(c.args[0].text, "X-Edge: \"tls\"\r\n");
}

TEST(RouteParserTest, CommentsAreIgnoredInsideBlocks) {
  RouteBlock b = main_of("route { # one\n /* two\n */ forward(); # three\n}");
  ASSERT_EQ(b.body.size(), 1u);
}

TEST(RouteParserTest, NumericRouteNamesOfOldConfigs) {
  auto p = parse_script("route { route(1); } route[1] { drop; }");
  EXPECT_THAT(p.messages(), IsEmpty());
  EXPECT_EQ(p.script.main->body[0].call.args[0].kind, K::kNumber);
  EXPECT_EQ(p.script.main->body[0].call.args[0].text, "1");
  EXPECT_EQ(p.script.named.count("1"), 1u);
}

TEST(RouteParserTest, ParseBlockReportsSuccess) {
  Diagnostics diags;
  Lexer good("t.cfg", "{ drop; }");
  RouteBlock a;
  EXPECT_TRUE(RouteParser(good, diags).parse_block(&a));
  EXPECT_EQ(a.loc.to_string(), "t.cfg:1:1");  // no header: the block starts at its '{'
  Lexer bad("t.cfg", "{ drop }");
  RouteBlock b;
  EXPECT_FALSE(RouteParser(bad, diags).parse_block(&b));
  EXPECT_EQ(good.next().kind, TokenKind::kEnd);
  EXPECT_EQ(bad.next().kind, TokenKind::kEnd);
}

// ---------------------------------------------------------------- syntax errors

TEST(RouteParserErrorTest, MissingSemicolonAfterCall) {
  EXPECT_THAT(parse_errors("route {\n  forward()\n  if (method == \"INVITE\") drop;\n}"),
              ElementsAre("t.cfg:3:3: error: expected ';' after 'forward()', found 'if'"));
}

TEST(RouteParserErrorTest, MissingSemicolonAfterKeyword) {
  EXPECT_THAT(parse_errors("route {\n  drop\n}"),
              ElementsAre("t.cfg:3:1: error: expected ';' after 'drop', found '}'"));
}

TEST(RouteParserErrorTest, MissingCloseParenInCall) {
  EXPECT_THAT(parse_errors("route { forward(\"a\"; }"),
              ElementsAre("t.cfg:1:20: error: expected ',' or ')' after an argument of "
                          "'forward()', found ';'"));
}

TEST(RouteParserErrorTest, TwoArgumentsWithoutComma) {
  EXPECT_THAT(parse_errors("route { forward(\"a\" 5060); }"),
              ElementsAre("t.cfg:1:21: error: expected ',' or ')' after an argument of "
                          "'forward()', found '5060'"));
}

TEST(RouteParserErrorTest, TrailingCommaInCall) {
  EXPECT_THAT(parse_errors("route { forward(\"a\",); }"),
              ElementsAre("t.cfg:1:21: error: expected an argument of 'forward()', found ')'"));
}

TEST(RouteParserErrorTest, ActionWithoutParentheses) {
  EXPECT_THAT(parse_errors("route {\n  record_route;\n}"),
              ElementsAre("t.cfg:2:15: error: expected '(' after 'record_route', found ';'"));
}

TEST(RouteParserErrorTest, IfWithoutParentheses) {
  EXPECT_THAT(parse_errors("route { if method == \"A\" { drop; } forward(); }"),
              ElementsAre("t.cfg:1:12: error: expected '(' after 'if', found 'method'"));
}

TEST(RouteParserErrorTest, MissingCloseParenAfterCondition) {
  EXPECT_THAT(parse_errors("route {\n  if (method == \"A\" forward();\n}"),
              ElementsAre("t.cfg:2:21: error: expected ')' after the condition, found 'forward'"));
}

TEST(RouteParserErrorTest, MissingCloseParenOfNestedGroup) {
  EXPECT_THAT(parse_errors("route { if ((af == INET) drop; }"),
              ElementsAre("t.cfg:1:26: error: expected ')' after the condition, found 'drop'"));
}

TEST(RouteParserErrorTest, EmptyCondition) {
  EXPECT_THAT(parse_errors("route { if () drop; }"),
              ElementsAre("t.cfg:1:13: error: expected a condition, found ')'"));
}

TEST(RouteParserErrorTest, MissingRightOperandOfAnd) {
  EXPECT_THAT(parse_errors("route { if (af == INET && ) drop; }"),
              ElementsAre("t.cfg:1:27: error: expected a condition, found ')'"));
}

TEST(RouteParserErrorTest, UnknownFieldWithSuggestion) {
  EXPECT_THAT(parse_errors("route { if (methd == \"INVITE\") drop; }"),
              ElementsAre("t.cfg:1:13: error: unknown field 'methd' in condition, did you mean "
                          "'method'?"));
}

TEST(RouteParserErrorTest, UnknownTlsFactWithSuggestion) {
  EXPECT_THAT(parse_errors("route { if ($tls_snii == \"a\") drop; }"),
              ElementsAre("t.cfg:1:13: error: unknown field '$tls_snii' in condition, did you "
                          "mean '$tls_sni'?"));
}

TEST(RouteParserErrorTest, UnknownFieldAsArgument) {
  EXPECT_THAT(parse_errors("route { forward(uri:hots, 5060); }"),
              ElementsAre("t.cfg:1:17: error: unknown field 'uri:hots', did you mean "
                          "'uri:host'?"));
}

TEST(RouteParserErrorTest, SingleEqualsInComparison) {
  EXPECT_THAT(parse_errors("route { if (method = \"A\") drop; }"),
              ElementsAre("t.cfg:1:20: error: expected a comparison operator after 'method', "
                          "found '=' (use '==' to compare)"));
}

TEST(RouteParserErrorTest, FieldWithoutComparison) {
  EXPECT_THAT(parse_errors("route { if (method) drop; }"),
              ElementsAre("t.cfg:1:19: error: expected a comparison operator after 'method', "
                          "found ')'"));
}

TEST(RouteParserErrorTest, MissingValueAfterOperator) {
  EXPECT_THAT(parse_errors("route { if (src_port >= ) drop; }"),
              ElementsAre("t.cfg:1:25: error: expected a value after 'src_port >=', found ')'"));
}

TEST(RouteParserErrorTest, FunctionInConditionWithoutParentheses) {
  EXPECT_THAT(parse_errors("route { if (!is_peer_verified) drop; }"),
              ElementsAre("t.cfg:1:30: error: expected '(' after 'is_peer_verified', found ')'"));
}

TEST(RouteParserErrorTest, ElseWithoutIf) {
  EXPECT_THAT(parse_errors("route {\n  forward();\n  else drop;\n}"),
              ElementsAre("t.cfg:3:3: error: 'else' without a matching 'if'"));
}

TEST(RouteParserErrorTest, IfWithoutStatementBeforeElse) {
  EXPECT_THAT(
      parse_errors("route { if (af == INET) else drop; }"),
      ElementsAre("t.cfg:1:25: error: expected a statement after 'if (...)', found 'else'"));
}

TEST(RouteParserErrorTest, StringWhereAStatementIsExpected) {
  EXPECT_THAT(parse_errors("route { \"forward\"; drop; }"),
              ElementsAre("t.cfg:1:9: error: expected a statement, found string \"forward\""));
}

TEST(RouteParserErrorTest, UnterminatedBlockAtEndOfFile) {
  EXPECT_THAT(parse_errors("route {\n  if (af == INET) {\n    drop;\n  }\n"),
              ElementsAre("t.cfg:1:7: error: unterminated block: expected '}' to close it, "
                          "found end of file"));
}

TEST(RouteParserErrorTest, UnterminatedBlockBeforeTheNextRouteBlock) {
  auto p = parse_script("route {\n  route(A);\n\nroute[A] {\n  drop;\n}\n");
  EXPECT_THAT(p.messages(), ElementsAre("t.cfg:1:7: error: unterminated block: expected '}' to "
                                        "close it before 'route' at t.cfg:4:1"));
  // The next block is left to the top-level parser, intact.
  ASSERT_EQ(p.script.named.count("A"), 1u);
  EXPECT_EQ(p.script.named["A"].body.size(), 1u);
}

TEST(RouteParserErrorTest, UnterminatedBlockBeforeOnreplyRoute) {
  auto p = parse_script("route {\n  forward();\nonreply_route {\n  drop;\n}\n");
  EXPECT_THAT(p.messages(), ElementsAre("t.cfg:1:7: error: unterminated block: expected '}' to "
                                        "close it before 'onreply_route' at t.cfg:3:1"));
  ASSERT_TRUE(p.script.onreply);
  EXPECT_EQ(p.script.onreply->body.size(), 1u);
}

TEST(RouteParserErrorTest, UnterminatedString) {
  EXPECT_THAT(parse_errors("route {\n  log(\"oops);\n}"),
              ElementsAre("t.cfg:2:7: error: unterminated string (missing closing '\"')"));
}

TEST(RouteParserErrorTest, UnexpectedCharacter) {
  EXPECT_THAT(parse_errors("route { forward(); @ drop; }"),
              ElementsAre("t.cfg:1:20: error: unexpected character '@'"));
}

TEST(RouteParserErrorTest, NumberTooLarge) {
  EXPECT_THAT(parse_errors("route { if (msg:len > 99999999999999999999) drop; }"),
              ElementsAre("t.cfg:1:23: error: number '99999999999999999999' is too large"));
}

TEST(RouteParserErrorTest, UnclosedIpv6Bracket) {
  EXPECT_THAT(parse_errors("route { if (src_ip == [::1) drop; }\n"),
              ElementsAre("t.cfg:1:23: error: missing closing ']'"));
}

TEST(RouteParserErrorTest, NestingBeyondTheLimit) {
  std::string deep = "route { if (" + std::string(150, '!') + "is_peer_verified()) drop; }";
  EXPECT_THAT(parse_errors(deep),
              ElementsAre("t.cfg:1:112: error: nesting too deep (more than 100 levels)"));
  std::string blocks = "route { " + std::string(150, '{') + std::string(150, '}') + " }";
  EXPECT_THAT(parse_errors(blocks),
              ElementsAre("t.cfg:1:109: error: nesting too deep (more than 100 levels)"));
}

TEST(RouteParserErrorTest, SeveralErrorsInOneRun) {
  const std::string text =
      "route {\n"
      "  forward(\"a\" 1);\n"          // 2: missing comma
      "  if (method = \"A\") drop;\n"  // 3: single '='
      "  sl_send_reply(404 \"x\");\n"  // 4: missing comma
      "  record_route()\n"             // 5: missing ';' (reported at line 6)
      "  break;\n"
      "}\n"
      "route[B] {\n"
      "  if (proto == UDP {\n"  // 9: missing ')'
      "    drop;\n"
      "  }\n"
      "  exit\n"  // 12: missing ';'
      "}\n";
  EXPECT_THAT(
      parse_errors(text),
      ElementsAre(
          "t.cfg:2:15: error: expected ',' or ')' after an argument of 'forward()', found '1'",
          "t.cfg:3:14: error: expected a comparison operator after 'method', found '=' (use "
          "'==' to compare)",
          "t.cfg:4:21: error: expected ',' or ')' after an argument of 'sl_send_reply()', found "
          "string \"x\"",
          "t.cfg:6:3: error: expected ';' after 'record_route()', found 'break'",
          "t.cfg:9:20: error: expected ')' after the condition, found '{'",
          "t.cfg:13:1: error: expected ';' after 'exit', found '}'"));
}

TEST(RouteParserErrorTest, RecoveryAfterABadConditionStillParsesTheBody) {
  EXPECT_THAT(parse_errors("route {\n  if (methd == \"A\") {\n    forward(;\n  }\n}"),
              ElementsAre("t.cfg:2:7: error: unknown field 'methd' in condition, did you mean "
                          "'method'?",
                          "t.cfg:3:13: error: expected an argument of 'forward()', found ';'"));
}

// ---------------------------------------------------------------- vocabulary

TEST(ScriptFunctionsTest, SignaturesShowOptionalParameters) {
  EXPECT_EQ(signature(*find_function("forward")), "(host, port)");
  EXPECT_EQ(signature(*find_function("log")), "([level,] text)");
  EXPECT_EQ(signature(*find_function("record_route")), "()");
  EXPECT_EQ(find_function("t_relay"), nullptr);
}

TEST(ScriptFunctionsTest, LogLevelIsTheOptionalFirstParameter) {
  const FunctionSpec& log = *find_function("log");
  EXPECT_STREQ(param_at(log, 1, 0)->name, "text");
  EXPECT_STREQ(param_at(log, 2, 0)->name, "level");
  EXPECT_STREQ(param_at(log, 2, 1)->name, "text");
  EXPECT_EQ(param_at(log, 3, 2), nullptr);
  const FunctionSpec& fwd = *find_function("forward");
  EXPECT_STREQ(param_at(fwd, 1, 0)->name, "host");
}

TEST(ScriptFunctionsTest, BuiltinModulesOfOldConfigs) {
  for (const char* m : {"sl.so", "maxfwd.so", "textops.so", "rr.so", "tls.so",
                        "/usr/local/lib/ser/modules/sl.so", "rr"})
    EXPECT_TRUE(is_builtin_module(m)) << m;
  for (const char* m : {"tm.so", "usrloc.so", "registrar.so", "sl.so.1", "", ".so", "xsl.so"})
    EXPECT_FALSE(is_builtin_module(m)) << m;
  EXPECT_EQ(builtin_module_names(), "sl.so, maxfwd.so, textops.so, rr.so, tls.so, path.so");
}

// ---------------------------------------------------------------- robustness

// Damaged scripts (bytes deleted, duplicated or replaced by syntax characters, deterministic
// seed): parsing always ends, every diagnostic names a position in t.cfg, and parse_block's
// result agrees with whether it reported an error.
TEST(RouteParserRobustnessTest, DamagedScriptsAreReportedNotMisparsed) {
  const std::string good =
      "route {\n  if (!mf_process_maxfwd_header(\"10\") || src_ip == [2001:db8::]/32) {\n"
      "    sl_send_reply(483, \"Too Many Hops\"); break;\n  }\n"
      "  if (method =~ \"^INV\" && (proto == TLS || af != INET)) { route(R); } else drop;\n"
      "  append_hf(\"X-A: 1\\r\\n\"); forward(uri:host, 5060);\n}\n";
  const std::string noise = "{}()[];,=!&|\"#/*$: ";
  uint32_t seed = 12345;
  auto rnd = [&seed](uint32_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % n;
  };
  for (int round = 0; round < 2000; ++round) {
    std::string text = good;
    for (int edits = 1 + static_cast<int>(rnd(3)); edits > 0; --edits) {
      size_t at = rnd(static_cast<uint32_t>(text.size()));
      switch (rnd(3)) {
        case 0:
          text.erase(at, 1);
          break;
        case 1:
          text.insert(at, 1, text[at]);
          break;
        default:
          text[at] = noise[rnd(static_cast<uint32_t>(noise.size()))];
          break;
      }
    }
    Diagnostics diags;
    Lexer lexer("t.cfg", text);
    while (lexer.peek().kind != TokenKind::kEnd && !lexer.peek().is_punct("{")) lexer.next();
    RouteBlock block;
    bool ok = RouteParser(lexer, diags).parse_block(&block);
    EXPECT_EQ(ok, !diags.has_errors()) << text;
    for (const auto& d : diags.all()) {
      EXPECT_EQ(d.loc.file, "t.cfg") << d.to_string();
      EXPECT_GT(d.loc.line, 0) << d.to_string();
    }
  }
}

}  // namespace
}  // namespace cfg
