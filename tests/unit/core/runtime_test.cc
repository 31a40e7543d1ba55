// build_runtime: the one path from ser.cfg to the runtime objects that `ser -c`, start-up and
// reload share.
#include "core/runtime.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace core {
namespace {

namespace fs = std::filesystem;

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ser-runtime-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  CommandLine write(const std::string& text) {
    CommandLine cmd;
    cmd.config_file = (fs::path(dir_) / "ser.cfg").string();
    std::ofstream(cmd.config_file) << text;
    return cmd;
  }
  // What `ser -c` prints on stderr, and its exit code.
  std::pair<int, std::string> check(const CommandLine& cmd) {
    std::ostringstream out, err;
    int code = run_check(cmd, out, err);
    return {code, err.str()};
  }
  std::string dir_;
};

TEST_F(RuntimeTest, AValidConfigBuildsTheScriptAndATlsLessRuntime) {
  CommandLine cmd = write("listen = udp:127.0.0.1:5060\nroute { forward(uri:host, uri:port); }\n");
  cmd.children = 3;
  BuildResult built = build_runtime(cmd, 7);
  ASSERT_TRUE(built.ok()) << built.text();
  EXPECT_EQ(built.text(), "");
  EXPECT_EQ(built.runtime->generation, 7u);
  ASSERT_NE(built.runtime->script, nullptr);
  EXPECT_TRUE(built.runtime->script->has_main_route());
  ASSERT_NE(built.runtime->tls, nullptr);
  EXPECT_EQ(built.runtime->tls->server_factory(), nullptr);
  EXPECT_EQ(built.runtime->tls->client_factory(), nullptr);
  EXPECT_EQ(built.runtime->config.core.children, 3);  // the command line is applied
}

TEST_F(RuntimeTest, AScriptErrorGivesNoRuntimeAndTheSameTextAsCheck) {
  CommandLine cmd = write("listen = udp:127.0.0.1:5060\nroute {\n  route(nosuch);\n}\n");
  BuildResult built = build_runtime(cmd);
  EXPECT_FALSE(built.ok());
  EXPECT_EQ(built.text(), cmd.config_file + ":3:9: error: unknown route 'nosuch'\nser: " +
                              cmd.config_file + ": 1 error in the configuration\n");
  EXPECT_EQ(check(cmd), std::make_pair(kExitConfigError, built.text()));
}

TEST_F(RuntimeTest, AMissingFileIsOneErrorNamingIt) {
  CommandLine cmd;
  cmd.config_file = (fs::path(dir_) / "none.cfg").string();
  BuildResult built = build_runtime(cmd);
  EXPECT_FALSE(built.ok());
  EXPECT_EQ(built.diagnostics.error_count(), 1u);
  EXPECT_NE(built.text().find("none.cfg"), std::string::npos) << built.text();
}

TEST_F(RuntimeTest, ACommandLineListenAlreadyInTheFileIsAWarningNotAnError) {
  CommandLine cmd = write("listen = udp:127.0.0.1:5060\n");
  cfg::ListenConfig again;
  ASSERT_EQ(parse_listen_arg("udp:127.0.0.1:5060", &again), "");
  cmd.extra_listen.push_back(again);
  BuildResult built = build_runtime(cmd);
  ASSERT_TRUE(built.ok()) << built.text();
  EXPECT_EQ(built.text(), "ser: warning: -l udp:127.0.0.1:5060: already a listen socket of " +
                              cmd.config_file + "\n");
  EXPECT_EQ(built.runtime->config.core.listen.size(), 1u);
}

// Start-up would fail when it gives up root; -c must say so first, where the name was given.
TEST_F(RuntimeTest, AUserOrGroupThatDoesNotExistIsAnErrorWhereItWasSet) {
  CommandLine cmd = write("listen = udp:127.0.0.1:5060\nuser = \"no-such-user-ser\"\n");
  BuildResult built = build_runtime(cmd);
  EXPECT_FALSE(built.ok());
  EXPECT_EQ(built.diagnostics.first_error(),
            cmd.config_file + ":2:1: error: user 'no-such-user-ser' does not exist");
  cmd = write("listen = udp:127.0.0.1:5060\n");
  cmd.group = "no-such-group-ser";
  built = build_runtime(cmd);
  EXPECT_FALSE(built.ok());
  EXPECT_EQ(built.diagnostics.first_error(),
            "command line: error: group 'no-such-group-ser' does not exist");
}

#if SER_WITH_TLS
TEST_F(RuntimeTest, AMissingCertificateFailsTheBuildAsItFailsCheck) {
  CommandLine cmd = write("listen = tls:127.0.0.1:5061\ntls_certificate = \"" + dir_ +
                          "/nope.pem\"\ntls_private_key = \"" + dir_ + "/nope.key\"\n");
  BuildResult built = build_runtime(cmd);
  EXPECT_FALSE(built.ok());
  EXPECT_NE(built.text().find("nope.pem"), std::string::npos) << built.text();
  EXPECT_TRUE(built.text().ends_with(" in the configuration\n")) << built.text();
  EXPECT_EQ(check(cmd), std::make_pair(kExitConfigError, built.text()));
}
#endif

}  // namespace
}  // namespace core
