// Top-level ser.cfg parser: every global parameter, value types and ranges, and the errors a
// user sees for bad input (exact `file:line:col: error: message`).
#include <gtest/gtest.h>

#include "cfg/param_table.h"
#include "tests/unit/cfg/load_helper.h"

namespace cfg {
namespace {

using test::load_text;

// --- valid input -------------------------------------------------------------------------

TEST(ParserTest, EmptyConfigGivesDefaults) {
  auto r = load_text("# nothing but a comment\n/* and a\n block comment */\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.text(), "");
  const CoreParams& c = r.config.core;
  EXPECT_EQ(c.children, 0);
  EXPECT_EQ(c.log_level, 2);
  EXPECT_FALSE(c.log_stderror);
  EXPECT_EQ(c.max_message_size, 65535u);
  EXPECT_EQ(c.tcp_max_connections, 65536u);
  EXPECT_EQ(c.tcp_max_connections_per_ip, 1024u);
  EXPECT_EQ(c.tcp_connection_lifetime, Millis(120000));
  EXPECT_EQ(c.tcp_connect_timeout, Millis(5000));
  EXPECT_EQ(c.tcp_send_timeout, Millis(10000));
  EXPECT_EQ(c.tcp_msg_read_timeout, Millis(20000));
  EXPECT_TRUE(c.tcp_crlf_pong);
  EXPECT_EQ(c.shm_mem_size_mb, 256u);
  EXPECT_EQ(c.pkg_mem_size_mb, 16u);
  EXPECT_EQ(c.ctl_socket, "unix:/run/ser/ser.ctl");
  ASSERT_EQ(r.config.effective_listen().size(), 1u);
  EXPECT_EQ(r.config.effective_listen()[0].to_string(), "udp:0.0.0.0:5060");
}

TEST(ParserTest, EveryCoreParameter) {
  auto r = load_text(
      "listen = udp:127.0.0.1:5070\n"
      "listen = tcp:127.0.0.1\n"
      "alias = sip.example.org\n"
      "alias = \"example.org:5080\"\n"
      "children = 8\n"
      "log_level = 3\n"
      "log_stderror = yes\n"
      "max_message_size = 4096\n"
      "tcp_max_connections = 1000\n"
      "tcp_max_connections_per_ip = 300\n"
      "tcp_connection_lifetime = 300\n"
      "tcp_connect_timeout = 1500ms\n"
      "tcp_send_timeout = 3s\n"
      "tcp_crlf_pong = off\n"
      "shm_mem_size = 512\n"
      "pkg_mem_size = 32\n"
      "ctl_socket = \"unix:/run/ser/ser.ctl\"\n"
      "user = ser\n"
      "group = \"ser\"\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.text(), "");
  const CoreParams& c = r.config.core;
  ASSERT_EQ(c.listen.size(), 2u);
  EXPECT_EQ(c.listen[0].to_string(), "udp:127.0.0.1:5070");
  EXPECT_EQ(c.listen[1].to_string(), "tcp:127.0.0.1:5060");
  EXPECT_EQ(c.aliases, (std::vector<std::string>{"sip.example.org", "example.org:5080"}));
  EXPECT_EQ(c.children, 8);
  EXPECT_EQ(c.log_level, 3);
  EXPECT_TRUE(c.log_stderror);
  EXPECT_EQ(c.max_message_size, 4096u);
  EXPECT_EQ(c.tcp_max_connections, 1000u);
  EXPECT_EQ(c.tcp_max_connections_per_ip, 300u);
  EXPECT_EQ(c.tcp_connection_lifetime, Millis(300000));
  EXPECT_EQ(c.tcp_connect_timeout, Millis(1500));
  EXPECT_EQ(c.tcp_send_timeout, Millis(3000));
  EXPECT_FALSE(c.tcp_crlf_pong);
  EXPECT_EQ(c.shm_mem_size_mb, 512u);
  EXPECT_EQ(c.pkg_mem_size_mb, 32u);
  EXPECT_EQ(c.ctl_socket, "unix:/run/ser/ser.ctl");
  EXPECT_EQ(c.user, "ser");
  EXPECT_EQ(c.group, "ser");
}

TEST(ParserTest, TheMemoryGuardsMarksArePercents) {
  EXPECT_EQ(load_text("").config.core.shm_high_water, 90u);
  EXPECT_EQ(load_text("").config.core.shm_low_water, 80u);
  auto r = load_text("shm_high_water = 95\nshm_low_water = 60\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.shm_high_water, 95u);
  EXPECT_EQ(r.config.core.shm_low_water, 60u);
}

TEST(ParserTest, DebugIsAnAliasOfLogLevel) {
  auto r = load_text("debug = 4\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.log_level, 4);
}

TEST(ParserTest, EveryBooleanSpelling) {
  for (const char* yes : {"yes", "on", "true", "1", "YES", "True"}) {
    auto r = load_text(std::string("log_stderror = ") + yes + "\n");
    ASSERT_TRUE(r.ok) << yes << r.text();
    EXPECT_TRUE(r.config.core.log_stderror) << yes;
  }
  for (const char* no : {"no", "off", "false", "0", "\"no\""}) {
    auto r = load_text(std::string("tcp_crlf_pong = ") + no + "\n");
    ASSERT_TRUE(r.ok) << no << r.text();
    EXPECT_FALSE(r.config.core.tcp_crlf_pong) << no;
  }
}

TEST(ParserTest, NumbersMayBeQuotedAsInOldConfigs) {
  auto r = load_text("children = \"4\"\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.children, 4);
}

TEST(ParserTest, DurationUnits) {
  auto r = load_text(
      "tcp_connection_lifetime = 30\ntcp_connect_timeout = 250ms\n"
      "tcp_send_timeout = 7s\ntcp_msg_read_timeout = 5\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.tcp_msg_read_timeout, Millis(5000));
  EXPECT_EQ(r.config.core.tcp_connection_lifetime, Millis(30000));
  EXPECT_EQ(r.config.core.tcp_connect_timeout, Millis(250));
  EXPECT_EQ(r.config.core.tcp_send_timeout, Millis(7000));
}

TEST(ParserTest, SemicolonsAndSeveralStatementsOnALine) {
  auto r = load_text("children = 2; log_level = 1;\nuser = ser ; # comment\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.children, 2);
  EXPECT_EQ(r.config.core.log_level, 1);
  EXPECT_EQ(r.config.core.user, "ser");
}

TEST(ParserTest, StringEscapes) {
  auto r = load_text("user = \"a\\\"b\\\\c\"\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.user, "a\"b\\c");
}

TEST(ParserTest, LaterValueWinsWithAWarning) {
  auto r = load_text("children = 2\nchildren = 3\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.children, 3);
  EXPECT_EQ(r.text(),
            "t.cfg:2:1: warning: 'children' is set again; the value from t.cfg:1:1 is replaced\n");
}

TEST(ParserTest, RouteBlocksAreStored) {
  auto r = load_text(
      "route {\n  forward();\n}\n"
      "route[OUT] { forward(); }\n"
      "route[\"quoted\"]\n{ forward(); }\n"
      "onreply_route { log(\"reply\"); }\n");
  ASSERT_TRUE(r.ok) << r.text();
  ASSERT_TRUE(r.config.script.main.has_value());
  EXPECT_EQ(r.config.script.main->loc.to_string(), "t.cfg:1:1");
  EXPECT_EQ(r.config.script.named.count("OUT"), 1u);
  EXPECT_EQ(r.config.script.named.count("quoted"), 1u);
  EXPECT_EQ(r.config.script.named.at("OUT").loc.to_string(), "t.cfg:4:1");
  ASSERT_TRUE(r.config.script.onreply.has_value());
  EXPECT_EQ(r.config.script.onreply->loc.to_string(), "t.cfg:7:1");
}

TEST(ParserTest, RouteZeroIsTheMainRouteAsInSer) {
  auto r = load_text("route[0] { forward(); }\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_TRUE(r.config.script.main.has_value());
  EXPECT_TRUE(r.config.script.named.empty());
}

TEST(ParserTest, ParametersAfterRouteBlocksAreRead) {
  auto r = load_text("route { forward(); }\nchildren = 5\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.children, 5);
}

TEST(ParserTest, TableHasEveryParameterOfConfigMd) {
  for (const char* name : {"listen",
                           "alias",
                           "children",
                           "debug",
                           "log_level",
                           "log_stderror",
                           "max_message_size",
                           "tcp_max_connections",
                           "tcp_max_connections_per_ip",
                           "tcp_connection_lifetime",
                           "tcp_connect_timeout",
                           "tcp_send_timeout",
                           "tcp_msg_read_timeout",
                           "tcp_crlf_pong",
                           "tcp_accept_aliases",
                           "shm_mem_size",
                           "pkg_mem_size",
                           "udp_rcvbuf",
                           "udp_sndbuf",
                           "shm_high_water",
                           "shm_low_water",
                           "ctl_socket",
                           "user",
                           "group",
                           "disable_tls",
                           "tls_method",
                           "tls_certificate",
                           "tls_private_key",
                           "tls_ca_list",
                           "tls_ca_path",
                           "tls_crl",
                           "tls_ciphers_list",
                           "tls_ciphersuites",
                           "tls_groups",
                           "tls_curves",
                           "tls_dh_params",
                           "tls_verify",
                           "tls_require_certificate",
                           "tls_verify_depth",
                           "tls_server_name",
                           "tls_handshake_timeout",
                           "tls_send_timeout",
                           "tls_max_handshakes_per_ip",
                           "tls_session_cache",
                           "tls_session_tickets",
                           "tls_renegotiation",
                           "tls_keylog_file",
                           "tls_config",
                           "tls_reload_on_change",
                           "tls_builtin_key_methods"}) {
    EXPECT_NE(find_param(name), nullptr) << name;
  }
  for (const char* global :
       {"disable_tls", "tls_max_handshakes_per_ip", "tls_config", "tls_reload_on_change",
        "tls_builtin_key_methods", "children", "listen"}) {
    EXPECT_FALSE(find_param(global)->domain_ok()) << global;
  }
  EXPECT_EQ(find_param("tls_curves")->canonical, "tls_groups");
  EXPECT_EQ(find_param("debug")->canonical, "log_level");
}

// --- errors ------------------------------------------------------------------------------

struct ErrorCase {
  const char* text;
  const char* error;  // first error, exactly
};

class ParserErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParserErrorTest, ReportsExactLocationAndMessage) {
  auto r = load_text(GetParam().text);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_error(), GetParam().error) << r.text();
}

INSTANTIATE_TEST_SUITE_P(
    Core, ParserErrorTest,
    ::testing::Values(
        ErrorCase{"childern = 4\n",
                  "t.cfg:1:1: error: unknown parameter 'childern', did you mean 'children'?"},
        ErrorCase{"\n  frobnicate = 1\n", "t.cfg:2:3: error: unknown parameter 'frobnicate'"},
        ErrorCase{"children 4\n", "t.cfg:1:10: error: expected '=' after 'children', found '4'"},
        ErrorCase{"children\nuser = x\n",
                  "t.cfg:1:9: error: expected '=' after 'children', found end of line"},
        ErrorCase{"children =\nuser = x\n",
                  "t.cfg:1:11: error: expected a value for 'children', found end of line"},
        ErrorCase{"children = ;\n",
                  "t.cfg:1:12: error: expected a value for 'children', found ';'"},
        ErrorCase{"children = many\n",
                  "t.cfg:1:12: error: invalid value for 'children': expected an integer from 1 "
                  "to 1024, found 'many'"},
        ErrorCase{"children = 0\n",
                  "t.cfg:1:12: error: invalid value for 'children': expected an integer from 1 "
                  "to 1024, found '0'"},
        ErrorCase{"tcp_max_connections_per_ip = 0\n",
                  "t.cfg:1:30: error: invalid value for 'tcp_max_connections_per_ip': expected an "
                  "integer from 1 to 65535, found '0'"},
        ErrorCase{"tcp_max_connections_per_ip = 65536\n",
                  "t.cfg:1:30: error: invalid value for 'tcp_max_connections_per_ip': expected an "
                  "integer from 1 to 65535, found '65536'"},
        ErrorCase{"udp_rcvbuf = 2000000000\n",
                  "t.cfg:1:14: error: invalid value for 'udp_rcvbuf': expected an integer from 0 "
                  "to 1073741824, found '2000000000'"},
        ErrorCase{"udp_sndbuf = -1\n",
                  "t.cfg:1:14: error: invalid value for 'udp_sndbuf': expected an integer from 0 "
                  "to 1073741824, found '-1'"},
        ErrorCase{"shm_high_water = 101\n",
                  "t.cfg:1:18: error: invalid value for 'shm_high_water': expected an integer "
                  "from 10 to 100, found '101'"},
        ErrorCase{"shm_low_water = 0\n",
                  "t.cfg:1:17: error: invalid value for 'shm_low_water': expected an integer "
                  "from 5 to 99, found '0'"},
        ErrorCase{"shm_high_water = 70\nshm_low_water = 75\n",
                  "t.cfg:2:1: error: shm_low_water (75) must be below shm_high_water (70)"},
        ErrorCase{"shm_high_water = 70\n",
                  "t.cfg:1:1: error: shm_low_water (80) must be below shm_high_water (70)"},
        ErrorCase{"debug = 9\n",
                  "t.cfg:1:9: error: invalid value for 'debug': expected an integer from 0 to 4, "
                  "found '9'"},
        ErrorCase{"max_message_size = 99999999999999999999\n",
                  "t.cfg:1:20: error: invalid value for 'max_message_size': expected an integer "
                  "from 1024 to 16777216, found '99999999999999999999'"},
        ErrorCase{"log_stderror = maybe\n",
                  "t.cfg:1:16: error: invalid value for 'log_stderror': expected a boolean (yes, "
                  "no, on, off, true, false, 1, 0), found 'maybe'"},
        ErrorCase{"tcp_connect_timeout = 5min\n",
                  "t.cfg:1:23: error: invalid value for 'tcp_connect_timeout': expected a "
                  "duration from 100ms to 600s (like 30, 30s or 500ms; a bare number means "
                  "seconds), found '5min'"},
        ErrorCase{"tcp_connection_lifetime = 0\n",
                  "t.cfg:1:27: error: invalid value for 'tcp_connection_lifetime': expected a "
                  "duration from 1s to 86400s (like 30, 30s or 500ms; a bare number means "
                  "seconds), found '0'"},
        ErrorCase{"tcp_msg_read_timeout = 601\n",
                  "t.cfg:1:24: error: invalid value for 'tcp_msg_read_timeout': expected a "
                  "duration from 1s to 600s (like 30, 30s or 500ms; a bare number means "
                  "seconds), found '601'"},
        ErrorCase{"ctl_socket = \"\"\n",
                  "t.cfg:1:14: error: invalid value for 'ctl_socket': expected unix:/PATH or "
                  "tcp:IP:PORT, found ''"},
        ErrorCase{"ctl_socket = \"tcp:localhost:2049\"\n",
                  "t.cfg:1:14: error: invalid value for 'ctl_socket': expected unix:/PATH or "
                  "tcp:IP:PORT (a numeric address and a port), found 'tcp:localhost:2049'"},
        ErrorCase{"ctl_socket = \"tcp:127.0.0.1\"\n",
                  "t.cfg:1:14: error: invalid value for 'ctl_socket': expected unix:/PATH or "
                  "tcp:IP:PORT (a numeric address and a port), found 'tcp:127.0.0.1'"},
        ErrorCase{"ctl_socket = \"unix:\"\n",
                  "t.cfg:1:14: error: invalid value for 'ctl_socket': expected unix:/PATH or "
                  "tcp:IP:PORT, found 'unix:' without a path"},
        ErrorCase{"children = 4 5\n",
                  "t.cfg:1:14: error: expected end of line after the value of 'children', found "
                  "'5'"},
        ErrorCase{"user = \"ser\n", "t.cfg:1:8: error: unterminated string (missing closing '\"')"},
        ErrorCase{"user = \"s\\qr\"\n",
                  "t.cfg:1:10: error: unknown escape '\\q' in string (use \\\" \\\\ \\n \\r \\t)"},
        ErrorCase{"= 4\n",
                  "t.cfg:1:1: error: expected a parameter name, a block or include_file, found "
                  "'='"},
        ErrorCase{"children = 4\n/* never closed\n",
                  "t.cfg:2:1: error: unterminated block comment (opened here)"},
        ErrorCase{"route { forward(); }\nroute { forward(); }\n",
                  "t.cfg:2:1: error: duplicate 'route' block"},
        ErrorCase{"route[A] { forward(); }\nroute[A] { forward(); }\n",
                  "t.cfg:2:1: error: duplicate 'route[A]' block"},
        ErrorCase{"onreply_route { log(\"a\"); }\nonreply_route { log(\"b\"); }\n",
                  "t.cfg:2:1: error: duplicate 'onreply_route' block"},
        ErrorCase{"route forward();\n",
                  "t.cfg:1:7: error: expected '{' after 'route', found 'forward'"},
        ErrorCase{"route[] { forward(); }\n",
                  "t.cfg:1:7: error: expected a route name after 'route[', found ']'"},
        ErrorCase{"route[A B] { forward(); }\n",
                  "t.cfg:1:9: error: expected ']' after the route name, found 'B'"},
        ErrorCase{"failure_route[1] {\n  forward();\n}\n",
                  "t.cfg:1:1: error: 'failure_route' blocks are not supported: ser is a "
                  "stateless proxy (expected route, route[NAME] or onreply_route)"},
        ErrorCase{"modparam(\"sl\", \"x\", 1)\n",
                  "t.cfg:1:1: error: 'modparam' is not supported: ser's functions are built in "
                  "and take no module parameters"},
        ErrorCase{"loadmodule\nuser = x\n",
                  "t.cfg:1:11: error: expected a module name after 'loadmodule', found end of "
                  "line"}));

TEST(ParserTest, DuplicateRouteHasANoteAtTheFirst) {
  auto r = load_text("route[A] { forward(); }\nchildren = 2\nroute[A] { forward(); }\n");
  EXPECT_EQ(r.text(),
            "t.cfg:3:1: error: duplicate 'route[A]' block\n"
            "t.cfg:1:1: note: 'route[A]' was first defined here\n");
}

TEST(ParserTest, SeveralErrorsInOneRun) {
  auto r = load_text(
      "childern = 4\n"
      "log_level = 7\n"
      "children = 4\n"
      "tcp_crlf_pong = maybe extra\n"
      "user ser\n"
      "group = ser\n");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.diags.error_count(), 4u);
  EXPECT_EQ(r.text(),
            "t.cfg:1:1: error: unknown parameter 'childern', did you mean 'children'?\n"
            "t.cfg:2:13: error: invalid value for 'log_level': expected an integer from 0 to 4, "
            "found '7'\n"
            "t.cfg:4:17: error: invalid value for 'tcp_crlf_pong': expected a boolean (yes, no, "
            "on, off, true, false, 1, 0), found 'maybe'\n"
            "t.cfg:5:6: error: expected '=' after 'user', found 'ser'\n");
  // The good lines around the bad ones were still read.
  EXPECT_EQ(r.config.core.children, 4);
  EXPECT_EQ(r.config.core.group, "ser");
}

TEST(ParserTest, RecoversAfterABadBlockHeader) {
  auto r = load_text("failure_route[1] {\n  children = 99\n}\nchildren = 3\n");
  EXPECT_EQ(r.diags.error_count(), 1u) << r.text();
  EXPECT_EQ(r.config.core.children, 3);
}

TEST(ParserTest, UnknownNameFollowedByABlockSkipsTheBlock) {
  auto r = load_text("rout {\n  forward();\n}\nchildren = 3\n");
  EXPECT_EQ(r.text(), "t.cfg:1:1: error: unknown parameter 'rout', did you mean 'route'?\n");
  EXPECT_EQ(r.config.core.children, 3);
}

TEST(ParserTest, WindowsLineEndingsAndTabs) {
  auto r = load_text("children\t=\t4\r\nuser = ser\r\nroute\r\n{\r\n\tforward();\r\n}\r\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.children, 4);
  EXPECT_EQ(r.config.core.user, "ser");
  EXPECT_TRUE(r.config.script.main.has_value());
}

TEST(ParserTest, DoubleEqualsIsNotAnAssignment) {
  auto r = load_text("children == 4\n");
  EXPECT_EQ(r.first_error(), "t.cfg:1:10: error: expected '=' after 'children', found '=='");
}

TEST(ParserTest, LoadModuleOfABuiltinIsAccepted) {
  auto r = load_text("loadmodule \"sl.so\"\nloadmodule \"/usr/lib/ser/modules/maxfwd.so\"\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.modules, (std::vector<std::string>{"sl.so", "maxfwd.so"}));
}

TEST(ParserTest, LoadModuleOfAnythingElseIsRefusedNamingTheBuiltins) {
  auto r = load_text("loadmodule \"sl.so\"\nloadmodule \"tm.so\"\n");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.diags.error_count(), 1u);
  const std::string e = r.first_error();
  EXPECT_TRUE(
      e.starts_with("t.cfg:2:12: error: loadmodule 'tm.so': ser has no loadable modules, "
                    "its functions are built in; expected one of the built-in modules ("))
      << e;
  EXPECT_NE(e.find("sl.so"), std::string::npos) << e;
  EXPECT_TRUE(e.ends_with("), found 'tm.so'")) << e;
}

TEST(ParserTest, ApiReturnsFalseAndAnErrorForAMissingMainFile) {
  Config config;
  Diagnostics diags;
  EXPECT_FALSE(load_config_file("/nonexistent/dir/ser.cfg", &config, &diags));
  EXPECT_EQ(diags.first_error(),
            "/nonexistent/dir/ser.cfg: error: cannot read config file: No such file or directory");
}

}  // namespace
}  // namespace cfg
