#pragma once
// Net's per-worker state (internal to core/net): the worker, its connections by id, its share
// of every listener (one SO_REUSEPORT socket each) and the connections waiting to be freed.
#include <event2/event.h>

#include <memory>
#include <unordered_map>
#include <vector>

#include "core/net/net.h"
#include "core/net/socket_addr.h"
#include "core/net/transport_socket.h"
#include "core/net/worker.h"

namespace core::net {

class Connection;

#define SER_NET_COUNTERS(X)                                                                    \
  X(accepted)                                                                                  \
  X(refused)                                                                                   \
  X(refused_per_ip)                                                                            \
  X(refused_memory)                                                                            \
  X(refused_transport)                                                                         \
  X(connects)                                                                                  \
  X(connect_failed)                                                                            \
  X(connect_timeouts)                                                                          \
  X(closed_eof)                                                                                \
  X(closed_error)                                                                              \
  X(closed_idle)                                                                               \
  X(send_timeouts)                                                                             \
  X(handshake_timeouts) X(msg_read_timeouts) X(framing_errors) X(too_big) X(closed_read_share) \
      X(pings) X(udp_received) X(stream_received) X(send_failed) X(queue_full)

struct Net::Counters {
#define SER_NET_COUNTER_FIELD(name) std::atomic<uint64_t> name{0};
  SER_NET_COUNTERS(SER_NET_COUNTER_FIELD)
#undef SER_NET_COUNTER_FIELD
  std::atomic<uint64_t> received[Transport::kCount] = {};  // by Transport
  std::atomic<uint64_t> sent[Transport::kCount] = {};
};

// What a plain TCP connection holds of shm: its Connection and PlainSocket objects.
extern const size_t kPlainConnectionBytes;

inline void bump(std::atomic<uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);
}

struct ListenSocket {
  Net* net = nullptr;
  NetWorker* owner = nullptr;
  int id = -1;
  int fd = -1;
  event* ev = nullptr;
};

struct NetWorker {
  NetWorker(Net& n, int index, size_t pkg_budget) : net(n), worker(index, pkg_budget) {}
  ~NetWorker();
  // Frees the connections closed since the last call (never from inside their own callbacks).
  void reap();
  static void on_reap(evutil_socket_t, short, void* arg);

  Net& net;
  Worker worker;
  std::unordered_map<uint64_t, Connection*> conns;
  std::vector<ListenSocket> listeners;  // indexed by listener id
  std::vector<Connection*> graveyard;
  event* reap_event = nullptr;
  std::unique_ptr<Timer> shutdown_timer;
  size_t read_held = 0;  // pool bytes of its connections' partial messages (Net::make_read_room)
  int spare_fd = -1;     // reserved so that accept can shed load when out of descriptors
  // Out of descriptors with no spare to shed with: the listeners rest until this fires.
  std::unique_ptr<Timer> accept_pause;
  bool stopping = false;
};

}  // namespace core::net
