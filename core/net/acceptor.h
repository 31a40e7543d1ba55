#pragma once
// Accepts stream connections on the listeners (internal to core/net): admission (slots, per-IP,
// shm's guard, the transport socket's own say), then a Connection on the accepting worker.
// Out of file descriptors it sheds the pending connection with a spare descriptor, or rests.
#include <memory>
#include <vector>

#include "core/base/log.h"
#include "core/net/listeners.h"
#include "core/net/worker.h"

namespace core::net {

struct NetContext;
struct NetWorker;

class Acceptor final : public ListenerReader {
 public:
  Acceptor(NetContext& net, Listeners& listeners,
           const std::vector<std::unique_ptr<NetWorker>>& workers);
  ~Acceptor() override;
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  void readable(NetWorker& nw, int id, int fd) override;

 private:
  // Per worker: a descriptor kept to shed with, and the rest while there is none.
  struct Spare {
    int fd = -1;
    std::unique_ptr<Timer> pause;
  };
  bool shed_one(NetWorker& nw, int listen_fd);
  void pause_accepting(NetWorker& nw);
  void accept_one(NetWorker& nw, int listener_id, int fd, const SocketAddr& peer);

  NetContext& net_;
  Listeners& listeners_;
  std::vector<Spare> spares_;  // by worker index
  const int batch_;            // connections accepted per readiness (acceptor.cc)
  LogThrottle refuse_log_{1000, 1, "connection refused"};
};

}  // namespace core::net
