// effective_parameters: every global parameter's value in effect, as ser.cfg spells it (what
// `serctl cfg` shows).
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "cfg/param_table.h"
#include "tests/unit/cfg/load_helper.h"

namespace cfg {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

std::string value_of(const Params& params, const std::string& name) {
  std::string found = "(absent)";
  for (const auto& [n, v] : params)
    if (n == name) found = v;
  return found;
}

TEST(EffectiveParamsTest, AnEmptyConfigShowsTheDocumentedDefaults) {
  test::Loaded r = test::load_text("");
  ASSERT_TRUE(r.ok) << r.text();
  Params p = effective_parameters(r.config);
  EXPECT_EQ(value_of(p, "listen"), "udp:0.0.0.0:5060");  // the implicit socket
  EXPECT_EQ(value_of(p, "children"),
            std::to_string(std::max(1u, std::thread::hardware_concurrency())));
  EXPECT_EQ(value_of(p, "log_level"), "2");
  EXPECT_EQ(value_of(p, "log_stderror"), "no");
  EXPECT_EQ(value_of(p, "max_message_size"), "65535");
  EXPECT_EQ(value_of(p, "tcp_max_connections"), "65536");
  EXPECT_EQ(value_of(p, "tcp_connect_timeout"), "5s");
  EXPECT_EQ(value_of(p, "tcp_connection_lifetime"), "120s");
  EXPECT_EQ(value_of(p, "tcp_crlf_pong"), "yes");
  EXPECT_EQ(value_of(p, "tcp_accept_aliases"), "no");
  EXPECT_EQ(value_of(p, "shm_mem_size"), "256");
  EXPECT_EQ(value_of(p, "pkg_mem_size"), "16");
  EXPECT_EQ(value_of(p, "shm_high_water"), "90");
  EXPECT_EQ(value_of(p, "shm_low_water"), "80");
  EXPECT_EQ(value_of(p, "user"), "\"\"");
  EXPECT_EQ(value_of(p, "debug"), "(absent)");  // an alias of log_level
  if (kWithTls) {
    EXPECT_EQ(value_of(p, "tls_method"), "TLSv1.2+");
    EXPECT_EQ(value_of(p, "tls_handshake_timeout"), "30s");
    EXPECT_EQ(value_of(p, "tls_max_handshakes_per_ip"), "64");
    EXPECT_EQ(value_of(p, "tls_verify"), "(unset: no for servers, yes for clients)");
    EXPECT_EQ(value_of(p, "tls_curves"), "(absent)");  // an alias of tls_groups
  } else {
    EXPECT_EQ(value_of(p, "tls_method"), "(absent)");
  }
}

TEST(EffectiveParamsTest, EveryCanonicalParameterAppearsOnceAndListsOncePerElement) {
  test::Loaded r = test::load_text(
      "listen = udp:127.0.0.1:5060\nlisten = tcp:127.0.0.1:5060\nalias = a.example\n"
      "alias = b.example:5070\n");
  ASSERT_TRUE(r.ok) << r.text();
  std::map<std::string, int> seen;
  for (const auto& [n, v] : effective_parameters(r.config)) ++seen[n];
  for (const auto& spec : param_table()) {
    if (spec.name != spec.canonical || (spec.tls_only() && !kWithTls)) continue;
    int expected = spec.repeatable ? 2 : 1;
    EXPECT_EQ(seen[std::string(spec.name)], expected) << spec.name;
  }
}

TEST(EffectiveParamsTest, SetValuesAreShownAsTheFileSpellsThem) {
  std::string text =
      "children = 3\ntcp_connect_timeout = 1500ms\ntcp_send_timeout = 7\nlog_stderror = on\n"
      "user = \"ser\"\nalias = sip.example.org\n";
  if (kWithTls) text += "tls_method = TLSv1.3\ntls_verify = yes\n";
  test::Loaded r = test::load_text(text);
  ASSERT_TRUE(r.ok) << r.text();
  Params p = effective_parameters(r.config);
  EXPECT_EQ(value_of(p, "children"), "3");
  EXPECT_EQ(value_of(p, "tcp_connect_timeout"), "1500ms");
  EXPECT_EQ(value_of(p, "tcp_send_timeout"), "7s");
  EXPECT_EQ(value_of(p, "log_stderror"), "yes");
  EXPECT_EQ(value_of(p, "user"), "\"ser\"");
  EXPECT_EQ(value_of(p, "alias"), "sip.example.org");
  if (kWithTls) {
    EXPECT_EQ(value_of(p, "tls_method"), "TLSv1.3");
    EXPECT_EQ(value_of(p, "tls_verify"), "yes");
  }
}

// `name = value` lines made of the output load back to the same values: what serctl cfg
// shows can be pasted into ser.cfg. Unset values (`""`, tls_verify's note) are left out.
TEST(EffectiveParamsTest, TheOutputWrittenAsSerCfgLoadsBackToTheSameValues) {
  test::Loaded first = test::load_text(
      "children = 5\ntcp_msg_read_timeout = 2500ms\nmax_message_size = 4096\n"
      "listen = tcp:127.0.0.1:5080\nalias = x.example\n");
  ASSERT_TRUE(first.ok) << first.text();
  Params before = effective_parameters(first.config);
  std::string text;
  for (const auto& [n, v] : before)
    if (v != "\"\"" && !v.starts_with("(")) text += n + " = " + v + "\n";
  test::Loaded second = test::load_text(text);
  ASSERT_TRUE(second.ok) << second.text() << text;
  EXPECT_EQ(effective_parameters(second.config), before) << text;
}

}  // namespace
}  // namespace cfg
