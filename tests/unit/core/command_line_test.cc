// The `ser` command line: every flag, usage errors (exit 2), overrides, the -c summary.
#include "core/command_line.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace core {
namespace {

namespace fs = std::filesystem;

ParseResult parse(std::vector<const char*> args) {
  args.insert(args.begin(), "ser");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}

// The exit code and stderr text main would produce for a usage error.
std::pair<int, std::string> early_exit(const ParseResult& r) {
  std::ostringstream out, err;
  auto code = handle_early_exit(r, out, err);
  return {code.value_or(-1), err.str()};
}

TEST(CommandLineTest, NoFlagsRunsTheDefaultConfig) {
  ParseResult r = parse({});
  ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
  EXPECT_EQ(r.cmd.config_file, default_config_file());
  EXPECT_TRUE(r.cmd.config_file.ends_with("/ser.cfg")) << r.cmd.config_file;
  EXPECT_FALSE(r.cmd.check_only);
  EXPECT_FALSE(r.cmd.foreground);
  EXPECT_FALSE(r.cmd.log_stderr);
  EXPECT_EQ(r.cmd.debug_raise, 0);
  EXPECT_FALSE(r.cmd.children.has_value());
  EXPECT_TRUE(r.cmd.extra_listen.empty());
  std::ostringstream out, err;
  EXPECT_FALSE(handle_early_exit(r, out, err).has_value());
}

TEST(CommandLineTest, EveryFlagIsParsed) {
  ParseResult r = parse({"-f",
                         "/etc/ser/x.cfg",
                         "-c",
                         "-D",
                         "-E",
                         "-d",
                         "-d",
                         "-n",
                         "4",
                         "-l",
                         "tls:127.0.0.1:5062",
                         "-l",
                         "UDP:[::1]",
                         "-m",
                         "64",
                         "-M",
                         "8",
                         "-u",
                         "nobody",
                         "-g",
                         "nogroup",
                         "-P",
                         "/run/ser.pid"});
  ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
  const CommandLine& c = r.cmd;
  EXPECT_EQ(c.config_file, "/etc/ser/x.cfg");
  EXPECT_TRUE(c.check_only);
  EXPECT_TRUE(c.foreground);
  EXPECT_TRUE(c.log_stderr);
  EXPECT_EQ(c.debug_raise, 2);
  EXPECT_EQ(c.children, std::optional<int>(4));
  ASSERT_EQ(c.extra_listen.size(), 2u);
  EXPECT_EQ(c.extra_listen[0].to_string(), "tls:127.0.0.1:5062");
  EXPECT_EQ(c.extra_listen[1].to_string(), "udp:[::1]:5060");
  EXPECT_EQ(c.extra_listen[1].host_kind, cfg::HostKind::kIpv6);
  EXPECT_EQ(c.shm_mem_mb, std::optional<uint32_t>(64));
  EXPECT_EQ(c.pkg_mem_mb, std::optional<uint32_t>(8));
  EXPECT_EQ(c.user, "nobody");
  EXPECT_EQ(c.group, "nogroup");
  EXPECT_EQ(c.pid_file, "/run/ser.pid");
}

TEST(CommandLineTest, StickyShortFlagsAsSerAcceptsThem) {
  ParseResult r = parse({"-ddd", "-cD", "-n2", "-ffile.cfg"});
  ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
  EXPECT_EQ(r.cmd.debug_raise, 3);
  EXPECT_TRUE(r.cmd.check_only);
  EXPECT_TRUE(r.cmd.foreground);
  EXPECT_EQ(r.cmd.children, std::optional<int>(2));
  EXPECT_EQ(r.cmd.config_file, "file.cfg");
}

TEST(CommandLineTest, HelpPrintsUsageAndExitsZero) {
  for (const char* flag : {"-h", "--help"}) {
    ParseResult r = parse({"-c", flag});
    EXPECT_EQ(r.outcome, ParseOutcome::kHelp);
    std::ostringstream out, err;
    EXPECT_EQ(handle_early_exit(r, out, err), std::optional<int>(kExitOk));
    EXPECT_NE(out.str().find("Usage: ser [options]"), std::string::npos);
    EXPECT_NE(out.str().find("-l ADDR"), std::string::npos);
    EXPECT_EQ(err.str(), "");
  }
}

TEST(CommandLineTest, VersionSaysWhetherTlsIsBuiltIn) {
  ParseResult r = parse({"-V"});
  EXPECT_EQ(r.outcome, ParseOutcome::kVersion);
  std::ostringstream out, err;
  EXPECT_EQ(handle_early_exit(r, out, err), std::optional<int>(kExitOk));
  EXPECT_TRUE(out.str().starts_with("ser ")) << out.str();
#if SER_WITH_TLS
  EXPECT_NE(out.str().find("TLS support: yes"), std::string::npos);
  EXPECT_NE(out.str().find("OpenSSL"), std::string::npos);
#else
  EXPECT_NE(out.str().find("TLS support: no"), std::string::npos);
#endif
}

TEST(CommandLineTest, UnknownFlagIsAUsageError) {
  auto [code, err] = early_exit(parse({"-x"}));
  EXPECT_EQ(code, kExitUsage);
  EXPECT_TRUE(err.starts_with("ser: unrecognised option '-x'\n")) << err;
  EXPECT_NE(err.find("Usage: ser [options]"), std::string::npos);
}

TEST(CommandLineTest, MissingValueIsAUsageError) {
  auto [code, err] = early_exit(parse({"-n"}));
  EXPECT_EQ(code, kExitUsage);
  EXPECT_TRUE(err.starts_with("ser: the required argument for option '-n' is missing\n")) << err;
}

TEST(CommandLineTest, StrayArgumentIsAUsageError) {
  auto [code, err] = early_exit(parse({"-c", "etc/ser.cfg"}));
  EXPECT_EQ(code, kExitUsage);
  EXPECT_TRUE(
      err.starts_with("ser: unexpected argument 'etc/ser.cfg' (the configuration file is "
                      "given with -f FILE)\n"))
      << err;
}

TEST(CommandLineTest, LongOptionAbbreviationsAreNotGuessed) {
  EXPECT_EQ(parse({"--hel"}).outcome, ParseOutcome::kError);
}

TEST(CommandLineTest, ChildrenMustBeANumberInRange) {
  ParseResult r = parse({"-n", "abc"});
  EXPECT_EQ(r.outcome, ParseOutcome::kError);
  EXPECT_EQ(r.error, "option '-n' (children): expected a number from 1 to 1024, found 'abc'");
  EXPECT_EQ(parse({"-n", "0"}).outcome, ParseOutcome::kError);
  EXPECT_EQ(parse({"-n", "1025"}).outcome, ParseOutcome::kError);
  EXPECT_EQ(parse({"-n", "1024"}).outcome, ParseOutcome::kRun);
}

TEST(CommandLineTest, MemorySizesAreCheckedLikeTheConfigParameters) {
  ParseResult r = parse({"-m", "1"});
  EXPECT_EQ(r.outcome, ParseOutcome::kError);
  EXPECT_TRUE(r.error.starts_with("option '-m' (shm_mem_size): expected a number from "))
      << r.error;
  r = parse({"-M", "-5"});
  EXPECT_EQ(r.outcome, ParseOutcome::kError) << r.error;
  r = parse({"-M", "99999999999999"});
  EXPECT_EQ(r.outcome, ParseOutcome::kError) << r.error;
}

TEST(CommandLineTest, BadListenIsAUsageErrorWithTheListenParsersMessage) {
  ParseResult r = parse({"-l", "sctp:1.2.3.4:5060"});
  EXPECT_EQ(r.outcome, ParseOutcome::kError);
  EXPECT_TRUE(r.error.starts_with("option '-l': expected protocol udp, tcp or tls")) << r.error;
  EXPECT_EQ(parse({"-l", "udp:1.2.3.4:99999"}).outcome, ParseOutcome::kError);
}

TEST(CommandLineTest, EmptyFileNameIsAUsageError) {
  ParseResult r = parse({"-f", ""});
  EXPECT_EQ(r.outcome, ParseOutcome::kError);
  EXPECT_EQ(r.error, "option '-f' needs a non-empty value");
}

#if !SER_WITH_TLS
TEST(CommandLineTest, TlsListenWithoutTlsIsRefused) {
  ParseResult r = parse({"-l", "tls:127.0.0.1"});
  EXPECT_EQ(r.outcome, ParseOutcome::kError);
  EXPECT_NE(r.error.find("built without TLS"), std::string::npos) << r.error;
}
#endif

TEST(CommandLineTest, OverridesReplaceTheFileValues) {
  cfg::Config config;
  config.core.log_level = 2;
  cfg::ListenConfig file_listen;
  file_listen.host = "127.0.0.1";
  config.core.listen.push_back(file_listen);
  ParseResult r = parse({"-n", "3", "-l", "tcp:10.0.0.1:5070", "-m", "512", "-M", "32", "-u", "ser",
                         "-g", "sip", "-d", "-E"});
  ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
  apply_overrides(r.cmd, &config);
  EXPECT_EQ(config.core.children, 3);
  ASSERT_EQ(config.core.listen.size(), 2u);
  EXPECT_EQ(config.core.listen[0].to_string(), "udp:127.0.0.1:5060");
  EXPECT_EQ(config.core.listen[1].to_string(), "tcp:10.0.0.1:5070");
  EXPECT_EQ(config.core.shm_mem_size_mb, 512u);
  EXPECT_EQ(config.core.pkg_mem_size_mb, 32u);
  EXPECT_EQ(config.core.user, "ser");
  EXPECT_EQ(config.core.group, "sip");
  EXPECT_EQ(config.core.log_level, 3);
  EXPECT_TRUE(config.core.log_stderror);
}

TEST(CommandLineTest, DebugFlagsRaiseTheLevelUpToDebug) {
  cfg::Config config;
  config.core.log_level = 1;
  apply_overrides(parse({"-dddddd"}).cmd, &config);
  EXPECT_EQ(config.core.log_level, 4);
}

TEST(CommandLineTest, NoFlagsLeaveTheFileValuesAlone) {
  cfg::Config config;
  config.core.children = 7;
  config.core.user = "file-user";
  config.core.log_stderror = false;
  apply_overrides(parse({}).cmd, &config);
  EXPECT_EQ(config.core.children, 7);
  EXPECT_EQ(config.core.user, "file-user");
  EXPECT_EQ(config.core.log_level, 2);
  EXPECT_FALSE(config.core.log_stderror);
  EXPECT_TRUE(config.core.listen.empty());
}

TEST(CommandLineTest, SummaryListsListenersAndDomains) {
  cfg::Config config;
  config.main_file = "etc/ser.cfg";
  config.cfg_dir = "etc";
  cfg::ListenConfig tls;
  tls.proto = core::Transport::kTls;
  tls.host = "::1";
  tls.host_kind = cfg::HostKind::kIpv6;
  tls.port = 5061;
  config.core.listen.push_back(tls);
  cfg::TlsDomainConfig d;
  d.host = "::1";
  d.host_kind = cfg::HostKind::kIpv6;
  d.port = 5061;
  d.sni = "sip.example.org";
  d.settings.certificate = "certs/a.pem";
  d.settings.method.spelling = "TLSv1.3+";
  config.tls_domains.push_back(d);
  std::ostringstream out;
  print_summary(config, out);
  std::string s = out.str();
  EXPECT_TRUE(s.starts_with("ser: etc/ser.cfg: configuration OK\nlisten (1):\n  tls:[::1]:5061\n"))
      << s;
#if SER_WITH_TLS
  EXPECT_NE(s.find("tls domains (3):"), std::string::npos) << s;
  EXPECT_NE(s.find("server  default"), std::string::npos) << s;
  EXPECT_NE(s.find("etc/cert.pem"), std::string::npos) << s;  // the implicit default cert
  EXPECT_NE(s.find("client  default"), std::string::npos) << s;
  EXPECT_NE(s.find("server  [::1]:5061  sip.example.org  certs/a.pem"), std::string::npos) << s;
  EXPECT_NE(s.find("TLSv1.3+"), std::string::npos) << s;
#else
  EXPECT_NE(s.find("tls: not built in"), std::string::npos) << s;
#endif
}

TEST(CommandLineTest, SummaryWithoutListenShowsTheImplicitSocket) {
  cfg::Config config;
  config.main_file = "x.cfg";
  config.tls.disable_tls = true;
  std::ostringstream out;
  print_summary(config, out);
  EXPECT_NE(out.str().find("listen (1):\n  udp:0.0.0.0:5060\n"), std::string::npos) << out.str();
#if SER_WITH_TLS
  EXPECT_NE(out.str().find("tls: disabled"), std::string::npos) << out.str();
#endif
}

// ---- run_check against real files (the config loader) ----

class RunCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ser-cmdline-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = (fs::path(dir_) / name).string();
    std::ofstream(path) << text;
    return path;
  }
  int check(const std::string& path, std::vector<const char*> extra = {}) {
    std::vector<const char*> args = {"-c", "-f", path.c_str()};
    args.insert(args.end(), extra.begin(), extra.end());
    ParseResult r = parse(args);
    EXPECT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
    out_.str("");
    err_.str("");
    return run_check(r.cmd, out_, err_);
  }
  std::string dir_;
  std::ostringstream out_, err_;
};

TEST_F(RunCheckTest, ValidConfigPrintsTheSummaryAndExitsZero) {
  std::string path = write("ok.cfg", "listen = udp:127.0.0.1:5060\nchildren = 2\n");
  EXPECT_EQ(check(path, {"-l", "tcp:127.0.0.1:5070"}), kExitOk) << err_.str();
  EXPECT_NE(out_.str().find("configuration OK"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("  udp:127.0.0.1:5060\n  tcp:127.0.0.1:5070\n"), std::string::npos)
      << out_.str();
}

TEST_F(RunCheckTest, ListenGivenTwiceIsWarnedAboutAndKeptOnce) {
  std::string path = write("ok.cfg", "listen = udp:127.0.0.1:5060\n");
  EXPECT_EQ(check(path, {"-l", "udp:127.0.0.1:5060"}), kExitOk) << err_.str();
  EXPECT_EQ(err_.str(),
            "ser: warning: -l udp:127.0.0.1:5060: already a listen socket of " + path + "\n");
  EXPECT_NE(out_.str().find("listen (1):"), std::string::npos) << out_.str();
}

TEST_F(RunCheckTest, ErrorsArePrintedWithTheirLocationAndExitOne) {
  std::string path = write("bad.cfg", "listen = udp:127.0.0.1:5060\nchildern = 2\n");
  EXPECT_EQ(check(path), kExitConfigError);
  EXPECT_TRUE(err_.str().starts_with(path + ":2:1: error: ")) << err_.str();
  EXPECT_NE(err_.str().find("did you mean 'children'?"), std::string::npos) << err_.str();
  EXPECT_EQ(out_.str(), "");
}

TEST_F(RunCheckTest, MissingFileExitsOne) {
  EXPECT_EQ(check((fs::path(dir_) / "none.cfg").string()), kExitConfigError);
  EXPECT_NE(err_.str().find("error"), std::string::npos);
}

}  // namespace
}  // namespace core
