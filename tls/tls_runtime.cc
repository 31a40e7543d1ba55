#include "tls/tls_runtime.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tls/builtin_key_methods.h"
#include "tls/cert_check.h"
#include "tls/cert_expiry.h"
#include "tls/domain_set.h"
#include "tls/handshake_limiter.h"
#include "tls/ticket_key_file.h"
#include "tls/ticket_keys.h"
#include "tls/tls_socket_factory.h"
#include "tls/tls_stats.h"

namespace tls {

namespace {

// The keys of tls_ticket_key_file, read now (start-up, `ser -c`, each reload). True without the
// parameter (`keys` left empty: each process keeps its own rotating keys); false when the file
// is missing or bad (diags say where).
bool read_configured_keys(const cfg::Config& config, cfg::Diagnostics& diags,
                          std::optional<std::vector<TicketKey>>* keys) {
  keys->reset();
  if (config.tls.ticket_key_file.empty()) return true;
  auto at = config.set_at.find("tls_ticket_key_file");
  cfg::SourceLoc loc = at != config.set_at.end() ? at->second : cfg::SourceLoc{config.main_file};
  std::vector<TicketKey> read;
  if (!read_ticket_key_file(config.tls.ticket_key_file, loc, &read, diags)) return false;
  *keys = std::move(read);
  return true;
}

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

  // The file's keys are read here and put in service only by use_domains: a reload that fails
  // leaves the keys in service as they were.
  std::shared_ptr<const DomainSet> build_domains(const cfg::Config& config,
                                                 cfg::Diagnostics& diags) override {
    std::optional<std::vector<TicketKey>> file_keys;
    if (!read_configured_keys(config, diags, &file_keys)) return nullptr;
    ticket_keys_->use_shared(file_keys.has_value());
    auto set = DomainSet::build(config, diags, ticket_keys_.get());
    if (set) {
      std::lock_guard<std::mutex> lock(mu_);
      pending_keys_ = std::move(file_keys);
      pending_key_file_ = config.tls.ticket_key_file;
    }
    return set;
  }

  // At start: the file's keys, before any handshake.
  void use_file_keys(std::optional<std::vector<TicketKey>> keys, const std::string& file) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_keys_ = std::move(keys);
    pending_key_file_ = file;
    apply_pending_keys();
  }

  void use_domains(std::shared_ptr<const DomainSet> domains) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      apply_pending_keys();
    }
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
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!key_file_.empty()) files.push_back(key_file_);  // replacing it rotates the keys
    }
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
  // With mu_ held. Every context sharing the file's keys (old ones too) takes the new keys at
  // once: a ticket issued before the rotation resumes while its key is still in the file.
  void apply_pending_keys() {
    if (pending_keys_) ticket_keys_->shared()->use_fixed(*pending_keys_);
    key_file_ = pending_key_file_;
    pending_keys_.reset();
  }

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
  mutable std::mutex mu_;  // guards the three below (a reload builds; files() reads)
  std::optional<std::vector<TicketKey>> pending_keys_;
  std::string pending_key_file_;
  std::string key_file_;  // tls_ticket_key_file in service ("" = none)
  HandshakeLimiter limiter_;
  TlsSocketFactory server_;
  TlsSocketFactory client_;
  std::string default_certificate_;
  ExpiryWatch expiry_;
};

}  // namespace

std::unique_ptr<TlsRuntime> TlsRuntime::create(const cfg::Config& config, cfg::Diagnostics& diags) {
  // Before the domains load their CA lists: peers' certificates and the CAs checking them then
  // use the same built-in methods. At start only (restart_changes.cc lists the parameter).
  std::string error;
  if (config.tls.builtin_key_methods && !use_builtin_key_methods(&error))
    diags.warning({}, "tls_builtin_key_methods: " + error + "; OpenSSL's provider decoders stay");
  std::optional<std::vector<TicketKey>> file_keys;
  if (!read_configured_keys(config, diags, &file_keys)) return nullptr;
  auto ticket_keys = std::make_unique<TicketKeyStore>();
  ticket_keys->use_shared(file_keys.has_value());
  auto domains = DomainSet::build(config, diags, ticket_keys.get());
  if (!domains) return nullptr;
  std::string default_certificate =
      (std::filesystem::path(config.cfg_dir) / "cert.pem").lexically_normal().string();
  auto rt = std::make_unique<Runtime>(std::move(domains), config.tls.max_handshakes_per_ip,
                                      std::move(ticket_keys), std::move(default_certificate));
  rt->use_file_keys(std::move(file_keys), config.tls.ticket_key_file);
  return rt;
}

bool validate_tls(const cfg::Config& config, cfg::Diagnostics& diags) {
  std::optional<std::vector<TicketKey>> file_keys;
  bool keys_ok = read_configured_keys(config, diags, &file_keys);
  return DomainSet::build(config, diags) != nullptr && keys_ok;
}

std::string library_version() {
  return OpenSSL_version(OPENSSL_VERSION);
}

}  // namespace tls
