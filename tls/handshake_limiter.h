#pragma once
// tls_max_handshakes_per_ip: how many TLS handshakes one source IP may have in progress at once
// across all workers. A TLS socket takes a slot when it is created (the connection is refused
// when the IP is at the limit) and gives it back when its handshake ends, either way, or when
// it dies. Handshakes are the expensive part of TLS (public-key operations), so one address
// cannot tie up the workers with half-open handshakes.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/net/socket_addr.h"

namespace tls {

class HandshakeLimiter {
 public:
  explicit HandshakeLimiter(uint32_t max_per_ip) : max_(max_per_ip) {}  // 0 = no limit
  HandshakeLimiter(const HandshakeLimiter&) = delete;
  HandshakeLimiter& operator=(const HandshakeLimiter&) = delete;

  // Takes a slot for the IP of `peer` (the port is ignored); false when it is at the limit.
  bool try_acquire(const core::net::SocketAddr& peer);
  void release(const core::net::SocketAddr& peer);
  size_t in_progress(const core::net::SocketAddr& peer) const;
  uint32_t limit() const { return max_; }

 private:
  static std::string key(const core::net::SocketAddr& peer);

  uint32_t max_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, uint32_t> counts_;
};

}  // namespace tls
