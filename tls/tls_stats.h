#pragma once
// TLS counters, updated from every worker with relaxed atomics and read as a snapshot.
// Handshake and send timeouts are decided by the connection (core/net counts them in
// NetStats::handshake_timeouts / send_timeouts); the TLS socket counts them here once, from the
// reason the connection gives its close(), so the TLS figures stand on their own.
#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "core/control/server_control.h"

#include "core/base/log.h"
#include "tls/tls_errors.h"

namespace tls {

struct TlsStatsSnapshot {
  uint64_t handshakes_done = 0;
  uint64_t handshakes_resumed = 0;  // of those, resumed sessions (a ticket or the cache)
  // Indexed by HandshakeFailure (kNone stays 0).
  std::array<uint64_t, kHandshakeFailureKinds> failed{};
  uint64_t handshake_timeouts = 0;
  uint64_t send_timeouts = 0;
  uint64_t handshakes_waited = 0;  // waited for a tls_max_handshakes_per_ip slot
  uint64_t close_notify_sent = 0;
  uint64_t renegotiation_floods = 0;  // closed for too many KeyUpdate/renegotiation requests

  uint64_t failed_by(HandshakeFailure f) const { return failed[static_cast<size_t>(f)]; }
  uint64_t failed_total() const;
};

// The counters as metrics (tls_handshakes_total, tls_handshake_failures_total{reason}, ...).
void append_tls_metrics(const TlsStatsSnapshot& s, std::vector<core::control::Metric>& out);

// Throttles of the TLS lines a peer can cause at will (core::LogThrottle), one per kind.
struct TlsLog {
  core::LogThrottle handshake_failed{"tls handshake failed"};
  core::LogThrottle tls_error{"tls error on an established connection"};
  core::LogThrottle renegotiation_flood{"closed for KeyUpdate or renegotiation floods"};
  core::LogThrottle waiting{"connections waiting for a handshake slot (tls_max_handshakes_per_ip)"};
};

class TlsStats {
 public:
  TlsLog& log() { return log_; }
  void handshake_done() { bump(done_); }
  void handshake_resumed() { bump(resumed_); }
  // A handshake OpenSSL could not get memory for is also a connection dropped on a failed
  // allocation (core::allocation_drops()).
  void handshake_failed(HandshakeFailure f);
  void handshake_timeout() { bump(handshake_timeouts_); }
  void send_timeout() { bump(send_timeouts_); }
  void handshake_waited() { bump(handshakes_waited_); }
  void close_notify_sent() { bump(close_notify_); }
  void renegotiation_flood() { bump(renegotiation_floods_); }
  TlsStatsSnapshot snapshot() const;

  // The process-wide counters (what `serctl` and the stats output show).
  static TlsStats& global();

 private:
  static void bump(std::atomic<uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }

  std::atomic<uint64_t> done_{0};
  std::atomic<uint64_t> resumed_{0};
  std::array<std::atomic<uint64_t>, kHandshakeFailureKinds> failed_{};
  std::atomic<uint64_t> handshake_timeouts_{0};
  std::atomic<uint64_t> send_timeouts_{0};
  std::atomic<uint64_t> handshakes_waited_{0};
  std::atomic<uint64_t> close_notify_{0};
  std::atomic<uint64_t> renegotiation_floods_{0};
  TlsLog log_;
};

}  // namespace tls
