#include "cfg/param_table.h"

#include "cfg/listen_parse.h"
#include "cfg/value_parse.h"

namespace cfg {

namespace {

using C = Config&;
using T = TlsSettings&;
using V = const ParamValue&;
using K = const Config&;
using KT = const TlsSettings&;

constexpr int64_t kSec = 1000;

uint32_t u32(V v) {
  return static_cast<uint32_t>(v.number);
}

// Values as ser.cfg spells them, so that `name = value` lines can be pasted back.
std::string yes_no(bool b) {
  return b ? "yes" : "no";
}
std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}
std::string duration(Millis d) {
  int64_t ms = d.count();
  return ms % kSec == 0 ? std::to_string(ms / kSec) + "s" : std::to_string(ms) + "ms";
}
template <typename N>
std::string number(N n) {
  return std::to_string(n);
}

ParamSpec core(std::string_view name, ParamType type, int64_t min, int64_t max, CoreSetter set,
               CoreGetter get) {
  return ParamSpec{name,    name, type,   ParamScope::kCore, min, max, false, set,
                   nullptr, get,  nullptr};
}

ParamSpec tls_global(std::string_view name, ParamType type, int64_t min, int64_t max,
                     CoreSetter set, CoreGetter get) {
  return ParamSpec{name,    name, type,   ParamScope::kTlsGlobal, min, max, false, set,
                   nullptr, get,  nullptr};
}

ParamSpec tls(std::string_view name, ParamType type, int64_t min, int64_t max, TlsSetter set,
              TlsGetter get) {
  return ParamSpec{name, name,    type, ParamScope::kTlsDomain, min, max, false, nullptr,
                   set,  nullptr, get};
}

ParamSpec alias_of(ParamSpec spec, std::string_view alias) {
  spec.name = alias;
  return spec;
}

ParamSpec repeatable(ParamSpec spec) {
  spec.repeatable = true;
  return spec;
}

// listen and alias are lists: effective_parameters() gives one entry per element.
std::vector<ParamSpec> core_params() {
  auto log_level = core(
      "log_level", ParamType::kInt, 0, 4,
      [](C c, V v) { c.core.log_level = static_cast<int>(v.number); },
      [](K c) { return number(c.core.log_level); });
  return {
      repeatable(core(
          "listen", ParamType::kListen, 0, 0, [](C c, V v) { c.core.listen.push_back(v.listen); },
          nullptr)),
      repeatable(core(
          "alias", ParamType::kAlias, 0, 0, [](C c, V v) { c.core.aliases.push_back(v.text); },
          nullptr)),
      core(
          "children", ParamType::kInt, 1, 1024,
          [](C c, V v) { c.core.children = static_cast<int>(v.number); },
          [](K c) { return number(c.core.effective_children()); }),
      log_level,
      alias_of(log_level, "debug"),
      core(
          "log_stderror", ParamType::kBool, 0, 0, [](C c, V v) { c.core.log_stderror = v.flag; },
          [](K c) { return yes_no(c.core.log_stderror); }),
      core(
          "max_message_size", ParamType::kInt, 1024, 16 * 1024 * 1024,
          [](C c, V v) { c.core.max_message_size = u32(v); },
          [](K c) { return number(c.core.max_message_size); }),
      core(
          "tcp_max_connections", ParamType::kInt, 1, 1 << 20,
          [](C c, V v) { c.core.tcp_max_connections = u32(v); },
          [](K c) { return number(c.core.tcp_max_connections); }),
      core(
          "tcp_max_connections_per_ip", ParamType::kInt, 1, 65535,
          [](C c, V v) { c.core.tcp_max_connections_per_ip = u32(v); },
          [](K c) { return number(c.core.tcp_max_connections_per_ip); }),
      core(
          "tcp_connection_lifetime", ParamType::kDuration, 1 * kSec, 86400 * kSec,
          [](C c, V v) { c.core.tcp_connection_lifetime = v.duration; },
          [](K c) { return duration(c.core.tcp_connection_lifetime); }),
      core(
          "tcp_connect_timeout", ParamType::kDuration, 100, 600 * kSec,
          [](C c, V v) { c.core.tcp_connect_timeout = v.duration; },
          [](K c) { return duration(c.core.tcp_connect_timeout); }),
      core(
          "tcp_send_timeout", ParamType::kDuration, 100, 600 * kSec,
          [](C c, V v) { c.core.tcp_send_timeout = v.duration; },
          [](K c) { return duration(c.core.tcp_send_timeout); }),
      core(
          "tcp_msg_read_timeout", ParamType::kDuration, 1 * kSec, 600 * kSec,
          [](C c, V v) { c.core.tcp_msg_read_timeout = v.duration; },
          [](K c) { return duration(c.core.tcp_msg_read_timeout); }),
      core(
          "tcp_crlf_pong", ParamType::kBool, 0, 0, [](C c, V v) { c.core.tcp_crlf_pong = v.flag; },
          [](K c) { return yes_no(c.core.tcp_crlf_pong); }),
      core(
          "tcp_accept_aliases", ParamType::kBool, 0, 0,
          [](C c, V v) { c.core.tcp_accept_aliases = v.flag; },
          [](K c) { return yes_no(c.core.tcp_accept_aliases); }),
      core(
          "udp_rcvbuf", ParamType::kInt, 0, 1 << 30, [](C c, V v) { c.core.udp_rcvbuf = u32(v); },
          [](K c) { return number(c.core.udp_rcvbuf); }),
      core(
          "udp_sndbuf", ParamType::kInt, 0, 1 << 30, [](C c, V v) { c.core.udp_sndbuf = u32(v); },
          [](K c) { return number(c.core.udp_sndbuf); }),
      core(
          "shm_mem_size", ParamType::kInt, 16, 1 << 20,
          [](C c, V v) { c.core.shm_mem_size_mb = u32(v); },
          [](K c) { return number(c.core.shm_mem_size_mb); }),
      core(
          "pkg_mem_size", ParamType::kInt, 1, 1 << 16,
          [](C c, V v) { c.core.pkg_mem_size_mb = u32(v); },
          [](K c) { return number(c.core.pkg_mem_size_mb); }),
      // low < high is checked once every file is read (resolve_config).
      core(
          "shm_high_water", ParamType::kInt, 10, 100,
          [](C c, V v) { c.core.shm_high_water = u32(v); },
          [](K c) { return number(c.core.shm_high_water); }),
      core(
          "shm_low_water", ParamType::kInt, 5, 99, [](C c, V v) { c.core.shm_low_water = u32(v); },
          [](K c) { return number(c.core.shm_low_water); }),
      core(
          "ctl_socket", ParamType::kCtlSocket, 0, 0, [](C c, V v) { c.core.ctl_socket = v.text; },
          [](K c) { return quoted(c.core.ctl_socket); }),
      // Restart-only: the metrics endpoint is bound at start, before privileges are dropped.
      core(
          "metrics_listen", ParamType::kAddrPort, 0, 0,
          [](C c, V v) { c.core.metrics_listen = v.text; },
          [](K c) { return c.core.metrics_listen.empty() ? quoted("") : c.core.metrics_listen; }),
      core(
          "dns_servers", ParamType::kAddrList, 0, 0, [](C c, V v) { c.core.dns_servers = v.text; },
          [](K c) { return quoted(c.core.dns_servers); }),
      core(
          "dns_timeout", ParamType::kDuration, 100, 60 * kSec,
          [](C c, V v) { c.core.dns_timeout = v.duration; },
          [](K c) { return duration(c.core.dns_timeout); }),
      core(
          "dns_retries", ParamType::kInt, 0, 10, [](C c, V v) { c.core.dns_retries = u32(v); },
          [](K c) { return number(c.core.dns_retries); }),
      core(
          "dns_cache_size", ParamType::kInt, 1, 10000000,
          [](C c, V v) { c.core.dns_cache_size = u32(v); },
          [](K c) { return number(c.core.dns_cache_size); }),
      core(
          "dns_max_pending", ParamType::kInt, 1, 1000000,
          [](C c, V v) { c.core.dns_max_pending = u32(v); },
          [](K c) { return number(c.core.dns_max_pending); }),
      core(
          "user", ParamType::kString, 1, 0, [](C c, V v) { c.core.user = v.text; },
          [](K c) { return quoted(c.core.user); }),
      core(
          "group", ParamType::kString, 1, 0, [](C c, V v) { c.core.group = v.text; },
          [](K c) { return quoted(c.core.group); }),
  };
}

std::vector<ParamSpec> tls_global_params() {
  return {
      tls_global(
          "disable_tls", ParamType::kBool, 0, 0, [](C c, V v) { c.tls.disable_tls = v.flag; },
          [](K c) { return yes_no(c.tls.disable_tls); }),
      tls_global(
          "tls_max_handshakes_per_ip", ParamType::kInt, 1, 1 << 20,
          [](C c, V v) { c.tls.max_handshakes_per_ip = u32(v); },
          [](K c) { return number(c.tls.max_handshakes_per_ip); }),
      tls_global(
          "tls_config", ParamType::kString, 1, 0, [](C c, V v) { c.tls.config_file = v.text; },
          [](K c) { return quoted(c.tls.config_file); }),
      tls_global(
          "tls_ticket_key_file", ParamType::kString, 1, 0,
          [](C c, V v) { c.tls.ticket_key_file = v.text; },
          [](K c) { return quoted(c.tls.ticket_key_file); }),
      tls_global(
          "tls_reload_on_change", ParamType::kBool, 0, 0,
          [](C c, V v) { c.tls.reload_on_change = v.flag; },
          [](K c) { return yes_no(c.tls.reload_on_change); }),
      tls_global(
          "tls_builtin_key_methods", ParamType::kBool, 0, 0,
          [](C c, V v) { c.tls.builtin_key_methods = v.flag; },
          [](K c) { return yes_no(c.tls.builtin_key_methods); }),
  };
}

// For kString, min = 1 means "must not be empty".
std::vector<ParamSpec> tls_domain_params() {
  auto groups = tls(
      "tls_groups", ParamType::kString, 1, 0, [](T t, V v) { t.groups = v.text; },
      [](KT t) { return quoted(t.groups); });
  return {
      tls(
          "tls_method", ParamType::kMethod, 0, 0, [](T t, V v) { t.method = v.method; },
          [](KT t) { return t.method.spelling; }),
      tls(
          "tls_certificate", ParamType::kString, 1, 0, [](T t, V v) { t.certificate = v.text; },
          [](KT t) { return quoted(t.certificate); }),
      tls(
          "tls_private_key", ParamType::kString, 1, 0, [](T t, V v) { t.private_key = v.text; },
          [](KT t) { return quoted(t.private_key); }),
      tls(
          "tls_ca_list", ParamType::kString, 0, 0, [](T t, V v) { t.ca_list = v.text; },
          [](KT t) { return quoted(t.ca_list); }),
      tls(
          "tls_ca_path", ParamType::kString, 0, 0, [](T t, V v) { t.ca_path = v.text; },
          [](KT t) { return quoted(t.ca_path); }),
      tls(
          "tls_crl", ParamType::kString, 0, 0, [](T t, V v) { t.crl = v.text; },
          [](KT t) { return quoted(t.crl); }),
      tls(
          "tls_ciphers_list", ParamType::kString, 1, 0, [](T t, V v) { t.ciphers_list = v.text; },
          [](KT t) { return quoted(t.ciphers_list); }),
      tls(
          "tls_ciphersuites", ParamType::kString, 0, 0, [](T t, V v) { t.ciphersuites = v.text; },
          [](KT t) { return quoted(t.ciphersuites); }),
      groups,
      alias_of(groups, "tls_curves"),
      tls(
          "tls_dh_params", ParamType::kString, 0, 0, [](T t, V v) { t.dh_params = v.text; },
          [](KT t) { return quoted(t.dh_params); }),
      // Unset, it depends on the side (CONFIG.md): said so rather than guessed.
      tls(
          "tls_verify", ParamType::kBool, 0, 0, [](T t, V v) { t.verify = v.flag; },
          [](KT t) {
            return t.verify ? yes_no(*t.verify)
                            : std::string("(unset: no for servers, yes for clients)");
          }),
      tls(
          "tls_require_certificate", ParamType::kBool, 0, 0,
          [](T t, V v) { t.require_certificate = v.flag; },
          [](KT t) { return yes_no(t.require_certificate); }),
      tls(
          "tls_verify_depth", ParamType::kInt, 0, 100,
          [](T t, V v) { t.verify_depth = static_cast<int>(v.number); },
          [](KT t) { return number(t.verify_depth); }),
      tls(
          "tls_verify_wildcards", ParamType::kBool, 0, 0,
          [](T t, V v) { t.verify_wildcards = v.flag; },
          [](KT t) { return yes_no(t.verify_wildcards); }),
      tls(
          "tls_server_name", ParamType::kString, 1, 0, [](T t, V v) { t.server_name = v.text; },
          [](KT t) { return quoted(t.server_name); }),
      tls(
          "tls_sni_strict", ParamType::kBool, 0, 0, [](T t, V v) { t.sni_strict = v.flag; },
          [](KT t) { return yes_no(t.sni_strict); }),
      tls(
          "tls_handshake_timeout", ParamType::kDuration, 100, 3600 * kSec,
          [](T t, V v) { t.handshake_timeout = v.duration; },
          [](KT t) { return duration(t.handshake_timeout); }),
      tls(
          "tls_send_timeout", ParamType::kDuration, 100, 600 * kSec,
          [](T t, V v) { t.send_timeout = v.duration; },
          [](KT t) { return duration(t.send_timeout); }),
      tls(
          "tls_session_cache", ParamType::kBool, 0, 0, [](T t, V v) { t.session_cache = v.flag; },
          [](KT t) { return yes_no(t.session_cache); }),
      tls(
          "tls_session_tickets", ParamType::kBool, 0, 0,
          [](T t, V v) { t.session_tickets = v.flag; },
          [](KT t) { return yes_no(t.session_tickets); }),
      tls(
          "tls_session_tickets_count", ParamType::kInt, 0, 16,
          [](T t, V v) { t.session_tickets_count = static_cast<int>(v.number); },
          [](KT t) { return number(t.session_tickets_count); }),
      tls(
          "tls_renegotiation", ParamType::kBool, 0, 0, [](T t, V v) { t.renegotiation = v.flag; },
          [](KT t) { return yes_no(t.renegotiation); }),
      tls(
          "tls_keylog_file", ParamType::kString, 0, 0, [](T t, V v) { t.keylog_file = v.text; },
          [](KT t) { return quoted(t.keylog_file); }),
  };
}

std::vector<ParamSpec> build_table() {
  std::vector<ParamSpec> all = core_params();
  for (auto& p : tls_global_params()) all.push_back(p);
  for (auto& p : tls_domain_params()) all.push_back(p);
  return all;
}

}  // namespace

const std::vector<ParamSpec>& param_table() {
  static const std::vector<ParamSpec> table = build_table();
  return table;
}

const ParamSpec* find_param(std::string_view name) {
  for (const auto& p : param_table())
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<std::string_view> param_names(bool in_domain) {
  std::vector<std::string_view> names;
  for (const auto& p : param_table()) {
    if (in_domain ? p.domain_ok() : (kWithTls || !p.tls_only())) names.push_back(p.name);
  }
  if (in_domain) return names;
  for (std::string_view kw : {"include_file", "loadmodule", "route", "onreply_route"})
    names.push_back(kw);
  if (kWithTls) {
    names.push_back("tls_domain");
    names.push_back("tls_client_domain");
  }
  return names;
}

std::vector<std::pair<std::string, std::string>> effective_parameters(const Config& config) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : param_table()) {
    if (p.name != p.canonical) continue;  // an alias (debug, tls_curves) shows as its canonical
    if (p.tls_only() && !kWithTls) continue;
    std::string name(p.name);
    if (p.type == ParamType::kListen) {
      for (const auto& l : config.effective_listen()) out.emplace_back(name, l.to_string());
    } else if (p.type == ParamType::kAlias) {
      for (const auto& a : config.core.aliases) out.emplace_back(name, a);
    } else if (p.get_core) {
      out.emplace_back(name, p.get_core(config));
    } else {
      out.emplace_back(name, p.get_tls(config.tls.defaults));
    }
  }
  return out;
}

}  // namespace cfg
