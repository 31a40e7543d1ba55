// The semantic checks of a parsed routing script (script_checker.h), through the compiler that
// runs them: each asserts the exact message and position a user sees from `ser -c`, start-up
// and reload.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/script/compiled_script.h"
#include "tests/unit/cfg/route_script_fixture.h"

namespace cfg {
namespace {

// Diagnostics of compiling a script that must parse cleanly.
std::vector<std::string> check_errors(const std::string& text) {
  testing::ParsedScript p = testing::parse_script(text);
  EXPECT_FALSE(p.diags.has_errors()) << "parse errors: " << p.diags.first_error();
  Diagnostics diags;
  auto compiled = core::script::CompiledScript::compile(p.script, diags);
  EXPECT_EQ(compiled == nullptr, diags.has_errors());
  std::vector<std::string> out;
  for (const auto& d : diags.all()) out.push_back(d.to_string());
  return out;
}

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Errors of `route { BODY }` (the body on line 1, starting at column 9).
std::vector<std::string> body_errors(const std::string& body) {
  return check_errors("route { " + body + " }");
}

// ---------------------------------------------------------------- valid scripts

TEST(ScriptCheckTest, AcceptsEveryActionAndCondition) {
  const std::string text = R"(route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); break; }
  if (msg:len >= 65535) { sl_send_reply(513, "Message Too Large"); drop; }
  if (method == "OPTIONS" && uri == myself) { sl_send_reply(200, "OK"); exit; }
  if (method =~ "^(INVITE|SUBSCRIBE)$" || uri =~ "^sips?:[^@]+@example\\.org") record_route();
  if (uri:host == "example.org" || uri:host == myself || uri:port != 5060) log("uri");
  if (src_ip == 10.0.0.0/8 || src_ip == 192.0.2.1 || dst_ip == [::1] || dst_ip == [2001:db8::]/32) log(1, "net");
  if (src_ip != myself && src_port > 1024 && dst_port <= 5061 && src_port < 65535) log("ports");
  if (proto == TLS || proto == udp || proto == "Tcp") log("proto");
  if (af == INET6 || af == inet) log("af");
  if (proto == TLS && !is_peer_verified()) { sl_send_reply(403, "Certificate Required"); drop; }
  if ($tls_version == "TLSv1.3" || $tls_cipher =~ "GCM" || $tls_sni != "") log(4, "sni=$tls_sni");
  if ($tls_peer_subject_cn == "peer" && $tls_peer_san_dns =~ "\\.example\\.net$") log("peer");
  append_hf("X-Edge: tls\r\n");
  remove_hf("X-Internal");
  rewritehost("proxy.example.org");
  rewritehostport("proxy.example.org:5070");
  rewriteuri("sips:alice@example.org");
  route(OUT);
}
route[OUT] {
  if (uri:host == "carrier.example.net") { forward_tls("carrier.example.net", 5061); exit; }
  if (af == INET) forward_udp(192.0.2.9, "5060"); else forward_tcp([2001:db8::9], 5060);
  forward(uri:host, uri:port);
  forward("example.org");
  forward();
}
onreply_route {
  append_hf("X-Reply: seen\r\n");
  remove_hf("X-Internal");
  log(2, "reply via $tls_version $tls_cipher $tls_peer_subject_cn $tls_peer_san_dns");
  if (is_peer_verified()) log("verified");
  route(REPLY);
  drop;
}
route[REPLY] { break; }
)";
  EXPECT_THAT(check_errors(text), IsEmpty());
}

TEST(ScriptCheckTest, RoutesMayCallEachOtherWithoutACycle) {
  EXPECT_THAT(check_errors("route { route(A); route(B); }\n"
                           "route[A] { route(B); route(C); }\n"
                           "route[B] { route(C); }\n"
                           "route[C] { drop; }\n"),
              IsEmpty());
}

// ---------------------------------------------------------------- functions

TEST(ScriptCheckTest, UnknownFunctionWithSuggestion) {
  EXPECT_THAT(body_errors("forwrd();"),
              ElementsAre("t.cfg:1:9: error: unknown function 'forwrd', did you mean 'forward'?"));
}

TEST(ScriptCheckTest, UnknownFunctionWithoutNearMiss) {
  EXPECT_THAT(body_errors("save(\"location\");"),
              ElementsAre("t.cfg:1:9: error: unknown function 'save'"));
}

TEST(ScriptCheckTest, UnknownFunctionInCondition) {
  EXPECT_THAT(body_errors("if (is_peer_verifed()) drop;"),
              ElementsAre("t.cfg:1:13: error: unknown function 'is_peer_verifed', did you mean "
                          "'is_peer_verified'?"));
}

TEST(ScriptCheckTest, TRelayIsRefused) {
  EXPECT_THAT(body_errors("t_relay();"),
              ElementsAre("t.cfg:1:9: error: t_relay() is not provided: ser is a stateless "
                          "proxy; use forward()"));
}

TEST(ScriptCheckTest, TReplyIsRefusedWithTheStatelessAlternative) {
  EXPECT_THAT(body_errors("t_reply(\"404\", \"Not Here\");"),
              ElementsAre("t.cfg:1:9: error: t_reply() is not provided: ser is a stateless "
                          "proxy; use sl_send_reply()"));
}

TEST(ScriptCheckTest, TooFewArguments) {
  EXPECT_THAT(body_errors("forward_tcp(\"10.0.0.1\");"),
              ElementsAre("t.cfg:1:9: error: forward_tcp() takes 2 arguments (host, port), found "
                          "1"));
}

TEST(ScriptCheckTest, TooManyArguments) {
  EXPECT_THAT(body_errors("forward(\"a\", 5060, 1);"),
              ElementsAre("t.cfg:1:9: error: forward() takes 0 to 2 arguments (host, port), "
                          "found 3"));
}

TEST(ScriptCheckTest, ArgumentsToAFunctionThatTakesNone) {
  EXPECT_THAT(body_errors("record_route(\"lr\");"),
              ElementsAre("t.cfg:1:9: error: record_route() takes no arguments, found 1"));
}

TEST(ScriptCheckTest, LogWithoutArguments) {
  EXPECT_THAT(body_errors("log();"),
              ElementsAre("t.cfg:1:9: error: log() takes 1 or 2 arguments ([level,] text), "
                          "found 0"));
}

TEST(ScriptCheckTest, OneArgumentFunctionCalledEmpty) {
  EXPECT_THAT(body_errors("rewritehost();"),
              ElementsAre("t.cfg:1:9: error: rewritehost() takes 1 argument (host), found 0"));
}

TEST(ScriptCheckTest, ReplyCodeThatIsNotANumber) {
  EXPECT_THAT(body_errors("sl_send_reply(\"abc\", \"Bad\");"),
              ElementsAre("t.cfg:1:23: error: sl_send_reply() argument 1 (code) must be a reply "
                          "code between 100 and 699, found string \"abc\""));
}

TEST(ScriptCheckTest, ReplyCodeOutOfRange) {
  EXPECT_THAT(body_errors("sl_send_reply(\"800\", \"Bad\");"),
              ElementsAre("t.cfg:1:23: error: sl_send_reply() argument 1 (code) must be a reply "
                          "code between 100 and 699, found 800"));
}

TEST(ScriptCheckTest, ReplyReasonThatIsNotAString) {
  EXPECT_THAT(body_errors("sl_send_reply(404, 404);"),
              ElementsAre("t.cfg:1:28: error: sl_send_reply() argument 2 (reason) must be a "
                          "string, found 404"));
}

TEST(ScriptCheckTest, PortOutOfRange) {
  EXPECT_THAT(body_errors("forward_udp(\"10.0.0.1\", 70000);"),
              ElementsAre("t.cfg:1:33: error: forward_udp() argument 2 (port) must be a port "
                          "number between 1 and 65535 or uri:port, found 70000"));
}

TEST(ScriptCheckTest, PortZero) {
  EXPECT_THAT(body_errors("forward(\"10.0.0.1\", \"0\");"),
              ElementsAre("t.cfg:1:29: error: forward() argument 2 (port) must be a port number "
                          "between 1 and 65535 or uri:port, found 0"));
}

TEST(ScriptCheckTest, WrongFieldAsPort) {
  EXPECT_THAT(body_errors("forward(uri:host, uri:host);"),
              ElementsAre("t.cfg:1:27: error: forward() argument 2 (port) must be a port number "
                          "between 1 and 65535 or uri:port, found 'uri:host'"));
}

TEST(ScriptCheckTest, EmptyHost) {
  EXPECT_THAT(body_errors("forward_tls(\"\", 5061);"),
              ElementsAre("t.cfg:1:21: error: forward_tls() argument 1 (host) must be a host "
                          "name, an address or uri:host, found string \"\""));
}

TEST(ScriptCheckTest, MaxForwardsOutOfRange) {
  EXPECT_THAT(body_errors("if (mf_process_maxfwd_header(256)) drop;"),
              ElementsAre("t.cfg:1:38: error: mf_process_maxfwd_header() argument 1 (N) must be "
                          "a number between 1 and 255, found 256"));
}

TEST(ScriptCheckTest, HeaderLineWithoutCrlf) {
  EXPECT_THAT(body_errors("append_hf(\"X-Edge: tls\");"),
              ElementsAre("t.cfg:1:19: error: append_hf() argument 1 (header) must end with "
                          "\"\\r\\n\", found string \"X-Edge: tls\""));
}

TEST(ScriptCheckTest, HeaderLineWithoutName) {
  EXPECT_THAT(body_errors("append_hf(\"just text\\r\\n\");"),
              ElementsAre("t.cfg:1:19: error: append_hf() argument 1 (header) must be a header "
                          "line \"Name: value\\r\\n\", found string \"just text\\r\\n\""));
}

TEST(ScriptCheckTest, HeaderNameWithColon) {
  EXPECT_THAT(body_errors("remove_hf(\"X-Internal:\");"),
              ElementsAre("t.cfg:1:19: error: remove_hf() argument 1 (name) must be a header "
                          "name such as \"X-Foo\", found string \"X-Internal:\""));
}

TEST(ScriptCheckTest, LogLevelOutOfRange) {
  EXPECT_THAT(body_errors("log(7, \"x\");"),
              ElementsAre("t.cfg:1:13: error: log() argument 1 (level) must be a log level "
                          "between -3 and 4 (0 and below: errors, 4: debug), found 7"));
}

TEST(ScriptCheckTest, LogTextWithUnknownTlsFact) {
  EXPECT_THAT(body_errors("log(\"sni $tls_sni, cn $tls_peer_cn\");"),
              ElementsAre("t.cfg:1:13: error: unknown TLS fact '$tls_peer_cn' in log text"));
  EXPECT_THAT(body_errors("log(2, \"v=$tls_verison\");"),
              ElementsAre("t.cfg:1:16: error: unknown TLS fact '$tls_verison' in log text, did "
                          "you mean '$tls_version'?"));
}

TEST(ScriptCheckTest, RewriteUriThatIsNotASipUri) {
  EXPECT_THAT(body_errors("rewriteuri(\"alice@example.org\");"),
              ElementsAre("t.cfg:1:20: error: rewriteuri() argument 1 (uri) must be a SIP URI "
                          "(\"sip:...\" or \"sips:...\"), found string \"alice@example.org\""));
}

TEST(ScriptCheckTest, RewriteHostPortWithoutPort) {
  EXPECT_THAT(body_errors("rewritehostport(\"example.org\");"),
              ElementsAre("t.cfg:1:25: error: rewritehostport() argument 1 (hostport) must be "
                          "\"host:port\" with a port between 1 and 65535, found string "
                          "\"example.org\""));
}

TEST(ScriptCheckTest, ActionUsedAsCondition) {
  EXPECT_THAT(body_errors("if (forward()) drop;"),
              ElementsAre("t.cfg:1:13: error: forward() returns no value and cannot be used as "
                          "a condition"));
}

TEST(ScriptCheckTest, RouteCallUsedAsCondition) {
  EXPECT_THAT(check_errors("route { if (!route(A)) drop; }\nroute[A] { drop; }"),
              ElementsAre("t.cfg:1:14: error: route() returns no value and cannot be used as a "
                          "condition"));
}

// ---------------------------------------------------------------- routes

TEST(ScriptCheckTest, UnknownRouteWithSuggestion) {
  EXPECT_THAT(check_errors("route {\n  route(RELAI);\n}\nroute[RELAY] { forward(); }\n"),
              ElementsAre("t.cfg:2:9: error: unknown route 'RELAI', did you mean 'RELAY'?"));
}

TEST(ScriptCheckTest, UnknownRouteWithoutNearMiss) {
  EXPECT_THAT(body_errors("route(\"outbound\");"),
              ElementsAre("t.cfg:1:15: error: unknown route 'outbound'"));
}

TEST(ScriptCheckTest, RouteNameThatIsAField) {
  EXPECT_THAT(body_errors("route(uri:host);"),
              ElementsAre("t.cfg:1:15: error: route() argument 1 (name) must be a route name, "
                          "found 'uri:host'"));
}

TEST(ScriptCheckTest, RecursionBetweenRoutes) {
  EXPECT_THAT(check_errors("route { route(A); }\n"
                           "route[A] { if (af == INET) route(B); }\n"
                           "route[B] {\n  route(A);\n}\n"),
              ElementsAre("t.cfg:4:3: error: route recursion: A -> B -> A (route blocks may not "
                          "call each other in a cycle)"));
}

TEST(ScriptCheckTest, RouteCallingItself) {
  EXPECT_THAT(check_errors("route[LOOP] { log(\"again\"); route(LOOP); }"),
              ElementsAre("t.cfg:1:29: error: route recursion: LOOP -> LOOP (route blocks may "
                          "not call each other in a cycle)"));
}

// ---------------------------------------------------------------- onreply_route

TEST(ScriptCheckTest, RequestActionsAreRefusedInOnreplyRoute) {
  EXPECT_THAT(check_errors("onreply_route {\n"
                           "  forward();\n"
                           "  sl_send_reply(500, \"x\");\n"
                           "  record_route();\n"
                           "  rewritehost(\"a\");\n"
                           "  if (mf_process_maxfwd_header(10)) drop;\n"
                           "}\n"),
              ElementsAre("t.cfg:2:3: error: forward() is not allowed in onreply_route (it works "
                          "on requests only)",
                          "t.cfg:3:3: error: sl_send_reply() is not allowed in onreply_route (it "
                          "works on requests only)",
                          "t.cfg:4:3: error: record_route() is not allowed in onreply_route (it "
                          "works on requests only)",
                          "t.cfg:5:3: error: rewritehost() is not allowed in onreply_route (it "
                          "works on requests only)",
                          "t.cfg:6:7: error: mf_process_maxfwd_header() is not allowed in "
                          "onreply_route (it works on requests only)"));
}

// ---------------------------------------------------------------- comparisons

TEST(ScriptCheckTest, RegexThatDoesNotCompile) {
  EXPECT_THAT(body_errors("if (method =~ \"^(INVITE|ACK\") drop;"),
              ElementsAre("t.cfg:1:23: error: invalid regular expression \"^(INVITE|ACK\": "
                          "Unmatched ( or \\("));
  EXPECT_THAT(body_errors("if (uri =~ \"*@example\") drop;"),
              ElementsAre("t.cfg:1:20: error: invalid regular expression \"*@example\": Invalid "
                          "preceding regular expression"));
}

TEST(ScriptCheckTest, RegexThatIsNotAString) {
  EXPECT_THAT(body_errors("if (uri =~ myself) drop;"),
              ElementsAre("t.cfg:1:20: error: '=~' needs a regular expression in a string, found "
                          "'myself'"));
}

TEST(ScriptCheckTest, PortComparedWithText) {
  EXPECT_THAT(body_errors("if (src_port == \"abc\") drop;"),
              ElementsAre("t.cfg:1:25: error: src_port can only be compared with a port number "
                          "between 1 and 65535, found string \"abc\""));
}

TEST(ScriptCheckTest, PortComparisonOutOfRange) {
  EXPECT_THAT(body_errors("if (dst_port == 65536) drop;"),
              ElementsAre("t.cfg:1:25: error: dst_port can only be compared with a port number "
                          "between 1 and 65535, found 65536"));
}

TEST(ScriptCheckTest, UnknownProtocol) {
  EXPECT_THAT(body_errors("if (proto == SCTP) drop;"),
              ElementsAre("t.cfg:1:22: error: proto can only be compared with UDP, TCP or TLS, "
                          "found 'SCTP'"));
}

TEST(ScriptCheckTest, UnknownAddressFamily) {
  EXPECT_THAT(body_errors("if (af == INET7) drop;"),
              ElementsAre("t.cfg:1:19: error: af can only be compared with INET or INET6, found "
                          "'INET7'"));
}

TEST(ScriptCheckTest, NetworkPrefixTooLong) {
  EXPECT_THAT(body_errors("if (src_ip == 10.0.0.0/33) drop;"),
              ElementsAre("t.cfg:1:23: error: invalid network '10.0.0.0/33': the prefix length "
                          "must be between 0 and 32"));
  EXPECT_THAT(body_errors("if (dst_ip == [2001:db8::]/129) drop;"),
              ElementsAre("t.cfg:1:23: error: invalid network '2001:db8::/129': the prefix "
                          "length must be between 0 and 128"));
}

TEST(ScriptCheckTest, NetworkThatIsNotAnAddress) {
  EXPECT_THAT(body_errors("if (src_ip == 10.0.0.256) drop;"),
              ElementsAre("t.cfg:1:23: error: src_ip can only be compared with an IP address, a "
                          "network (address/prefix) or myself, found '10.0.0.256'"));
  EXPECT_THAT(body_errors("if (src_ip == proxy.example.org) drop;"),
              ElementsAre("t.cfg:1:23: error: src_ip can only be compared with an IP address, a "
                          "network (address/prefix) or myself, found 'proxy.example.org'"));
}

TEST(ScriptCheckTest, RegexOperatorOnANumber) {
  EXPECT_THAT(body_errors("if (msg:len =~ \"1\") drop;"),
              ElementsAre("t.cfg:1:13: error: '=~' cannot be used with msg:len: use ==, !=, <, "
                          ">, <= or >="));
}

TEST(ScriptCheckTest, OrderingOperatorOnText) {
  EXPECT_THAT(body_errors("if (method > \"A\") drop;"),
              ElementsAre("t.cfg:1:13: error: '>' cannot be used with method: use ==, != or =~"));
  EXPECT_THAT(body_errors("if (proto =~ \"tls\") drop;"),
              ElementsAre("t.cfg:1:13: error: '=~' cannot be used with proto: use == or !="));
}

TEST(ScriptCheckTest, UriComparedWithAnAddressWord) {
  EXPECT_THAT(body_errors("if (uri == 10.0.0.1) drop;"),
              ElementsAre("t.cfg:1:20: error: uri can only be compared with a string or myself, "
                          "found '10.0.0.1'"));
}

TEST(ScriptCheckTest, MethodComparedWithABareWord) {
  EXPECT_THAT(body_errors("if (method == INVITE) drop;"),
              ElementsAre("t.cfg:1:23: error: method can only be compared with a method name in "
                          "a string, such as \"INVITE\", found 'INVITE'"));
}

TEST(ScriptCheckTest, MessageLengthComparedWithText) {
  EXPECT_THAT(body_errors("if (msg:len > \"big\") drop;"),
              ElementsAre("t.cfg:1:23: error: msg:len can only be compared with a number, found "
                          "string \"big\""));
}

// ---------------------------------------------------------------- reporting

TEST(ScriptCheckTest, ReportsEveryProblemInFileOrder) {
  EXPECT_THAT(check_errors("route[Z] {\n  forwrd();\n}\n"
                           "route {\n  t_relay();\n  route(OUTBOUND);\n}\n"
                           "onreply_route {\n  forward();\n}\n"
                           "route[A] {\n  log(9, \"x\");\n}\n"),
              ElementsAre("t.cfg:2:3: error: unknown function 'forwrd', did you mean 'forward'?",
                          "t.cfg:5:3: error: t_relay() is not provided: ser is a stateless "
                          "proxy; use forward()",
                          "t.cfg:6:9: error: unknown route 'OUTBOUND'",
                          "t.cfg:9:3: error: forward() is not allowed in onreply_route (it works "
                          "on requests only)",
                          "t.cfg:12:7: error: log() argument 1 (level) must be a log level "
                          "between -3 and 4 (0 and below: errors, 4: debug), found 9"));
}

}  // namespace
}  // namespace cfg
