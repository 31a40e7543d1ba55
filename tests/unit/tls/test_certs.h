#pragma once
// Test PKI shared by every test of tls_tests: tools/make-test-certs.sh runs ONCE per test
// binary (lazily, on first use) into a fresh temporary directory, removed at exit. Nothing
// generated is committed (STYLE.md: committed certificates expire, envoy#46881).
//
//   const auto& certs = tls::test::TestCerts::get();
//   std::string pem = certs.path("server.pem");   // file names: see make-test-certs.sh header
//
// When the script fails, get() aborts the test binary with the script's output: every TLS
// test needs the certificates, so there is nothing useful to run without them.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace tls::test {

class TestCerts {
 public:
  static const TestCerts& get() {
    static const TestCerts instance;
    return instance;
  }

  // The directory holding ca.pem, server.pem, server.key, ...
  const std::string& dir() const { return dir_; }
  // Absolute path of `name` inside dir(); the file is not checked.
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  // A scratch directory for a test's own files (copies with other modes, broken files);
  // inside dir(), removed with it.
  std::string scratch(const std::string& name) const {
    std::string d = dir_ + "/scratch-" + name;
    std::filesystem::create_directories(d);
    return d;
  }

  TestCerts(const TestCerts&) = delete;
  TestCerts& operator=(const TestCerts&) = delete;

 private:
  TestCerts() {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/ser-tls-certs-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) {
      std::perror("test_certs: mkdtemp");
      std::abort();
    }
    dir_ = templ;
    owner_pid_ = getpid();
    std::string log = dir_ + "/make-test-certs.log";
    std::string cmd = std::string("bash '") + SER_SOURCE_DIR + "/tools/make-test-certs.sh' '" +
                      dir_ + "' >'" + log + "' 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "test_certs: %s failed; output:\n", cmd.c_str());
      std::string cat = "cat '" + log + "' >&2";
      (void)std::system(cat.c_str());
      std::abort();
    }
  }
  ~TestCerts() {
    // A forked child (death test) must not remove the parent's files.
    if (getpid() != owner_pid_) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string dir_;
  pid_t owner_pid_ = 0;
};

}  // namespace tls::test
