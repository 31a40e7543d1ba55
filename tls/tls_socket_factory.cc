#include "tls/tls_socket_factory.h"

#include "tls/handshake_limiter.h"
#include "tls/tls_socket.h"
#include "tls/tls_stats.h"

namespace tls {

TlsSocketFactory::TlsSocketFactory(std::shared_ptr<const DomainSet> domains, TlsStats& stats,
                                   HandshakeLimiter* limiter)
    : domains_(std::move(domains)), stats_(stats), limiter_(limiter) {}

void TlsSocketFactory::set_domains(std::shared_ptr<const DomainSet> domains) {
  std::lock_guard<std::mutex> lock(mu_);
  domains_ = std::move(domains);
}

std::shared_ptr<const DomainSet> TlsSocketFactory::domains() const {
  std::lock_guard<std::mutex> lock(mu_);
  return domains_;
}

core::PoolPtr<core::net::TransportSocket> TlsSocketFactory::create(
    const core::net::TransportSocketOptions& options, core::Pool& pool) {
  core::PoolPtr<core::net::TransportSocket> none(nullptr, core::PoolDeleter{&pool});
  std::shared_ptr<const DomainSet> domains = this->domains();
  if (!domains) return none;
  HandshakeLimiter* limiter = options.is_server ? limiter_ : nullptr;
  if (limiter != nullptr && !limiter->try_acquire(options.peer)) {
    stats_.limit_refused();
    if (refuse_log_.allow()) {
      LOG_WARN(
          "tls connection from %s refused: tls_max_handshakes_per_ip (%u) handshakes in "
          "progress from that address (%llu more refusals not logged)",
          options.peer.to_string().c_str(), limiter->limit(),
          static_cast<unsigned long long>(refuse_log_.take_suppressed()));
    }
    return none;
  }
  core::PoolPtr<TlsSocket> s =
      core::make_in_pool<TlsSocket>(pool, std::move(domains), options, pool, stats_, limiter);
  if (!s) {
    if (limiter != nullptr) limiter->release(options.peer);
    return none;
  }
  return core::PoolPtr<core::net::TransportSocket>(s.release(), core::PoolDeleter{&pool});
}

}  // namespace tls
