#include "tls/tls_stats.h"

namespace tls {

uint64_t TlsStatsSnapshot::failed_total() const {
  uint64_t sum = 0;
  for (uint64_t n : failed) sum += n;
  return sum;
}

TlsStatsSnapshot TlsStats::snapshot() const {
  TlsStatsSnapshot s;
  s.handshakes_done = done_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < failed_.size(); ++i)
    s.failed[i] = failed_[i].load(std::memory_order_relaxed);
  s.handshake_timeouts = handshake_timeouts_.load(std::memory_order_relaxed);
  s.send_timeouts = send_timeouts_.load(std::memory_order_relaxed);
  s.handshakes_waited = handshakes_waited_.load(std::memory_order_relaxed);
  s.close_notify_sent = close_notify_.load(std::memory_order_relaxed);
  s.renegotiation_floods = renegotiation_floods_.load(std::memory_order_relaxed);
  return s;
}

TlsStats& TlsStats::global() {
  static TlsStats stats;
  return stats;
}

}  // namespace tls
