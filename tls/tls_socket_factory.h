#pragma once
// Makes TlsSockets for core::net: one server factory per TLS listener (accepted connections),
// one client factory for outbound TLS (Net::set_client_factory). The factory holds the domain
// set in effect; a reload swaps it with set_domains() and live connections keep the set (and
// contexts) they started with (DESIGN.md principle 4).
#include <memory>
#include <mutex>

#include "core/base/log.h"
#include "core/net/transport_socket.h"
#include "tls/domain_set.h"

namespace tls {

class HandshakeLimiter;
class TlsStats;

class TlsSocketFactory final : public core::net::TransportSocketFactory {
 public:
  // `limiter` (server side, may be null): tls_max_handshakes_per_ip, shared by every listener.
  TlsSocketFactory(std::shared_ptr<const DomainSet> domains, TlsStats& stats,
                   HandshakeLimiter* limiter = nullptr);

  // Null (the connection is refused) when the pool refuses the memory.
  core::PoolPtr<core::net::TransportSocket> create(const core::net::TransportSocketOptions& options,
                                                   core::Pool& pool) override;

  bool knows_client_domain(std::string_view id) const override;

  void set_domains(std::shared_ptr<const DomainSet> domains);
  std::shared_ptr<const DomainSet> domains() const;

 private:
  mutable std::mutex mu_;  // guards domains_ (a reload may swap it while workers accept)
  std::shared_ptr<const DomainSet> domains_;
  TlsStats& stats_;
  HandshakeLimiter* limiter_;
};

}  // namespace tls
