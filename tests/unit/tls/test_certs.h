#pragma once
// Test PKI shared by every test of tls_tests: tools/make-test-certs.sh output, made at test
// time (nothing generated is committed; STYLE.md: committed certificates expire, envoy#46881).
//
//   const auto& certs = tls::test::TestCerts::get();
//   std::string pem = certs.path("server.pem");   // file names: see make-test-certs.sh header
//
// ctest runs each test case as its own process (gtest_discover_tests), so making the PKI once
// per process would cost seconds of RSA key generation per test. The PKI is therefore made
// once per build tree and reused for an hour: SER_BINARY_DIR/tls-test-certs/current points at
// the latest complete set; a process that finds it missing or stale makes a new one under an
// exclusive lock and swaps the link atomically, so a running test never sees a half-made set.
// The files are read-only by convention: tests write their own files under scratch().
//
// When the script fails, get() aborts the test binary with the script's output: every TLS
// test needs the certificates, so there is nothing useful to run without them.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
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

  // The directory holding ca.pem, server.pem, server.key, ... (no cert.pem).
  const std::string& dir() const { return dir_; }
  // Absolute path of `name` inside dir(); the file is not checked.
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  // A directory of this process for a test's own files (copies with other modes, broken
  // files), removed at exit.
  std::string scratch(const std::string& name) const {
    std::string d = scratch_ + "/" + name;
    std::filesystem::create_directories(d);
    return d;
  }

  TestCerts(const TestCerts&) = delete;
  TestCerts& operator=(const TestCerts&) = delete;

 private:
  static constexpr int64_t kMaxAgeSeconds = 3600;

  TestCerts() {
    owner_pid_ = getpid();
    std::string root = std::string(SER_BINARY_DIR) + "/tls-test-certs";
    std::filesystem::create_directories(root);
    int lock = ::open((root + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) fail("cannot lock " + root + "/.lock");
    std::string current = root + "/current";
    if (!fresh(current)) make(root, current);
    dir_ = std::filesystem::canonical(current).string();
    ::close(lock);  // releases the lock
    scratch_ = make_temp_dir("ser-tls-scratch-");
  }

  ~TestCerts() {
    // A forked child (death test) must not remove the parent's files.
    if (getpid() != owner_pid_) return;
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
  }

  [[noreturn]] static void fail(const std::string& what) {
    std::fprintf(stderr, "test_certs: %s\n", what.c_str());
    std::abort();
  }

  static int64_t mtime(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_mtime) : -1;
  }

  // The current set exists, is younger than kMaxAgeSeconds and newer than the script.
  static bool fresh(const std::string& current) {
    int64_t made = mtime(current + "/.made");
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    std::string script = std::string(SER_SOURCE_DIR) + "/tools/make-test-certs.sh";
    std::string cnf = std::string(SER_SOURCE_DIR) + "/tools/openssl/ca.cnf";
    return made > 0 && now - made < kMaxAgeSeconds && made >= mtime(script) && made >= mtime(cnf);
  }

  static std::string make_temp_dir(const std::string& prefix) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) fail("mkdtemp " + templ + " failed");
    return templ;
  }

  static void make(const std::string& root, const std::string& current) {
    std::string templ = root + "/certs-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) fail("mkdtemp " + templ + " failed");
    std::string log = templ + ".log";
    std::string cmd = std::string("bash '") + SER_SOURCE_DIR + "/tools/make-test-certs.sh' '" +
                      templ + "' >'" + log + "' 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      std::string cat = "cat '" + log + "' >&2";
      (void)std::system(cat.c_str());
      fail(cmd + " failed (output above)");
    }
    std::FILE* stamp = std::fopen((templ + "/.made").c_str(), "w");
    if (stamp != nullptr) std::fclose(stamp);
    // Swap the link atomically: rename(2) over the old one.
    std::string link = root + "/current.new";
    std::error_code ec;
    std::filesystem::remove(link, ec);
    std::filesystem::create_directory_symlink(std::filesystem::path(templ).filename(), link);
    if (::rename(link.c_str(), current.c_str()) != 0) fail("cannot replace " + current);
    remove_old_sets(root, templ);
  }

  // Sets older than a day are no longer in use by any test process.
  static void remove_old_sets(const std::string& root, const std::string& keep) {
    std::error_code ec;
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    for (const auto& e : std::filesystem::directory_iterator(root, ec)) {
      std::string p = e.path().string();
      if (p == keep || p == keep + ".log" || e.path().filename().string().rfind("certs-", 0) != 0)
        continue;
      if (now - mtime(p) > 24 * 3600) std::filesystem::remove_all(p, ec);
    }
  }

  std::string dir_;
  std::string scratch_;
  pid_t owner_pid_ = 0;
};

}  // namespace tls::test
