#pragma once
// Net's counters (NetStats' live form), bumped from every worker without a lock.
#include <atomic>
#include <cstdint>

#include "core/base/transport.h"

namespace core::net {

struct NetStats;

#define SER_NET_COUNTERS(X) \
  X(accepted)               \
  X(refused)                \
  X(refused_per_ip)         \
  X(refused_memory)         \
  X(refused_transport)      \
  X(connects)               \
  X(connect_failed)         \
  X(connect_timeouts)       \
  X(closed_eof)             \
  X(closed_error)           \
  X(closed_idle)            \
  X(send_timeouts)          \
  X(handshake_timeouts)     \
  X(msg_read_timeouts)      \
  X(framing_errors)         \
  X(too_big) X(closed_read_share) X(pings) X(send_failed) X(queue_full)

struct NetCounters {
#define SER_NET_COUNTER_FIELD(name) std::atomic<uint64_t> name{0};
  SER_NET_COUNTERS(SER_NET_COUNTER_FIELD)
#undef SER_NET_COUNTER_FIELD
  // By Transport (NetStats' udp_received and stream_received are sums of these); UDP's stays 0:
  // each worker counts its datagrams (NetWorker::udp_received) and Net::stats() sums them, so no
  // cache line is shared per datagram.
  std::atomic<uint64_t> received[Transport::kCount] = {};
  std::atomic<uint64_t> sent[Transport::kCount] = {};
  // A copy of every counter (relaxed loads: each is exact, the set is not a snapshot).
  NetStats snapshot() const;
};

inline void bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  counter.fetch_add(by, std::memory_order_relaxed);
}

}  // namespace core::net
