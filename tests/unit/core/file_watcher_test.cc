// FileWatcher: what replaces a watched file (a rename over it, a new symlink target, a write)
// is reported once the burst is quiet; other files of the same directory are not.
#include "core/file_watcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

namespace core {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class FileWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ser-watch-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    watcher_ = std::make_unique<FileWatcher>(milliseconds(100), [this](const auto& changed) {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& f : changed) reported_.insert(f);
      ++callbacks_;
      cv_.notify_all();
    });
    std::string error;
    ASSERT_TRUE(watcher_->start(&error)) << error;
  }
  void TearDown() override {
    watcher_.reset();
    fs::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (fs::path(dir_) / name).string(); }
  static void write(const std::string& file, const std::string& text) {
    std::ofstream(file, std::ios::trunc) << text;
  }
  // Waits (at most `limit`) until every one of `files` was reported; what was reported.
  std::set<std::string> wait_for(const std::set<std::string>& files,
                                 milliseconds limit = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, limit, [&] {
      for (const auto& f : files)
        if (!reported_.count(f)) return false;
      return true;
    });
    return reported_;
  }
  // The watch set is in force once the watcher's thread has re-armed: a file written after
  // this is seen. A sentinel file changed and reported proves it.
  void watch(std::vector<std::string> files) {
    std::string sentinel = path("sentinel-" + std::to_string(++sentinels_));
    write(sentinel, "0");
    files.push_back(sentinel);
    watcher_->watch(files);
    // Until re-armed, a write is not compared with anything: write again until one is seen.
    for (int i = 1; i <= 100 && !wait_for({sentinel}, milliseconds(200)).count(sentinel); ++i)
      write(sentinel, std::to_string(i));
    ASSERT_TRUE(wait_for({sentinel}).count(sentinel));
    std::lock_guard<std::mutex> lock(mu_);
    reported_.clear();
  }

  std::string dir_;
  std::unique_ptr<FileWatcher> watcher_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string> reported_;
  int callbacks_ = 0;
  int sentinels_ = 0;
};

TEST_F(FileWatcherTest, AFileRenamedOverAWatchedOneIsReported) {
  write(path("cert.pem"), "old");
  watch({path("cert.pem")});
  write(path("cert.pem.new"), "new");
  fs::rename(path("cert.pem.new"), path("cert.pem"));
  EXPECT_EQ(wait_for({path("cert.pem")}), std::set<std::string>{path("cert.pem")});
}

TEST_F(FileWatcherTest, FilesWrittenTogetherAreReportedAndOthersOfTheDirectoryAreNot) {
  write(path("cert.pem"), "c");
  write(path("key.pem"), "k");
  write(path("unrelated.log"), "x");
  watch({path("cert.pem"), path("key.pem")});
  write(path("unrelated.log"), "xx");
  write(path("cert.pem"), "c2");
  write(path("key.pem"), "k2");
  EXPECT_EQ(wait_for({path("cert.pem"), path("key.pem")}),
            (std::set<std::string>{path("cert.pem"), path("key.pem")}));
}

TEST_F(FileWatcherTest, ASymlinkPointedAtANewFileIsReported) {
  fs::create_directories(path("archive"));
  write(path("archive/cert1.pem"), "one");
  write(path("archive/cert2.pem"), "two");
  fs::create_directories(path("live"));
  fs::create_symlink(path("archive/cert1.pem"), path("live/cert.pem"));
  watch({path("live/cert.pem")});
  // certbot's way: a new link beside the old one, renamed over it.
  fs::create_symlink(path("archive/cert2.pem"), path("live/cert.pem.tmp"));
  fs::rename(path("live/cert.pem.tmp"), path("live/cert.pem"));
  EXPECT_EQ(wait_for({path("live/cert.pem")}), std::set<std::string>{path("live/cert.pem")});
}

TEST_F(FileWatcherTest, AFileInAWatchedCaDirectoryIsReportedAsTheDirectory) {
  fs::create_directories(path("ca"));
  write(path("ca/a.pem"), "a");
  watch({path("ca")});
  write(path("ca/b.pem"), "b");
  EXPECT_EQ(wait_for({path("ca")}), std::set<std::string>{path("ca")});
}

TEST_F(FileWatcherTest, AFileNoLongerWatchedIsNotReported) {
  write(path("old.pem"), "o");
  write(path("new.pem"), "n");
  watch({path("old.pem")});
  watch({path("new.pem")});
  write(path("old.pem"), "o2");
  write(path("new.pem"), "n2");
  EXPECT_EQ(wait_for({path("new.pem")}), std::set<std::string>{path("new.pem")});
}

TEST(FileWatcherState, AMissingFileDiffersFromAPresentOne) {
  EXPECT_FALSE(FileWatcher::state_of("/nonexistent/ser/file").exists);
  EXPECT_NE(FileWatcher::state_of("/nonexistent/ser/file"), FileWatcher::state_of("/"));
}

}  // namespace
}  // namespace core
