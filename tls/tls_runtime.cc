#include "tls/tls_runtime.h"

#include <openssl/crypto.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tls/domain_set.h"
#include "tls/handshake_limiter.h"
#include "tls/ticket_keys.h"
#include "tls/tls_socket_factory.h"
#include "tls/tls_stats.h"

namespace tls {

namespace {

class Runtime final : public TlsRuntime {
 public:
  Runtime(std::shared_ptr<const DomainSet> domains, uint32_t max_handshakes_per_ip,
          std::unique_ptr<TicketKeyStore> ticket_keys)
      : ticket_keys_(std::move(ticket_keys)),
        limiter_(max_handshakes_per_ip),
        server_(domains, TlsStats::global(), &limiter_),
        client_(domains, TlsStats::global()) {}

  core::net::TransportSocketFactory* server_factory() override { return &server_; }
  core::net::TransportSocketFactory* client_factory() override { return &client_; }

  std::string stats_line() const override {
    TlsStatsSnapshot s = TlsStats::global().snapshot();
    char line[256];
    std::snprintf(line, sizeof(line),
                  "tls: %llu handshakes done, %llu failed, %llu timed out, %llu send timeouts, "
                  "%llu waited for tls_max_handshakes_per_ip, %llu closed for KeyUpdate or "
                  "renegotiation floods",
                  static_cast<unsigned long long>(s.handshakes_done),
                  static_cast<unsigned long long>(s.failed_total()),
                  static_cast<unsigned long long>(s.handshake_timeouts),
                  static_cast<unsigned long long>(s.send_timeouts),
                  static_cast<unsigned long long>(s.handshakes_waited),
                  static_cast<unsigned long long>(s.renegotiation_floods));
    return line;
  }

  std::shared_ptr<const DomainSet> build_domains(const cfg::Config& config,
                                                 cfg::Diagnostics& diags) override {
    return DomainSet::build(config, diags, ticket_keys_.get());
  }

  void use_domains(std::shared_ptr<const DomainSet> domains) override {
    std::vector<std::string> keys;
    for (const TlsDomain* d : domains->all()) keys.push_back(d->config().key());
    server_.set_domains(domains);
    client_.set_domains(std::move(domains));
    ticket_keys_->keep_only(keys);  // domains the reload removed
  }

  std::shared_ptr<const DomainSet> domains() const override { return server_.domains(); }

 private:
  std::unique_ptr<TicketKeyStore> ticket_keys_;
  HandshakeLimiter limiter_;
  TlsSocketFactory server_;
  TlsSocketFactory client_;
};

}  // namespace

std::unique_ptr<TlsRuntime> TlsRuntime::create(const cfg::Config& config, cfg::Diagnostics& diags) {
  auto ticket_keys = std::make_unique<TicketKeyStore>();
  auto domains = DomainSet::build(config, diags, ticket_keys.get());
  if (!domains) return nullptr;
  return std::make_unique<Runtime>(std::move(domains), config.tls.max_handshakes_per_ip,
                                   std::move(ticket_keys));
}

bool validate_tls(const cfg::Config& config, cfg::Diagnostics& diags) {
  return DomainSet::build(config, diags) != nullptr;
}

std::string library_version() {
  return OpenSSL_version(OPENSSL_VERSION);
}

}  // namespace tls
