// The Prometheus text format (0.0.4) written from ServerControl::metrics(): families, types,
// escaping, numbers; and promtool (Debian's prometheus package) accepting the result.
#include "core/control/prometheus_text.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

namespace core::control {
namespace {

Metric counter(std::string name, double value,
               std::vector<std::pair<std::string, std::string>> labels = {},
               std::string help = "help") {
  return Metric{std::move(name), std::move(labels), value, true, std::move(help)};
}

Metric gauge(std::string name, double value,
             std::vector<std::pair<std::string, std::string>> labels = {},
             std::string help = "help") {
  return Metric{std::move(name), std::move(labels), value, false, std::move(help)};
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

// Runs `promtool check metrics` over `text`; returns its exit code and output.
std::pair<int, std::string> promtool_check(const std::string& text) {
  auto dir = std::filesystem::temp_directory_path();
  std::string in = (dir / ("prom_in." + std::to_string(getpid()))).string();
  std::string out = (dir / ("prom_out." + std::to_string(getpid()))).string();
  std::ofstream(in) << text;
  std::string cmd = "promtool check metrics <" + in + " >" + out + " 2>&1";
  int status = std::system(cmd.c_str());
  std::ifstream f(out);
  std::string output((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::filesystem::remove(in);
  std::filesystem::remove(out);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

bool have_promtool() {
  return std::system("command -v promtool >/dev/null 2>&1") == 0;
}

TEST(PrometheusTextTest, EachFamilyHasHelpAndTypeOnceWithItsSamplesTogether) {
  std::string text = prometheus_text({
      gauge("connections", 3, {{"transport", "tls"}}, "Open connections"),
      counter("messages_in", 10, {{"transport", "udp"}}, "Messages received"),
      gauge("connections", 1, {{"transport", "tcp"}}, "Open connections"),
  });
  EXPECT_EQ(text,
            "# HELP ser_connections Open connections\n"
            "# TYPE ser_connections gauge\n"
            "ser_connections{transport=\"tls\"} 3\n"
            "ser_connections{transport=\"tcp\"} 1\n"
            "# HELP ser_messages_in_total Messages received\n"
            "# TYPE ser_messages_in_total counter\n"
            "ser_messages_in_total{transport=\"udp\"} 10\n");
}

TEST(PrometheusTextTest, CountersAreNamedTotalOnceAndGaugesAreNot) {
  std::string text = prometheus_text(
      {counter("reloads_total", 2), counter("drops", 5), gauge("pool_bytes", 4096)});
  EXPECT_NE(text.find("\nser_reloads_total 2\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("total_total"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE ser_drops_total counter\nser_drops_total 5\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE ser_pool_bytes gauge\nser_pool_bytes 4096\n"), std::string::npos)
      << text;
}

TEST(PrometheusTextTest, LabelValuesEscapeBackslashQuoteAndLineFeed) {
  EXPECT_EQ(prometheus_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  std::string text = prometheus_text(
      {gauge("tls_certificate_not_after_seconds", 1, {{"domain", "tls_domain[\"x\\y\"]\n"}})});
  EXPECT_NE(text.find("{domain=\"tls_domain[\\\"x\\\\y\\\"]\\n\"} 1\n"), std::string::npos) << text;
}

TEST(PrometheusTextTest, HelpEscapesBackslashAndLineFeedAndIsNeverEmpty) {
  std::string text = prometheus_text(
      {gauge("a_b", 1, {}, "one\\two\nthree \"q\""), gauge("pool_in_use_bytes", 2, {}, "")});
  EXPECT_NE(text.find("# HELP ser_a_b one\\\\two\\nthree \"q\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# HELP ser_pool_in_use_bytes pool in use bytes\n"), std::string::npos)
      << text;
}

TEST(PrometheusTextTest, NumbersAreWrittenAsPrometheusParsesThem) {
  EXPECT_EQ(prometheus_number(0), "0");
  EXPECT_EQ(prometheus_number(42), "42");
  EXPECT_EQ(prometheus_number(1798761600), "1798761600");  // a not-after timestamp, no exponent
  EXPECT_EQ(prometheus_number(18446744073709551615.0), "18446744073709551616");
  EXPECT_EQ(prometheus_number(0.25), "0.25");
  EXPECT_EQ(prometheus_number(-3.5), "-3.5");
  EXPECT_EQ(prometheus_number(1e300), "1e+300");
  EXPECT_EQ(prometheus_number(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(prometheus_number(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(prometheus_number(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(PrometheusTextTest, CharactersANameMayNotHoldBecomeUnderscores) {
  std::string text = prometheus_text({gauge("drops.by-reason", 1, {{"2nd label", "v"}})});
  EXPECT_NE(text.find("\nser_drops_by_reason{_nd_label=\"v\"} 1\n"), std::string::npos) << text;
}

TEST(PrometheusTextTest, ASampleOfAnotherTypeThanItsFamilyIsLeftOut) {
  // "x" as a counter and "x_total" as a gauge would share the family ser_x_total.
  std::string text = prometheus_text({counter("x", 1), gauge("x_total", 2)});
  EXPECT_EQ(count_of(text, "# TYPE"), 1u) << text;
  EXPECT_NE(text.find("ser_x_total 1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("ser_x_total 2\n"), std::string::npos) << text;
}

TEST(PrometheusTextTest, NoMetricsIsAnEmptyText) {
  EXPECT_EQ(prometheus_text({}), "");
}

// What a running ser exports, in shape: promtool parses it and its linter finds nothing.
TEST(PrometheusTextTest, PromtoolAcceptsTheText) {
  if (!have_promtool()) GTEST_SKIP() << "promtool not installed (tools/install-deps.sh test)";
  std::string text = prometheus_text({
      gauge("connections", 2, {{"transport", "tls"}, {"state", "open"}}, "Open connections"),
      gauge("connections", 0, {{"transport", "tcp"}, {"state", "handshake"}}, "Open connections"),
      counter("tls_handshakes", 7, {{"result", "done"}}, "TLS handshakes"),
      counter("tls_handshakes_failed", 1, {{"reason", "certificate verify failed"}}, "Failed"),
      counter("messages_in", 12, {{"transport", "udp"}}, "Messages received"),
      counter("drops", 0, {{"reason", "queue_full"}}, "Messages dropped"),
      counter("reloads", 3, {{"result", "ok"}}, "Reloads"),
      gauge("pool_in_use_bytes", 65536, {{"pool", "shm"}}, "Pool bytes in use"),
      gauge("tls_certificate_not_after_seconds", 1798761600,
            {{"domain", "tls_domain[127.0.0.1:5061, \"sip.example.org\"]"}},
            "Certificate notAfter \\ unix time\nper domain"),
      gauge("odd", std::numeric_limits<double>::infinity(), {}, ""),
  });
  auto [rc, output] = promtool_check(text);
  EXPECT_EQ(rc, 0) << output << "\n" << text;
  EXPECT_EQ(output, "") << text;
}

// The check itself can fail: a counter without `_total` is a lint problem for promtool.
TEST(PrometheusTextTest, PromtoolRejectsWhatTheFormatterAvoids) {
  if (!have_promtool()) GTEST_SKIP() << "promtool not installed (tools/install-deps.sh test)";
  auto [rc, output] = promtool_check("# HELP ser_x x\n# TYPE ser_x counter\nser_x 1\n");
  EXPECT_NE(rc, 0) << output;
}

}  // namespace
}  // namespace core::control
