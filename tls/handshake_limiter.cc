#include "tls/handshake_limiter.h"

#include <netinet/in.h>

namespace tls {

// The raw address bytes (4 or 16), no formatting on the accept path.
std::string HandshakeLimiter::key(const core::net::SocketAddr& peer) {
  if (peer.af() == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(peer.sa());
    return std::string(reinterpret_cast<const char*>(&sin->sin_addr), sizeof(sin->sin_addr));
  }
  if (peer.af() == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(peer.sa());
    return std::string(reinterpret_cast<const char*>(&sin6->sin6_addr), sizeof(sin6->sin6_addr));
  }
  return std::string();
}

bool HandshakeLimiter::try_acquire(const core::net::SocketAddr& peer) {
  std::string k = key(peer);
  std::lock_guard<std::mutex> lock(mu_);
  uint32_t& n = counts_[k];
  if (max_ > 0 && n >= max_) return false;
  ++n;
  return true;
}

void HandshakeLimiter::release(const core::net::SocketAddr& peer) {
  std::string k = key(peer);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counts_.find(k);
  if (it == counts_.end()) return;
  if (--it->second == 0) counts_.erase(it);
}

size_t HandshakeLimiter::in_progress(const core::net::SocketAddr& peer) const {
  std::string k = key(peer);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counts_.find(k);
  return it == counts_.end() ? 0 : it->second;
}

}  // namespace tls
