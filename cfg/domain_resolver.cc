#include "cfg/domain_resolver.h"

#include <filesystem>
#include <map>

#include "cfg/listen_parse.h"
#include "cfg/tls_ini.h"
#include "cfg/value_parse.h"

namespace cfg {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRequireWithoutVerify =
    "tls_require_certificate = 1 has no effect without tls_verify = 1 (no client certificate "
    "is requested)";

const Assignment* find_set(const PendingDomain& d, std::string_view canonical) {
  const Assignment* found = nullptr;
  for (const auto& a : d.sets)
    if (a.spec->canonical == canonical) found = &a;
  return found;
}

// Server: the key's name or tls_server_name is the SNI name the domain answers for. Client: the
// key's name chooses the domain for that next hop and is the name sent and checked; without
// one, tls_server_name only overrides the name sent and checked (an id domain, or one chosen
// by address), as Kamailio's server_name in a [client:...] section.
void resolve_sni(const PendingDomain& pending, TlsDomainConfig* d, Diagnostics& diags) {
  bool server = d->kind == TlsDomainKind::kServer;
  if (const Assignment* set = find_set(pending, "tls_server_name")) {
    std::string name = to_lower(set->value.text);
    if (!valid_host_name(name, server)) {
      diags.error(set->loc,
                  "invalid value for 'tls_server_name': expected a host name like "
                  "\"sip.example.org\", found \"" +
                      set->value.text + "\"");
    } else if (!d->sni.empty() && d->sni != name) {
      diags.error(set->loc, "tls_server_name \"" + set->value.text + "\" differs from the name \"" +
                                d->sni + "\" in the block's key at " + pending.sni_loc.to_string());
    }
    if (server) d->sni = name;
    d->settings.server_name = name;
  } else if (!d->sni.empty() && !server) {
    d->settings.server_name = d->sni;  // the key's name is the SNI sent and checked
  }
  if (server) d->settings.server_name = d->sni;
}

void warn_require_without_verify(const PendingDomain& pending, const TlsDomainConfig& d,
                                 Diagnostics& diags) {
  if (d.kind != TlsDomainKind::kServer) return;
  if (!d.settings.require_certificate || d.settings.verify_for(false)) return;
  const Assignment* set = find_set(pending, "tls_require_certificate");
  if (!set) set = find_set(pending, "tls_verify");
  if (set) diags.warning(set->loc, kRequireWithoutVerify);
}

// Only outbound connections check a peer's name against a SIP domain (RFC 5922 §7.2).
void warn_wildcards_on_server(const PendingDomain& pending, const TlsDomainConfig& d,
                              Diagnostics& diags) {
  if (d.kind != TlsDomainKind::kServer) return;
  if (const Assignment* set = find_set(pending, "tls_verify_wildcards"))
    diags.warning(set->loc,
                  "tls_verify_wildcards has no effect in a server domain (it applies to the "
                  "certificates of peers ser connects to: put it in a tls_client_domain)");
}

TlsDomainConfig resolve_domain(const PendingDomain& pending, const Config& config,
                               Diagnostics& diags) {
  TlsDomainConfig d = pending.domain;
  d.settings = config.tls.defaults;
  for (const auto& a : pending.sets) {
    a.spec->set_tls(d.settings, a.value);
    d.overridden.insert(std::string(a.spec->canonical));
  }
  resolve_sni(pending, &d, diags);
  resolve_tls_paths(config.cfg_dir, &d.settings);
  warn_require_without_verify(pending, d, diags);
  warn_wildcards_on_server(pending, d, diags);
  if (d.kind == TlsDomainKind::kClient)
    if (const Assignment* set = find_set(pending, "tls_sni_strict"))
      diags.warning(set->loc,
                    "tls_sni_strict has no effect in a client domain (it refuses ClientHellos "
                    "on a server socket)");
  return d;
}

void drop_tls(ParseState& state, Diagnostics& diags) {
  Config& c = *state.config;
  std::vector<ListenConfig> kept;
  for (auto& l : c.core.listen) {
    if (l.proto != Transport::kTls) {
      kept.push_back(l);
      continue;
    }
    diags.warning(l.loc, "listen '" + l.to_string() + "' is ignored: disable_tls is set");
  }
  c.core.listen = std::move(kept);
  for (const auto& d : c.tls_domains)
    diags.warning(d.loc, d.describe() + " is ignored: disable_tls is set");
  c.tls_domains.clear();
  if (!c.tls.config_file.empty())
    diags.warning(state.global_set_at["tls_config"], "tls_config is ignored: disable_tls is set");
}

void merge_tls_ini(Config& c, Diagnostics& diags) {
  fs::path p(c.tls.config_file);
  fs::path shown = p.is_relative() ? fs::path(c.main_file).parent_path() / p : p;
  if (p.is_relative()) c.tls.config_file = (fs::path(c.cfg_dir) / p).lexically_normal().string();
  std::vector<TlsDomainConfig> ini;
  read_tls_ini(shown.lexically_normal().string(), c.tls.defaults, &ini, &diags);
  // The reader resolves relative names against the tls.cfg directory as it was named,
  // which may itself be relative to the working directory: make them absolute.
  std::error_code ec;
  std::string cwd = fs::current_path(ec).string();
  for (auto& d : ini) {
    resolve_tls_paths(cwd, &d.settings);
    c.tls_domains.push_back(std::move(d));
  }
}

void check_listen_duplicates(const Config& c, Diagnostics& diags) {
  std::map<std::string, SourceLoc> seen;
  for (const auto& l : c.core.listen) {
    auto [it, fresh] = seen.emplace(l.to_string(), l.loc);
    if (fresh) continue;
    diags.error(l.loc, "duplicate listen socket '" + l.to_string() + "'");
    diags.note(it->second, "'" + l.to_string() + "' was first given here");
  }
}

bool has_tls_socket(const Config& c, const TlsDomainConfig& d) {
  for (const auto& l : c.effective_listen()) {
    if (l.proto == Transport::kTls && l.port == d.port && listen_covers(l, d.host, d.host_kind))
      return true;
  }
  return false;
}

void report_duplicate(const TlsDomainConfig& first, const TlsDomainConfig& second, bool clash,
                      Diagnostics& diags) {
  if (clash) {
    diags.error(second.loc, "tls.cfg domain '" + second.key() + "' clashes with " +
                                first.describe() + " at " + first.loc.to_string() +
                                ": configure each domain in one place only");
  } else if (!second.id.empty()) {
    diags.error(second.loc, "duplicate " + second.describe() +
                                ": a client domain with the same id (ids compare without "
                                "regard to case) was already configured");
  } else {
    diags.error(second.loc, "duplicate " + second.describe() + ": a domain for the same " +
                                (second.kind == TlsDomainKind::kServer ? "address" : "peer") +
                                " and SNI name was already configured");
  }
  diags.note(first.loc, first.describe() + " was first defined here");
}

// Domains [0, first_ini) come from ser.cfg blocks, the rest from tls.cfg.
void check_domains(const Config& c, size_t first_ini, Diagnostics& diags) {
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < c.tls_domains.size(); ++i) {
    const TlsDomainConfig& d = c.tls_domains[i];
    auto [it, fresh] = seen.emplace(d.key(), i);
    // Two tls.cfg sections for one key are the tls.cfg reader's to report.
    if (!fresh && !(it->second >= first_ini && i >= first_ini))
      report_duplicate(c.tls_domains[it->second], d, i >= first_ini && it->second < first_ini,
                       diags);
    if (d.kind == TlsDomainKind::kServer && !d.is_default && !has_tls_socket(c, d)) {
      std::string addr = host_text(d.host, d.host_kind) + ":" + std::to_string(d.port);
      diags.error(d.loc, d.describe() + ": " + addr +
                             " is not a TLS listen socket (expected "
                             "a matching listen=tls:" +
                             addr + ")");
    }
  }
}

// How a server domain treats client certificates, as ser.cfg spells it; the CA files only
// matter when it verifies.
std::string client_verification(const TlsSettings& s) {
  if (!s.verify_for(false)) return "tls_verify = 0";
  std::string p = "tls_verify = 1, tls_require_certificate = ";
  p += s.require_certificate ? "1" : "0";
  if (!s.ca_list.empty()) p += ", tls_ca_list = \"" + s.ca_list + "\"";
  if (!s.ca_path.empty()) p += ", tls_ca_path = \"" + s.ca_path + "\"";
  if (!s.crl.empty()) p += ", tls_crl = \"" + s.crl + "\"";
  p += ", tls_verify_depth = " + std::to_string(s.verify_depth);
  return p;
}

// The client picks among a socket's domains with the SNI it sends (or leaves out): when they
// verify clients differently, the weakest one is what a hostile client gets.
void warn_mixed_verification(const Config& c, Diagnostics& diags) {
  const auto& ds = c.tls_domains;
  for (size_t i = 0; i < ds.size(); ++i) {
    if (ds[i].kind != TlsDomainKind::kServer || ds[i].is_default) continue;
    for (size_t j = 0; j < i; ++j) {
      const TlsDomainConfig& first = ds[j];
      if (first.kind != TlsDomainKind::kServer || first.is_default || first.port != ds[i].port ||
          first.host != ds[i].host || first.host_kind != ds[i].host_kind)
        continue;
      std::string mine = client_verification(ds[i].settings);
      std::string theirs = client_verification(first.settings);
      if (mine != theirs)
        diags.warning(ds[i].loc, ds[i].describe() + " verifies clients differently from " +
                                     first.describe() + " on the same socket (" + mine + " here; " +
                                     theirs +
                                     " there): a client chooses which applies by the SNI it "
                                     "sends");
      break;  // compared with the socket's first domain only
    }
  }
}

}  // namespace

void resolve_tls_paths(const std::string& cfg_dir, TlsSettings* s) {
  auto fix = [&](std::string& path) {
    if (!path.empty() && fs::path(path).is_relative())
      path = (fs::path(cfg_dir) / path).lexically_normal().string();
  };
  if (s->certificate.empty()) s->certificate = "cert.pem";
  if (s->private_key.empty()) s->private_key = "cert.pem";
  for (std::string* p : {&s->certificate, &s->private_key, &s->ca_list, &s->ca_path, &s->crl,
                         &s->dh_params, &s->keylog_file})
    fix(*p);
}

// The guard needs a band between the marks to stop flapping (core/base/memory_guard.h).
void check_memory_marks(ParseState& state, Diagnostics& diags) {
  const CoreParams& core = state.config->core;
  if (core.shm_low_water < core.shm_high_water) return;
  const char* at = state.global_set_at.count("shm_low_water") ? "shm_low_water" : "shm_high_water";
  diags.error(state.global_set_at[at], "shm_low_water (" + std::to_string(core.shm_low_water) +
                                           ") must be below shm_high_water (" +
                                           std::to_string(core.shm_high_water) + ")");
}

void resolve_config(ParseState& state, Diagnostics& diags) {
  Config& c = *state.config;
  check_memory_marks(state, diags);
  resolve_tls_paths(c.cfg_dir, &c.tls.defaults);
  if (!c.tls.ticket_key_file.empty() && fs::path(c.tls.ticket_key_file).is_relative())
    c.tls.ticket_key_file =
        (fs::path(c.cfg_dir) / c.tls.ticket_key_file).lexically_normal().string();
  const TlsSettings& g = c.tls.defaults;
  if (g.require_certificate && !g.verify_for(false))
    diags.warning(state.global_set_at["tls_require_certificate"], kRequireWithoutVerify);
  for (const auto& pending : state.domains)
    c.tls_domains.push_back(resolve_domain(pending, c, diags));
  if (c.tls.disable_tls) drop_tls(state, diags);
  size_t first_ini = c.tls_domains.size();
  if (!c.tls.disable_tls && !c.tls.config_file.empty()) merge_tls_ini(c, diags);
  check_listen_duplicates(c, diags);
  check_domains(c, first_ini, diags);
  warn_mixed_verification(c, diags);
}

}  // namespace cfg
