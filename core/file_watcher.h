#pragma once
// Watches files for replacement or change with inotify (tls_reload_on_change: certificates,
// keys, CA lists and CRLs). The directories are watched, not the files: ACME clients and
// Kubernetes secrets replace a file by renaming a new one over it (or by swapping a symlink),
// which a watch on the old file's inode never reports. An event in a watched directory starts
// a quiet period (Debounce); when it is over, each file is compared with what it was (stat,
// following symlinks: device, inode, size, times), and `on_change` gets the files that differ,
// once per burst. Events about other files of those directories cost one stat per file.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace core {

class FileWatcher {
 public:
  // Runs on the watcher's thread; may call watch().
  using OnChange = std::function<void(const std::vector<std::string>& changed)>;

  FileWatcher(std::chrono::milliseconds quiet, OnChange on_change);
  ~FileWatcher();  // stop()
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Starts the thread. False (with the reason in `error`) when inotify is not available.
  bool start(std::string* error);
  // Thread-safe, from any thread (the reload that just read the files, too): the set of
  // files to watch from now on (a reload may name other files). The state each file had when
  // first watched is what a change is measured against.
  void watch(std::vector<std::string> files);
  void stop();

  // What a file looked like (tests; a directory such as tls_ca_path folds its entries in).
  struct FileState {
    bool exists = false;
    dev_t dev = 0;
    ino_t ino = 0;
    int64_t size = 0;
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;
    uint64_t entries = 0;  // a directory: a hash of its entries' states
    bool operator==(const FileState&) const = default;
  };
  static FileState state_of(const std::string& path);

 private:
  void run();
  void rearm();                             // inotify watches for files_ (watcher thread)
  bool drain_events();                      // true when an event was read
  std::vector<std::string> take_changes();  // files whose state moved, states updated
  void wake();

  const std::chrono::milliseconds quiet_;
  const OnChange on_change_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::mutex mu_;  // guards the three below
  std::vector<std::string> requested_;
  bool rearm_requested_ = false;
  bool stopping_ = false;
  // Watcher thread only:
  std::map<std::string, FileState> files_;
  std::vector<int> watches_;
};

}  // namespace core
