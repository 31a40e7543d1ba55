#include "tls/tls_socket_factory.h"

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

bool TlsSocketFactory::knows_client_domain(std::string_view id) const {
  std::shared_ptr<const DomainSet> domains = this->domains();
  return domains && domains->client_by_id(id) != nullptr;
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
  // The handshake slot (tls_max_handshakes_per_ip) is taken, or waited for, once connected.
  HandshakeLimiter* limiter = options.is_server ? limiter_ : nullptr;
  core::PoolPtr<TlsSocket> s =
      core::make_in_pool<TlsSocket>(pool, std::move(domains), options, pool, stats_, limiter);
  if (!s) return none;
  return core::PoolPtr<core::net::TransportSocket>(s.release(), core::PoolDeleter{&pool});
}

}  // namespace tls
