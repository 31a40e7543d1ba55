#include "tls/domain_set.h"

#include <arpa/inet.h>

#include <filesystem>
#include <optional>
#include <unordered_map>

#include "core/sip/text.h"
#include "tls/sni_select.h"
#include "tls/tls_context.h"

namespace tls {

namespace {

using core::net::SocketAddr;

class TlsDomainImpl final : public TlsDomain {
 public:
  TlsDomainImpl(cfg::TlsDomainConfig config, SslCtxPtr ctx, std::optional<SocketAddr> addr)
      : config_(std::move(config)), ctx_(std::move(ctx)), addr_(addr) {
    name_ = config_.describe();
    if (name_.rfind("the ", 0) == 0) name_ = name_.substr(4);  // "default server domain"
  }
  const cfg::TlsDomainConfig& config() const override { return config_; }
  SSL_CTX* ctx() const override { return ctx_.get(); }
  const std::string& name() const override { return name_; }

  bool is_server() const { return config_.kind == cfg::TlsDomainKind::kServer; }
  bool has_sni() const { return !config_.sni.empty(); }
  // The domain's address; nullopt for the defaults.
  const std::optional<SocketAddr>& addr() const { return addr_; }

 private:
  cfg::TlsDomainConfig config_;
  SslCtxPtr ctx_;
  std::optional<SocketAddr> addr_;
  std::string name_;
};

// An IPv4-mapped IPv6 address (a dual-stack socket) as the IPv4 address it stands for.
SocketAddr unmapped(const SocketAddr& a) {
  if (a.af() != AF_INET6) return a;
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a.sa());
  if (!IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return a;
  char text[INET_ADDRSTRLEN];
  if (inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], text, sizeof text) == nullptr) return a;
  return SocketAddr::parse(text, a.port()).value_or(a);
}

// Exact address and port, else a domain on the wildcard address of that port and family.
bool addr_matches(const std::optional<SocketAddr>& domain_addr, const SocketAddr& a) {
  if (!domain_addr) return false;
  if (*domain_addr == a) return true;
  return domain_addr->is_any() && domain_addr->port() == a.port() && domain_addr->af() == a.af();
}

// The rank of client domain `d` for `a` and `name` (lower is better), -1 when it does not
// apply: exact address declared for the name, exact address without a name, exact address
// declared for a name when the next hop is named by its address (it has no name to match: the
// domain's name is then sent and checked, as Kamailio does for a [client:IP:PORT] section with
// server_name when no name is asked for); then the same three on the wildcard address of that
// port. RFC 4343: names compare without case.
int client_rank(const TlsDomainImpl& d, const SocketAddr& a, std::string_view name) {
  if (d.is_server() || !d.addr() || !addr_matches(d.addr(), a)) return -1;
  int base = *d.addr() == a ? 0 : 3;
  if (!d.has_sni()) return base + 1;
  if (core::sip::iequals(d.config().sni, name)) return base;
  bool address_hop = name.empty() || SocketAddr::parse(name, 0).has_value();
  return address_hop ? base + 2 : -1;
}

class DomainSetImpl final : public DomainSet {
 public:
  std::vector<std::unique_ptr<TlsDomainImpl>> domains;
  const TlsDomainImpl* default_server = nullptr;
  const TlsDomainImpl* default_client = nullptr;

  const TlsDomain& server_for(const SocketAddr& local) const override {
    return *find(unmapped(local), /*server=*/true, default_server);
  }

  const TlsDomain* server_for_sni(const SocketAddr& local, std::string_view name) const override {
    SocketAddr a = unmapped(local);
    const TlsDomain* wildcard = nullptr;
    for (const auto& d : domains) {
      if (!d->is_server() || !d->has_sni() || !addr_matches(d->addr(), a)) continue;
      if (!sni_name_matches(d->config().sni, name)) continue;
      if (d->config().sni.rfind("*.", 0) != 0) return d.get();  // an exact name wins
      if (wildcard == nullptr) wildcard = d.get();
    }
    return wildcard;
  }

  bool sni_strict(const SocketAddr& local) const override {
    SocketAddr a = unmapped(local);
    if (find(a, /*server=*/true, default_server)->config().settings.sni_strict) return true;
    for (const auto& d : domains)
      if (d->is_server() && d->has_sni() && d->config().settings.sni_strict &&
          addr_matches(d->addr(), a))
        return true;
    return false;
  }

  const TlsDomain* client_for(const SocketAddr& peer,
                              const core::net::TlsIdentity& identity) const override {
    if (!identity.client_domain.empty()) return client_by_id(identity.client_domain);
    return find_client(unmapped(peer), identity.server_name);
  }

  const TlsDomain* client_by_id(std::string_view id) const override {
    for (const auto& d : domains)
      if (!d->is_server() && !d->config().id.empty() && core::sip::iequals(d->config().id, id))
        return d.get();
    return nullptr;
  }

  std::vector<const TlsDomain*> all() const override {
    std::vector<const TlsDomain*> v;
    for (const auto& d : domains) v.push_back(d.get());
    return v;
  }

 private:
  const TlsDomain* find_client(const SocketAddr& a, std::string_view name) const {
    const TlsDomain* best = default_client;
    int best_rank = 6;
    for (const auto& d : domains) {
      int rank = client_rank(*d, a, name);
      if (rank < 0 || rank >= best_rank) continue;
      best = d.get();
      best_rank = rank;
    }
    return best;
  }

  // The address's own domain, by rank: exact address without a name, exact address with a
  // name (the first declared), wildcard address without a name, and for a server socket a
  // wildcard address with a name; else `fallback`.
  const TlsDomain* find(const SocketAddr& a, bool server, const TlsDomain* fallback) const {
    const TlsDomain* best = fallback;
    int best_rank = 4;
    for (const auto& d : domains) {
      if (d->is_server() != server || !d->addr()) continue;
      int rank;
      if (*d->addr() == a)
        rank = d->has_sni() ? 1 : 0;
      else if (addr_matches(d->addr(), a) && (server || !d->has_sni()))
        rank = d->has_sni() ? 3 : 2;
      else
        continue;
      if (rank == 0) return d.get();
      if (rank < best_rank) {
        best = d.get();
        best_rank = rank;
      }
    }
    return best;
  }
};

cfg::TlsDomainConfig default_domain(const cfg::Config& config, cfg::TlsDomainKind kind) {
  for (const auto& d : config.tls_domains)
    if (d.is_default && d.kind == kind) return d;  // tls.cfg [server:default] / [client:default]
  cfg::TlsDomainConfig d;
  d.kind = kind;
  d.is_default = true;
  d.settings = config.tls.defaults;
  d.loc.file = config.main_file;
  return d;
}

// The default server domain is needed when a TLS listen socket has no domain of its own, with
// or without a name (a host-name socket always may need it; a wildcard socket unless a domain
// has the same wildcard address).
bool default_server_needed(const cfg::Config& config) {
  for (const auto& l : config.effective_listen()) {
    if (l.proto != core::Transport::kTls) continue;
    auto addr = SocketAddr::parse(l.host, l.port);
    if (!addr) return true;
    bool covered = false;
    for (const auto& d : config.tls_domains) {
      if (d.kind != cfg::TlsDomainKind::kServer || d.is_default) continue;
      auto da = SocketAddr::parse(d.host, d.port);
      if (da && *da == *addr) covered = true;
    }
    if (!covered) return true;
  }
  return false;
}

std::unique_ptr<TlsDomainImpl> build_domain(const cfg::TlsDomainConfig& d,
                                            const ContextOptions& options,
                                            cfg::Diagnostics& diags) {
  DomainReporter report(diags, d.loc, d.describe());
  std::optional<SocketAddr> addr;
  if (!d.is_default && d.id.empty()) {
    addr = SocketAddr::parse(d.host, d.port);
    if (!addr) report.error("address", "\"" + d.host + "\" is not a numeric IP address");
  }
  SslCtxPtr ctx = build_context(d, options, report);
  if (!ctx || report.failed()) return nullptr;
  if (d.kind == cfg::TlsDomainKind::kServer) install_sni_callback(ctx.get());
  return std::make_unique<TlsDomainImpl>(d, std::move(ctx), addr);
}

}  // namespace

std::shared_ptr<const DomainSet> DomainSet::build(const cfg::Config& config,
                                                  cfg::Diagnostics& diags,
                                                  TicketKeyStore* ticket_keys) {
  auto set = std::make_shared<DomainSetImpl>();
  ContextOptions options;
  options.ticket_keys = ticket_keys;
  options.default_certificate =
      (std::filesystem::path(config.cfg_dir) / "cert.pem").lexically_normal().string();
  bool ok = true;
  auto add = [&](const cfg::TlsDomainConfig& d, bool cert_required) -> const TlsDomainImpl* {
    options.certificate_required = cert_required;
    auto domain = build_domain(d, options, diags);
    if (!domain) {
      ok = false;
      return nullptr;
    }
    set->domains.push_back(std::move(domain));
    return set->domains.back().get();
  };
  set->default_server =
      add(default_domain(config, cfg::TlsDomainKind::kServer), default_server_needed(config));
  set->default_client = add(default_domain(config, cfg::TlsDomainKind::kClient), false);
  for (const auto& d : config.tls_domains)
    if (!d.is_default) add(d, d.kind == cfg::TlsDomainKind::kServer);
  if (!ok) return nullptr;
  return set;
}

}  // namespace tls
