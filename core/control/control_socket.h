#pragma once
// The listening socket of the control server. A unix socket is created mode 0600 and given to
// `user`/`group` (the only way in is the file's permissions: the protocol has no
// authentication), its directory made when missing (/run/ser is on a tmpfs: gone at boot), a
// stale file left by a killed ser replaced, and the file removed when the socket closes, if it
// is still ours. A file in use by a running server is never taken over.
#include <sys/types.h>

#include <memory>
#include <string>

#include "cfg/control_address.h"

namespace core::control {

struct SocketOwner {
  uid_t uid = static_cast<uid_t>(-1);  // -1: keep (chown(2)'s convention)
  gid_t gid = static_cast<gid_t>(-1);
};

// The uid and gid of `user` and `group` ("" = keep; the user's group when only the user is
// given), as drop_privileges() will take them. False with `error` when one does not exist.
bool resolve_owner(const std::string& user, const std::string& group, SocketOwner* out,
                   std::string* error);

class ControlSocket {
 public:
  // Binds and listens (non-blocking). Null with `error` naming the address and the cause.
  static std::unique_ptr<ControlSocket> open(const cfg::ControlAddress& address,
                                             const SocketOwner& owner, std::string* error);
  ~ControlSocket();
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

  int fd() const { return fd_; }
  // The bound address, as -s takes it (a tcp port 0 replaced by the one the kernel chose).
  const std::string& name() const { return name_; }
  // Hands the descriptor over (the listener closes it); the file is still removed by us.
  int release_fd();

 private:
  ControlSocket() = default;
  int fd_ = -1;
  std::string name_;
  std::string path_;  // unix only: removed at close when it is still our inode
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace core::control
