// include_file: paths relative to the including file, missing files, cycles, and where the
// diagnostics of included files point. Uses a temporary directory per test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/cfg/load_helper.h"

namespace cfg {
namespace {

namespace fs = std::filesystem;

class IncludeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ser-h1-include-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    fs::path path = fs::path(dir_) / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }
  bool load(const std::string& name) {
    diags_ = Diagnostics();
    return load_config_file(dir_ + "/" + name, &config_, &diags_);
  }
  // Diagnostics with the temporary directory shown as "DIR".
  std::string text() const {
    std::string out;
    for (const auto& d : diags_.all()) out += d.to_string() + "\n";
    for (size_t at; (at = out.find(dir_)) != std::string::npos;)
      out.replace(at, dir_.size(), "DIR");
    return out;
  }

  std::string dir_;
  Config config_;
  Diagnostics diags_;
};

TEST_F(IncludeTest, PathsAreRelativeToTheIncludingFile) {
  write("ser.cfg", "children = 2\ninclude_file \"conf/a.cfg\"\nlog_level = 1\n");
  write("conf/a.cfg", "include_file \"b.cfg\"\nuser = ser\n");
  write("conf/b.cfg", "group = sip\nroute { forward(); }\n");
  ASSERT_TRUE(load("ser.cfg")) << text();
  EXPECT_EQ(config_.core.children, 2);
  EXPECT_EQ(config_.core.user, "ser");
  EXPECT_EQ(config_.core.group, "sip");
  EXPECT_EQ(config_.core.log_level, 1);
  ASSERT_TRUE(config_.script.main.has_value());
  EXPECT_EQ(config_.script.main->loc.to_string(), dir_ + "/conf/b.cfg:2:1");
}

TEST_F(IncludeTest, AbsolutePathAndBareWord) {
  std::string abs = write("other/x.cfg", "children = 6\n");
  write("ser.cfg", "include_file " + abs + "\n");
  ASSERT_TRUE(load("ser.cfg")) << text();
  EXPECT_EQ(config_.core.children, 6);
}

TEST_F(IncludeTest, ErrorsInAnIncludedFileNameThatFile) {
  write("ser.cfg", "include_file \"conf/a.cfg\"\nchildern = 1\n");
  write("conf/a.cfg", "\n  log_level = 11\n");
  EXPECT_FALSE(load("ser.cfg"));
  EXPECT_EQ(text(),
            "DIR/conf/a.cfg:2:15: error: invalid value for 'log_level': expected an integer from "
            "0 to 4, found '11'\n"
            "DIR/ser.cfg:2:1: error: unknown parameter 'childern', did you mean 'children'?\n");
}

TEST_F(IncludeTest, MissingFileIsAnErrorAtThePath) {
  write("ser.cfg", "children = 2\ninclude_file \"none.cfg\"\nlog_level = 1\n");
  EXPECT_FALSE(load("ser.cfg"));
  EXPECT_EQ(text(),
            "DIR/ser.cfg:2:14: error: cannot read included file 'DIR/none.cfg': No such file or "
            "directory\n");
  EXPECT_EQ(config_.core.log_level, 1);
}

TEST_F(IncludeTest, DirectoryIsNotAFile) {
  fs::create_directories(dir_ + "/conf");
  write("ser.cfg", "include_file conf\n");
  EXPECT_FALSE(load("ser.cfg"));
  EXPECT_EQ(text(),
            "DIR/ser.cfg:1:14: error: cannot read included file 'DIR/conf': is a directory\n");
}

TEST_F(IncludeTest, CycleIsAnErrorNamingTheChain) {
  write("ser.cfg", "include_file \"a.cfg\"\n");
  write("a.cfg", "children = 2\ninclude_file \"sub/b.cfg\"\n");
  write("sub/b.cfg", "include_file \"../a.cfg\"\n");
  EXPECT_FALSE(load("ser.cfg"));
  EXPECT_EQ(text(),
            "DIR/sub/b.cfg:1:14: error: include cycle: DIR/a.cfg -> DIR/sub/b.cfg -> DIR/a.cfg\n");
  EXPECT_EQ(config_.core.children, 2);
}

TEST_F(IncludeTest, IncludingTheMainFileIsACycle) {
  write("ser.cfg", "include_file \"./ser.cfg\"\n");
  EXPECT_FALSE(load("ser.cfg"));
  EXPECT_EQ(text(), "DIR/ser.cfg:1:14: error: include cycle: DIR/ser.cfg -> DIR/ser.cfg\n");
}

TEST_F(IncludeTest, SameFileTwiceWithoutCycleIsFine) {
  write("ser.cfg", "include_file a.cfg\ninclude_file a.cfg\n");
  write("a.cfg", "alias = example.org\n");
  ASSERT_TRUE(load("ser.cfg")) << text();
  EXPECT_EQ(config_.core.aliases.size(), 2u);
}

TEST_F(IncludeTest, MissingFileName) {
  write("ser.cfg", "include_file\nchildren = 2\n");
  EXPECT_FALSE(load("ser.cfg"));
  EXPECT_EQ(text(),
            "DIR/ser.cfg:1:13: error: expected a file name after 'include_file', found end of "
            "line\n");
}

TEST_F(IncludeTest, LoadConfigTextResolvesAgainstItsName) {
  write("conf/a.cfg", "children = 9\n");
  Config config;
  Diagnostics diags;
  ASSERT_TRUE(
      load_config_text(dir_ + "/main.cfg", "include_file \"conf/a.cfg\"\n", &config, &diags))
      << diags.first_error();
  EXPECT_EQ(config.core.children, 9);
  EXPECT_EQ(config.cfg_dir, dir_);
}

TEST_F(IncludeTest, RouteBlockInTwoFilesIsADuplicate) {
  write("ser.cfg", "route { forward(); }\ninclude_file \"r.cfg\"\n");
  write("r.cfg", "route {\n  forward();\n}\n");
  EXPECT_FALSE(load("ser.cfg"));
  EXPECT_EQ(text(),
            "DIR/r.cfg:1:1: error: duplicate 'route' block\n"
            "DIR/ser.cfg:1:1: note: 'route' was first defined here\n");
}

#if SER_WITH_TLS
TEST_F(IncludeTest, TlsPathsAreRelativeToTheMainFileDirectory) {
  write("ser.cfg", "include_file \"conf/tls.inc\"\n");
  write("conf/tls.inc", "tls_ca_list = ca.pem\ntls_certificate = certs/s.pem\n");
  ASSERT_TRUE(load("ser.cfg")) << text();
  EXPECT_EQ(config_.tls.defaults.ca_list, dir_ + "/ca.pem");
  EXPECT_EQ(config_.tls.defaults.certificate, dir_ + "/certs/s.pem");
  EXPECT_EQ(config_.tls.defaults.private_key, dir_ + "/cert.pem");
}

TEST_F(IncludeTest, DomainBlockInAnIncludedFileSeesGlobalsOfTheMainFile) {
  write("ser.cfg", "listen = tls:127.0.0.1\ninclude_file d.cfg\ntls_verify_depth = 4\n");
  write("d.cfg", "tls_domain[127.0.0.1:5061] { tls_method = TLSv1.3 }\n");
  ASSERT_TRUE(load("ser.cfg")) << text();
  ASSERT_EQ(config_.tls_domains.size(), 1u);
  EXPECT_EQ(config_.tls_domains[0].settings.verify_depth, 4);
  EXPECT_EQ(config_.tls_domains[0].loc.to_string(), dir_ + "/d.cfg:1:1");
}
#endif

}  // namespace
}  // namespace cfg
