#include "tls/tls_runtime.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "tls/cert_check.h"
#include "tls/cert_expiry.h"
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
          std::unique_ptr<TicketKeyStore> ticket_keys, std::string default_certificate)
      : ticket_keys_(std::move(ticket_keys)),
        limiter_(max_handshakes_per_ip),
        server_(domains, TlsStats::global(), &limiter_),
        client_(domains, TlsStats::global()),
        default_certificate_(std::move(default_certificate)) {}

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

  std::vector<core::control::DomainInfo> domain_infos(int64_t now) const override {
    std::vector<core::control::DomainInfo> out;
    std::shared_ptr<const DomainSet> set = server_.domains();
    for (const TlsDomain* d : set->all()) out.push_back(describe_domain(*d, now));
    return out;
  }

  void append_metrics(std::vector<core::control::Metric>& out, int64_t now) const override {
    append_tls_metrics(TlsStats::global().snapshot(), out);
    for (const auto& d : domain_infos(now)) {
      if (d.not_after == 0) continue;
      out.push_back({"tls_certificate_not_after_timestamp_seconds",
                     {{"domain", d.name}, {"kind", d.kind}},
                     static_cast<double>(d.not_after),
                     false,
                     "When the certificate of the TLS domain expires (notAfter), unix time"});
    }
  }

  void check_expiry(int64_t now, bool just_checked) override {
    expiry_.check(domain_infos(now), now, just_checked);
  }

  std::vector<std::string> files() const override {
    std::vector<std::string> files;
    for (const TlsDomain* d : server_.domains()->all()) {
      const cfg::TlsSettings& s = d->config().settings;
      for (const std::string* f :
           {&s.certificate, &s.private_key, &s.ca_list, &s.ca_path, &s.crl, &s.dh_params})
        if (!f->empty() && std::find(files.begin(), files.end(), *f) == files.end())
          files.push_back(*f);
    }
    return files;
  }

 private:
  core::control::DomainInfo describe_domain(const TlsDomain& d, int64_t now) const {
    core::control::DomainInfo info;
    const cfg::TlsDomainConfig& c = d.config();
    bool client = c.kind == cfg::TlsDomainKind::kClient;
    info.name = d.name();
    info.kind = client ? "client" : "server";
    info.verify_peer = c.settings.verify_for(client);
    X509* leaf = SSL_CTX_get0_certificate(d.ctx());
    if (leaf == nullptr) return info;
    info.certificate_file =
        c.settings.certificate.empty() ? default_certificate_ : c.settings.certificate;
    info.subject = subject_line(leaf);
    info.sans = subject_alt_names(leaf);
    info.not_after = asn1_unix_time(X509_get0_notAfter(leaf));
    info.days_left = days_left(info.not_after, now);
    info.expiry = expiry_text(info.not_after, now);
    return info;
  }

  std::unique_ptr<TicketKeyStore> ticket_keys_;
  HandshakeLimiter limiter_;
  TlsSocketFactory server_;
  TlsSocketFactory client_;
  std::string default_certificate_;
  ExpiryWatch expiry_;
};

}  // namespace

std::unique_ptr<TlsRuntime> TlsRuntime::create(const cfg::Config& config, cfg::Diagnostics& diags) {
  auto ticket_keys = std::make_unique<TicketKeyStore>();
  auto domains = DomainSet::build(config, diags, ticket_keys.get());
  if (!domains) return nullptr;
  std::string default_certificate =
      (std::filesystem::path(config.cfg_dir) / "cert.pem").lexically_normal().string();
  return std::make_unique<Runtime>(std::move(domains), config.tls.max_handshakes_per_ip,
                                   std::move(ticket_keys), std::move(default_certificate));
}

bool validate_tls(const cfg::Config& config, cfg::Diagnostics& diags) {
  return DomainSet::build(config, diags) != nullptr;
}

std::string library_version() {
  return OpenSSL_version(OPENSSL_VERSION);
}

}  // namespace tls
