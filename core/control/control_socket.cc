#include "core/control/control_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/base/log.h"

namespace core::control {

namespace {

constexpr int kBacklog = 16;

std::string errno_text() {
  return std::strerror(errno);
}

// Makes the socket's directory when missing (one level, as /run/ser under /run), given to the
// owner so that ser can still remove its socket once it runs as that user.
bool make_directory(const std::string& path, const SocketOwner& owner, std::string* error) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return true;
  std::string dir = path.substr(0, slash);
  if (mkdir(dir.c_str(), 0755) == 0) {
    if (chown(dir.c_str(), owner.uid, owner.gid) != 0) {
      *error = "cannot give directory " + dir + " to the configured user: " + errno_text();
      return false;
    }
    LOG_NOTICE("control socket: created directory %s", dir.c_str());
    return true;
  }
  if (errno == EEXIST) return true;
  *error = "cannot create directory " + dir + ": " + errno_text();
  return false;
}

bool fill_unix(const std::string& path, sockaddr_un* sa) {
  std::memset(sa, 0, sizeof(*sa));
  sa->sun_family = AF_UNIX;
  if (path.size() >= sizeof(sa->sun_path)) return false;
  std::memcpy(sa->sun_path, path.data(), path.size());
  return true;
}

// A file at `path` from an earlier run: removed when it is a socket nobody answers on.
bool clear_stale(const std::string& path, std::string* error) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return true;
    *error = "cannot look at " + path + ": " + errno_text();
    return false;
  }
  if (!S_ISSOCK(st.st_mode)) {
    *error = path + " exists and is not a socket (not removed)";
    return false;
  }
  sockaddr_un sa;
  fill_unix(path, &sa);
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool live = probe >= 0 && connect(probe, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
  if (probe >= 0) close(probe);
  if (live) {
    *error = path + " is in use by a running server (another ser with the same ctl_socket?)";
    return false;
  }
  if (unlink(path.c_str()) != 0) {
    *error = "cannot remove the stale " + path + ": " + errno_text();
    return false;
  }
  LOG_NOTICE("control socket: replaced the stale %s", path.c_str());
  return true;
}

int bind_unix(const std::string& path, const SocketOwner& owner, std::string* error) {
  sockaddr_un sa;
  if (!fill_unix(path, &sa)) {
    *error = "path too long";
    return -1;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    *error = "socket: " + errno_text();
    return -1;
  }
  // The file is made with the umask's mode: 0600 from its first moment (ser binds before its
  // threads start, so changing the process umask here races with nothing).
  mode_t old = umask(0177);
  int rc = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  umask(old);
  if (rc != 0 || chmod(path.c_str(), 0600) != 0 || chown(path.c_str(), owner.uid, owner.gid) != 0 ||
      listen(fd, kBacklog) != 0) {
    *error = errno_text();
    if (rc == 0) unlink(path.c_str());
    close(fd);
    return -1;
  }
  return fd;
}

int bind_tcp(const cfg::ControlAddress& address, std::string* name, std::string* error) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  bool v6 = address.host.find(':') != std::string::npos;
  if (v6) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons(address.port);
    inet_pton(AF_INET6, address.host.c_str(), &sa->sin6_addr);
    len = sizeof(*sa);
  } else {
    auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(address.port);
    inet_pton(AF_INET, address.host.c_str(), &sa->sin_addr);
    len = sizeof(*sa);
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int on = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
      bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd, kBacklog) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    *error = errno_text();
    if (fd >= 0) close(fd);
    return -1;
  }
  cfg::ControlAddress bound = address;
  bound.port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                        : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  *name = bound.to_string();
  return fd;
}

}  // namespace

bool resolve_owner(const std::string& user, const std::string& group, SocketOwner* out,
                   std::string* error) {
  *out = SocketOwner{};
  if (!user.empty()) {
    const passwd* pw = getpwnam(user.c_str());
    if (!pw) {
      *error = "user '" + user + "' does not exist";
      return false;
    }
    out->uid = pw->pw_uid;
    out->gid = pw->pw_gid;
  }
  if (!group.empty()) {
    const struct group* gr = getgrnam(group.c_str());
    if (!gr) {
      *error = "group '" + group + "' does not exist";
      return false;
    }
    out->gid = gr->gr_gid;
  }
  return true;
}

std::unique_ptr<ControlSocket> ControlSocket::open(const cfg::ControlAddress& address,
                                                   const SocketOwner& owner, std::string* error) {
  std::unique_ptr<ControlSocket> s(new ControlSocket());
  std::string why;
  if (address.kind == cfg::ControlAddress::Kind::kTcp) {
    s->fd_ = bind_tcp(address, &s->name_, &why);
  } else if (make_directory(address.path, owner, &why) && clear_stale(address.path, &why)) {
    s->fd_ = bind_unix(address.path, owner, &why);
    s->name_ = address.to_string();
    struct stat st;
    if (s->fd_ >= 0 && stat(address.path.c_str(), &st) == 0) {
      s->path_ = address.path;
      s->dev_ = st.st_dev;
      s->ino_ = st.st_ino;
    }
  }
  if (s->fd_ < 0) {
    *error = "control socket " + address.to_string() + ": " + why;
    return nullptr;
  }
  return s;
}

int ControlSocket::release_fd() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

ControlSocket::~ControlSocket() {
  if (fd_ >= 0) close(fd_);
  if (path_.empty()) return;
  // Another ser may have replaced a file we left behind: only our own inode is removed.
  struct stat st;
  if (stat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_ &&
      unlink(path_.c_str()) != 0)
    LOG_WARN("control socket: cannot remove %s: %s", path_.c_str(), std::strerror(errno));
}

}  // namespace core::control
