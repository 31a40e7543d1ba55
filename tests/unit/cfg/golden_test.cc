// Whole configurations under tests/unit/cfg/golden/: NAME.cfg with NAME.out (the model as a
// `-c`-like summary) or NAME.err (the diagnostics, exactly). Cases named tls_* need TLS; with
// TLS=0 NAME.notls.err is expected instead when it exists, else the case is skipped.
// SER_UPDATE_GOLDEN=1 rewrites the expected files (review the diff before committing).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cfg/value_parse.h"
#include "tests/unit/cfg/load_helper.h"

namespace cfg {
namespace {

namespace fs = std::filesystem;

const fs::path kGoldenDir = fs::path(SER_SOURCE_DIR) / "tests/unit/cfg/golden";

const char* yes_no(bool b) {
  return b ? "yes" : "no";
}

// Empty strings shown as "-" so that no golden line ends in a blank.
std::string shown(const std::string& s) {
  return s.empty() ? "-" : s;
}

std::string version_name(TlsVersion v) {
  switch (v) {
    case TlsVersion::kNone:
      return "-";
    case TlsVersion::kTls1_0:
      return "1.0";
    case TlsVersion::kTls1_1:
      return "1.1";
    case TlsVersion::kTls1_2:
      return "1.2";
    case TlsVersion::kTls1_3:
      return "1.3";
  }
  return "?";
}

void dump_settings(const TlsSettings& s, std::ostream& out) {
  out << "    method " << s.method.spelling << " [" << version_name(s.method.min) << ", "
      << version_name(s.method.max) << "]\n"
      << "    certificate " << shown(s.certificate) << "\n    private_key " << shown(s.private_key)
      << "\n"
      << "    ca_list " << shown(s.ca_list) << "\n    ca_path " << shown(s.ca_path) << "\n    crl "
      << shown(s.crl) << "\n    ciphers_list " << shown(s.ciphers_list) << "\n    ciphersuites "
      << shown(s.ciphersuites) << "\n    groups " << shown(s.groups) << "\n    dh_params "
      << shown(s.dh_params) << "\n    verify " << (s.verify ? yes_no(*s.verify) : "unset")
      << "\n    require_certificate " << yes_no(s.require_certificate) << "\n    verify_depth "
      << s.verify_depth << "\n    server_name " << shown(s.server_name)
      << "\n    handshake_timeout " << format_duration(s.handshake_timeout) << "\n    send_timeout "
      << format_duration(s.send_timeout) << "\n    session_cache " << yes_no(s.session_cache)
      << "\n    session_tickets " << yes_no(s.session_tickets) << "\n    renegotiation "
      << yes_no(s.renegotiation) << "\n    keylog_file " << shown(s.keylog_file) << "\n";
}

void dump_core(const CoreParams& c, std::ostream& out) {
  out << "children " << c.children << "\nlog_level " << c.log_level << "\nlog_stderror "
      << yes_no(c.log_stderror) << "\nmax_message_size " << c.max_message_size
      << "\ntcp_max_connections " << c.tcp_max_connections << "\ntcp_max_connections_per_ip "
      << c.tcp_max_connections_per_ip << "\ntcp_connection_lifetime "
      << format_duration(c.tcp_connection_lifetime) << "\ntcp_connect_timeout "
      << format_duration(c.tcp_connect_timeout) << "\ntcp_send_timeout "
      << format_duration(c.tcp_send_timeout) << "\ntcp_crlf_pong " << yes_no(c.tcp_crlf_pong)
      << "\nshm_mem_size " << c.shm_mem_size_mb << "\npkg_mem_size " << c.pkg_mem_size_mb
      << "\nctl_socket " << shown(c.ctl_socket) << "\nuser " << shown(c.user) << "\ngroup "
      << shown(c.group) << "\n";
}

std::string dump(const Config& c) {
  std::ostringstream out;
  out << "cfg_dir " << c.cfg_dir << "\n";
  for (const auto& l : c.effective_listen()) out << "listen " << l.to_string() << "\n";
  for (const auto& a : c.core.aliases) out << "alias " << a << "\n";
  dump_core(c.core, out);
  for (const auto& m : c.modules) out << "loadmodule " << m << "\n";
  out << "disable_tls " << yes_no(c.tls.disable_tls) << "\ntls_max_handshakes_per_ip "
      << c.tls.max_handshakes_per_ip << "\ntls_config " << shown(c.tls.config_file)
      << "\ntls_reload_on_change " << yes_no(c.tls.reload_on_change) << "\ntls defaults\n";
  dump_settings(c.tls.defaults, out);
  for (const auto& d : c.tls_domains) {
    out << "domain " << d.key() << " = " << d.describe() << " at " << d.loc.to_string()
        << "\n  overridden";
    for (const auto& o : d.overridden) out << " " << o;
    out << "\n";
    dump_settings(d.settings, out);
  }
  const RouteScript& s = c.script;
  if (s.main) out << "route at " << s.main->loc.to_string() << "\n";
  for (const auto& [name, block] : s.named)
    out << "route[" << name << "] at " << block.loc.to_string() << "\n";
  if (s.onreply) out << "onreply_route at " << s.onreply->loc.to_string() << "\n";
  return out.str();
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string hide_dir(std::string text) {
  const std::string dir = kGoldenDir.string();
  for (size_t at; (at = text.find(dir)) != std::string::npos;)
    text.replace(at, dir.size(), "GOLDEN");
  return text;
}

std::vector<std::string> golden_cases() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kGoldenDir))
    if (e.path().extension() == ".cfg") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, MatchesExpectedOutput) {
  const std::string name = GetParam();
  fs::path expected = kGoldenDir / (name + ".out");
  if (!fs::exists(expected)) expected = kGoldenDir / (name + ".err");
  if (!SER_WITH_TLS && name.starts_with("tls_")) {
    expected = kGoldenDir / (name + ".notls.err");
    if (!fs::exists(expected)) GTEST_SKIP() << name << " needs TLS";
  }
  Config config;
  Diagnostics diags;
  bool ok = load_config_file((kGoldenDir / (name + ".cfg")).string(), &config, &diags);
  std::string got;
  for (const auto& d : diags.all()) got += d.to_string() + "\n";
  if (expected.extension() == ".out") {
    EXPECT_TRUE(ok) << got;
    got += dump(config);
  } else {
    EXPECT_FALSE(ok);
  }
  got = hide_dir(got);
  if (std::getenv("SER_UPDATE_GOLDEN")) std::ofstream(expected) << got;
  EXPECT_EQ(got, read(expected)) << "golden file " << expected;
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTest, ::testing::ValuesIn(golden_cases()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace cfg
