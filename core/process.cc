#include "core/process.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace core {

bool write_pid_file(const std::string& path, std::string* error) {
  if (path.empty()) return true;
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) {
    *error = "cannot write pid file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::fprintf(f, "%d\n", static_cast<int>(getpid()));
  std::fclose(f);
  // Renamed into place so a reader never sees an empty file: tests wait for it as readiness.
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "cannot write pid file " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

void remove_pid_file(const std::string& path) {
  if (!path.empty()) unlink(path.c_str());
}

std::string missing_account(const std::string& user, const std::string& group) {
  if (!user.empty() && !getpwnam(user.c_str())) return "user '" + user + "' does not exist";
  if (!group.empty() && !getgrnam(group.c_str())) return "group '" + group + "' does not exist";
  return {};
}

bool drop_privileges(const std::string& user, const std::string& group, std::string* error) {
  gid_t gid = 0;
  uid_t uid = 0;
  const passwd* pw = nullptr;
  if (!user.empty()) {
    pw = getpwnam(user.c_str());
    if (!pw) {
      *error = "user '" + user + "' does not exist";
      return false;
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }
  if (!group.empty()) {
    const struct group* gr = getgrnam(group.c_str());
    if (!gr) {
      *error = "group '" + group + "' does not exist";
      return false;
    }
    gid = gr->gr_gid;
  }
  if ((!group.empty() || pw) && (setgroups(0, nullptr) != 0 || setgid(gid) != 0)) {
    *error = std::string("cannot change group: ") + std::strerror(errno);
    return false;
  }
  if (pw && setuid(uid) != 0) {
    *error = std::string("cannot change user: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool detach(bool keep_stderr, std::string* error) {
  if (daemon(1, keep_stderr ? 1 : 0) != 0) {
    *error = std::string("cannot go to the background: ") + std::strerror(errno);
    return false;
  }
  return true;
}

namespace {

// SIGTERM and SIGINT stop; SIGHUP reloads.
sigset_t control_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void block_signals() {
  sigset_t set = control_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int wait_for_stop_signal(const std::function<void()>& every_second,
                         const std::function<void()>& on_hangup) {
  sigset_t set = control_signals();
  const timespec second{1, 0};
  for (;;) {
    int sig = sigtimedwait(&set, nullptr, &second);
    if (sig < 0) {
      if (errno == EAGAIN && every_second) every_second();
      continue;
    }
    if (sig == SIGHUP) {
      if (on_hangup) on_hangup();
      continue;
    }
    return sig;
  }
}

}  // namespace core
