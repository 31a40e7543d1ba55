#include "core/file_watcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "core/base/log.h"
#include "core/debounce.h"

namespace core {

namespace {

// A directory's entry changes, a file written, renamed over, removed or re-linked.
constexpr uint32_t kDirEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |
                                IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

int64_t ns(const timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

uint64_t mix(uint64_t h, uint64_t v) {
  return (h ^ v) * 0x100000001b3ull;  // FNV-1a step, per value
}

// The directories whose entries decide what `path` names: its own directory, the directory
// of what it resolves to (a symlink into an archive, as certbot's live/ links), and the path
// itself when it is a directory (tls_ca_path).
void directories_of(const std::string& path, std::set<std::string>& dirs) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) return;
  dirs.insert(p.parent_path().string());
  fs::path real = fs::canonical(p, ec);
  if (!ec) {
    dirs.insert(real.parent_path().string());
    if (fs::is_directory(real, ec)) dirs.insert(real.string());
  }
}

// The file's own state (a directory's entries not folded in); false when it does not exist.
bool stat_state(const std::string& path, FileWatcher::FileState& s, bool* is_dir = nullptr) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  s.exists = true;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.size = st.st_size;
  s.mtime_ns = ns(st.st_mtim);
  s.ctime_ns = ns(st.st_ctim);
  if (is_dir) *is_dir = S_ISDIR(st.st_mode);
  return true;
}

}  // namespace

FileWatcher::FileState FileWatcher::state_of(const std::string& path) {
  FileState s;
  bool is_dir = false;
  if (!stat_state(path, s, &is_dir) || !is_dir) return s;
  // A CA directory changes when a file in it does, which its own times do not show.
  uint64_t h = 0xcbf29ce484222325ull;
  if (DIR* d = ::opendir(path.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      FileState f;
      stat_state(path + "/" + e->d_name, f);  // one level: a CA directory holds files
      h = mix(mix(mix(h, std::hash<std::string>{}(e->d_name)), f.ino), f.size);
      h = mix(mix(h, static_cast<uint64_t>(f.mtime_ns)), static_cast<uint64_t>(f.ctime_ns));
    }
    ::closedir(d);
  }
  s.entries = h;
  return s;
}

FileWatcher::FileWatcher(std::chrono::milliseconds quiet, OnChange on_change)
    : quiet_(quiet), on_change_(std::move(on_change)) {}

FileWatcher::~FileWatcher() {
  stop();
}

bool FileWatcher::start(std::string* error) {
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (inotify_fd_ < 0 || wake_fd_ < 0) {
    *error = std::string("inotify: ") + std::strerror(errno);
    stop();
    return false;
  }
  thread_ = std::thread([this] { run(); });
  return true;
}

void FileWatcher::watch(std::vector<std::string> files) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    requested_ = std::move(files);
    rearm_requested_ = true;
  }
  wake();
}

void FileWatcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake();
  if (thread_.joinable()) thread_.join();
  for (int fd : {inotify_fd_, wake_fd_})
    if (fd >= 0) ::close(fd);
  inotify_fd_ = wake_fd_ = -1;
}

void FileWatcher::wake() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  ssize_t n = ::write(wake_fd_, &one, sizeof one);
  (void)n;  // a full counter already wakes the thread
}

void FileWatcher::run() {
  Debounce debounce(quiet_);
  for (;;) {
    auto wait = debounce.wait(Debounce::Clock::now());
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int rc = ::poll(fds, 2, wait ? static_cast<int>(wait->count()) : -1);
    if (rc < 0 && errno != EINTR) {
      LOG_ERR("tls_reload_on_change: poll: %s; files are no longer watched", std::strerror(errno));
      return;
    }
    if (fds[1].revents & POLLIN) {
      uint64_t n;
      ssize_t r = ::read(wake_fd_, &n, sizeof n);
      (void)r;
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    rearm();
    if ((fds[0].revents & POLLIN) && drain_events()) debounce.event(Debounce::Clock::now());
    if (!debounce.take_due(Debounce::Clock::now())) continue;
    std::vector<std::string> changed = take_changes();
    if (!changed.empty()) on_change_(changed);
  }
}

void FileWatcher::rearm() {
  std::vector<std::string> files;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!rearm_requested_) return;
    rearm_requested_ = false;
    files = std::move(requested_);
  }
  for (int wd : watches_) ::inotify_rm_watch(inotify_fd_, wd);
  watches_.clear();
  std::map<std::string, FileState> next;
  std::set<std::string> dirs;
  for (const auto& f : files) {
    // A file watched before keeps the state it was last compared with: a change made while
    // the reload that re-arms us was reading is still seen.
    auto it = files_.find(f);
    next[f] = it != files_.end() ? it->second : state_of(f);
    directories_of(f, dirs);
  }
  files_ = std::move(next);
  for (const auto& d : dirs) {
    int wd = ::inotify_add_watch(inotify_fd_, d.c_str(), kDirEvents | IN_ONLYDIR);
    if (wd < 0) {
      LOG_WARN("tls_reload_on_change: cannot watch %s: %s", d.c_str(), std::strerror(errno));
      continue;
    }
    watches_.push_back(wd);
  }
}

bool FileWatcher::drain_events() {
  alignas(inotify_event) char buf[4096];
  bool any = false;
  for (;;) {
    ssize_t n = ::read(inotify_fd_, buf, sizeof buf);
    if (n <= 0) return any;  // EAGAIN: drained
    any = true;              // which file does not matter: take_changes() compares them all
  }
}

std::vector<std::string> FileWatcher::take_changes() {
  std::vector<std::string> changed;
  for (auto& [path, state] : files_) {
    FileState now = state_of(path);
    if (now == state) continue;
    state = now;
    changed.push_back(path);
  }
  return changed;
}

}  // namespace core
