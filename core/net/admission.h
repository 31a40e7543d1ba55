#pragma once
// Whether a new stream connection may be made: the connection slots (tcp_max_connections), the
// inbound connections per source address (tcp_max_connections_per_ip) and shm's budget (the
// MemoryGuard), with the live counts by transport that the guard's per-connection estimate
// is made from. Shared by every worker; a refusal is counted and logged here.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/base/log.h"
#include "core/base/memory_guard.h"
#include "core/base/pool.h"
#include "core/base/transport.h"
#include "core/net/ip_counts.h"
#include "core/net/net_counters.h"
#include "core/net/socket_addr.h"

namespace core::net {

class Connection;
struct NetSettings;

class Admission {
 public:
  Admission(const NetSettings& settings, Pool& shm, NetCounters& counters);
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

  // The guard's decision for a new stream connection of `t`; false: refused, counted, logged.
  // On true, `hold` is what the connection keeps reserved until its handshake is done.
  // An accepted TLS connection is charged its average now and reserves its handshake later
  // (admit_handshake), so a peer that never sends a ClientHello holds no reservation.
  bool admit(Transport t, bool outbound, const SocketAddr& peer, size_t& hold);
  // An accepted TLS connection's ClientHello arrived: reserves its handshake's peak, or refuses
  // (counted, logged) when that would cross the mark.
  bool admit_handshake(Connection& conn);
  // A reservation taken by admit() or admit_handshake() is given back.
  void release(size_t hold) { guard_.release(hold); }

  // tcp_max_connections: false (counted, logged) when every slot is taken.
  bool try_acquire_slot(Transport t, bool outbound, const SocketAddr& peer);
  void release_slot() { active_.fetch_sub(1, std::memory_order_relaxed); }
  // tcp_max_connections_per_ip for an accepted connection; false (logged, counted) when over.
  bool try_acquire_ip(const SocketAddr& peer, Transport transport);
  void release_ip(const SocketAddr& peer);

  // A connection was made and registered (counted live), or is gone.
  void added(Transport t) { live_[t.index()].fetch_add(1, std::memory_order_relaxed); }
  void removed(Transport t) { live_[t.index()].fetch_sub(1, std::memory_order_relaxed); }

  size_t active() const { return active_.load(std::memory_order_relaxed); }
  size_t live(Transport t) const { return live_[t.index()].load(std::memory_order_relaxed); }
  const MemoryGuard& guard() const { return guard_; }
  // What shm holds now is the runtime's own: taken when no stream connection is open.
  void set_baseline();
  // See Net::avg_tls_connection_bytes.
  size_t avg_tls_connection_bytes() const;

 private:
  void log_refusal(Transport t, bool outbound, const SocketAddr& peer, size_t cost);

  const NetSettings& settings_;
  Pool& shm_;
  NetCounters& counters_;
  IpCounts per_ip_;  // inbound connections per source address, TCP and TLS together
  MemoryGuard guard_;
  LogThrottle refuse_log_{1000, 1, "connection refused"};
  // The first refusal, then at most one line per 10 s saying how many since.
  LogThrottle guard_log_{10000, 1, "connections refused by the shared memory guard"};
  std::atomic<size_t> live_[Transport::kCount] = {};  // by Transport (streams only)
  std::atomic<size_t> active_{0};
  std::atomic<size_t> baseline_{0};          // shm in use with no stream connection open
  std::atomic<size_t> openssl_baseline_{0};  // OpenSSL's share of it
};

// " (N more not logged)" after a throttled line, or nothing.
std::string suppressed_note(LogThrottle& throttle);

}  // namespace core::net
