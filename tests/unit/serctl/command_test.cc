#include "tools/serctl/command.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <sstream>

#include "core/control/control_server.h"
#include "tests/unit/control/fake_server_control.h"

namespace serctl {
namespace {

// serctl's commands against a control server answering with canned data.
class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/serctl-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    options_.address = {cfg::ControlAddress::Kind::kUnix, dir_ + "/ser.ctl", "", 0};
    options_.timeout = std::chrono::seconds(5);
    server_ = std::make_unique<core::control::ControlServer>(fake_);
    std::string error;
    ASSERT_TRUE(server_->open(options_.address, {}, &error)) << error;
    ASSERT_TRUE(server_->start(&error)) << error;
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Runs `words` as serctl would; the exit code, with stdout and stderr in out_ and err_.
  int run(const std::vector<std::string>& words) {
    out_.str("");
    err_.str("");
    std::string error;
    auto command = parse_command(words, &error);
    if (!command) {
      err_ << error;
      return kExitUsage;
    }
    return run_command(*command, options_, out_, err_);
  }

  core::control::testing::FakeServerControl fake_;
  std::unique_ptr<core::control::ControlServer> server_;
  RunOptions options_;
  std::string dir_;
  std::ostringstream out_, err_;
};

TEST_F(CommandTest, EachCommandPrintsATableByDefault) {
  EXPECT_EQ(run({"tls", "list"}), kExitOk);
  EXPECT_NE(out_.str().find("TLS_AES_256_GCM_SHA384"), std::string::npos) << out_.str();
  EXPECT_EQ(run({"tls", "info"}), kExitOk);
  EXPECT_NE(out_.str().find("DNS:sip.example.org"), std::string::npos) << out_.str();
  EXPECT_EQ(run({"ps"}), kExitOk);
  EXPECT_NE(out_.str().find("POOL BUDGET"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("127.0.0.1:40000"), std::string::npos) << out_.str();
  EXPECT_EQ(run({"stats"}), kExitOk);
  EXPECT_NE(out_.str().find("tls_handshakes{result=\"failed\"}"), std::string::npos);
  EXPECT_EQ(run({"cfg"}), kExitOk);
  EXPECT_NE(out_.str().find("children"), std::string::npos);
  EXPECT_EQ(run({"reload"}), kExitOk);
  EXPECT_EQ(out_.str(), "reload ok: generation 2 in service; changed: tls domains\n");
  EXPECT_EQ(fake_.last_scope, core::control::ReloadScope::kAll);
  EXPECT_EQ(run({"tls", "reload"}), kExitOk);
  EXPECT_EQ(fake_.last_scope, core::control::ReloadScope::kTlsOnly);
}

TEST_F(CommandTest, JsonPrintsTheResultAndPsNamesItsTwoParts) {
  options_.json = true;
  EXPECT_EQ(run({"tls", "list"}), kExitOk);
  Json list = Json::parse(out_.str());
  ASSERT_TRUE(list.is_array());
  EXPECT_EQ(list[0]["sni"], "sip.example.org");
  EXPECT_EQ(run({"ps"}), kExitOk);
  Json ps = Json::parse(out_.str());
  EXPECT_EQ(ps["workers"].size(), 2u);
  EXPECT_EQ(ps["connections"].size(), 2u);
  EXPECT_EQ(run({"stats", "pool"}), kExitOk);
  EXPECT_EQ(Json::parse(out_.str()).size(), 1u);
}

TEST_F(CommandTest, MemPrintsEachPoolThenTheGuard) {
  EXPECT_EQ(run({"mem"}), kExitOk);
  EXPECT_EQ(out_.str(),
            "POOL  WORKER  IN USE  PEAK   BUDGET  ALLOCATIONS  FAILURES\n"
            "shm        -    4096  8192  1048576           10         0\n"
            "pkg        0     100   200     1000            5         1\n"
            "\n"
            "FIGURE                                    VALUE\n"
            "openssl in shm (bytes)                     2048\n"
            "libevent in shm (bytes)                     512\n"
            "tls connections                               1\n"
            "shm per tls connection (bytes, average)    2560\n"
            "guard high water (bytes)                 943718\n"
            "guard low water (bytes)                  838860\n"
            "guard refusing                              YES\n"
            "refused connections                           7\n"
            "refused outbound connections                  2\n"
            "allocation drops                              3\n");
  fake_.refusing = false;
  EXPECT_EQ(run({"mem"}), kExitOk);
  EXPECT_NE(out_.str().find("guard refusing                               no\n"), std::string::npos)
      << out_.str();
  options_.json = true;
  EXPECT_EQ(run({"mem"}), kExitOk);
  Json j = Json::parse(out_.str());
  EXPECT_EQ(j["guard"]["refused_connections"], 7);
  EXPECT_EQ(j["pools"][0]["peak"], 8192);
  EXPECT_EQ(run({"mem", "extra"}), kExitUsage);
}

TEST_F(CommandTest, AFailedReloadPrintsTheDiagnosticsAndExits1) {
  fake_.next_reload = {false, "ser.cfg:9:5: error: unknown function 'fwd'", {"children"}, {}, 1};
  EXPECT_EQ(run({"reload"}), kExitError);
  EXPECT_EQ(out_.str(),
            "reload failed: nothing was changed (generation 1 stays in service)\n"
            "ser.cfg:9:5: error: unknown function 'fwd'\n"
            "needs a restart to take effect: children\n");
  options_.json = true;
  EXPECT_EQ(run({"tls", "reload"}), kExitError);
  EXPECT_EQ(Json::parse(out_.str())["error"]["data"]["diagnostics"],
            "ser.cfg:9:5: error: unknown function 'fwd'");
}

TEST_F(CommandTest, AServerErrorExits1AndSaysIt) {
  EXPECT_EQ(run({"call", "core.nope"}), kExitError);
  EXPECT_EQ(err_.str(), "serctl: error -32601: method not found: core.nope\n");
  EXPECT_EQ(run({"call", "system.listMethods"}), kExitOk);
  EXPECT_NE(out_.str().find("\"tls.list\""), std::string::npos);
}

TEST_F(CommandTest, NoServerExits3) {
  server_.reset();
  EXPECT_EQ(run({"ps"}), kExitNoAnswer);
  EXPECT_EQ(err_.str().rfind("serctl: cannot connect to unix:" + dir_ + "/ser.ctl: ", 0), 0u)
      << err_.str();
}

TEST_F(CommandTest, UsageErrorsExit2) {
  EXPECT_EQ(run({}), kExitUsage);
  EXPECT_EQ(run({"tls"}), kExitUsage);
  EXPECT_EQ(run({"tls", "nope"}), kExitUsage);
  EXPECT_EQ(err_.str(), "usage: serctl tls list|info|reload");
  EXPECT_EQ(run({"frobnicate"}), kExitUsage);
  EXPECT_EQ(err_.str(), "unknown command 'frobnicate'");
  EXPECT_EQ(run({"ps", "extra"}), kExitUsage);
  EXPECT_EQ(run({"call", "x", "not json"}), kExitUsage);
}

}  // namespace
}  // namespace serctl
