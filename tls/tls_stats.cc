#include "tls/tls_stats.h"

#include "core/base/memory_guard.h"

namespace tls {

uint64_t TlsStatsSnapshot::failed_total() const {
  uint64_t sum = 0;
  for (uint64_t n : failed) sum += n;
  return sum;
}

void TlsStats::handshake_failed(HandshakeFailure f) {
  bump(failed_[static_cast<size_t>(f)]);
  if (f == HandshakeFailure::kNoMemory) core::count_allocation_drop();
}

TlsStatsSnapshot TlsStats::snapshot() const {
  TlsStatsSnapshot s;
  s.handshakes_done = done_.load(std::memory_order_relaxed);
  s.handshakes_resumed = resumed_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < failed_.size(); ++i)
    s.failed[i] = failed_[i].load(std::memory_order_relaxed);
  s.handshake_timeouts = handshake_timeouts_.load(std::memory_order_relaxed);
  s.send_timeouts = send_timeouts_.load(std::memory_order_relaxed);
  s.handshakes_waited = handshakes_waited_.load(std::memory_order_relaxed);
  s.close_notify_sent = close_notify_.load(std::memory_order_relaxed);
  s.renegotiation_floods = renegotiation_floods_.load(std::memory_order_relaxed);
  return s;
}

namespace {

// Label values of HandshakeFailure (snake_case, stable: dashboards select on them).
const char* failure_label(HandshakeFailure f) {
  switch (f) {
    case HandshakeFailure::kNone:
      return "none";
    case HandshakeFailure::kVerify:
      return "verify_failed";
    case HandshakeFailure::kNoCertificate:
      return "no_certificate";
    case HandshakeFailure::kProtocol:
      return "protocol";
    case HandshakeFailure::kCipher:
      return "no_shared_cipher";
    case HandshakeFailure::kPeerClosed:
      return "closed_by_peer";
    case HandshakeFailure::kOther:
      return "other";
    case HandshakeFailure::kNoMemory:
      return "out_of_memory";
  }
  return "other";
}

}  // namespace

void append_tls_metrics(const TlsStatsSnapshot& s, std::vector<core::control::Metric>& out) {
  auto counter = [&out](const char* name, uint64_t v, const char* help) {
    out.push_back(core::control::counter(name, v, help));
  };
  counter("tls_handshakes_total", s.handshakes_done, "TLS handshakes completed");
  counter("tls_handshakes_resumed_total", s.handshakes_resumed,
          "TLS handshakes completed by resuming a session (a ticket, possibly another node's "
          "under tls_ticket_key_file, or the session cache)");
  for (size_t i = 1; i < kHandshakeFailureKinds; ++i) {
    out.push_back(core::control::counter(
        "tls_handshake_failures_total", s.failed[i], "TLS handshakes failed, by reason",
        {{"reason", failure_label(static_cast<HandshakeFailure>(i))}}));
  }
  counter("tls_handshake_timeouts_total", s.handshake_timeouts,
          "TLS handshakes not done within tls_handshake_timeout");
  counter("tls_send_timeouts_total", s.send_timeouts,
          "TLS connections closed because the peer read nothing within tls_send_timeout");
  counter("tls_handshakes_waited_total", s.handshakes_waited,
          "TLS connections that waited for a tls_max_handshakes_per_ip slot");
  counter("tls_renegotiation_floods_total", s.renegotiation_floods,
          "TLS connections closed for too many KeyUpdate or renegotiation requests");
  counter("tls_close_notify_sent_total", s.close_notify_sent, "TLS close_notify alerts sent");
}

TlsStats& TlsStats::global() {
  static TlsStats stats;
  return stats;
}

}  // namespace tls
