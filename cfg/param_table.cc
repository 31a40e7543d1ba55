#include "cfg/param_table.h"

#include "cfg/listen_parse.h"
#include "cfg/value_parse.h"

namespace cfg {

namespace {

using C = Config&;
using T = TlsSettings&;
using V = const ParamValue&;

constexpr int64_t kSec = 1000;

uint32_t u32(V v) {
  return static_cast<uint32_t>(v.number);
}

ParamSpec core(std::string_view name, ParamType type, int64_t min, int64_t max, CoreSetter set) {
  return ParamSpec{name, name, type, ParamScope::kCore, min, max, false, set, nullptr};
}

ParamSpec tls_global(std::string_view name, ParamType type, int64_t min, int64_t max,
                     CoreSetter set) {
  return ParamSpec{name, name, type, ParamScope::kTlsGlobal, min, max, false, set, nullptr};
}

ParamSpec tls(std::string_view name, ParamType type, int64_t min, int64_t max, TlsSetter set) {
  return ParamSpec{name, name, type, ParamScope::kTlsDomain, min, max, false, nullptr, set};
}

ParamSpec alias_of(ParamSpec spec, std::string_view alias) {
  spec.name = alias;
  return spec;
}

ParamSpec repeatable(ParamSpec spec) {
  spec.repeatable = true;
  return spec;
}

std::vector<ParamSpec> core_params() {
  auto log_level = core("log_level", ParamType::kInt, 0, 4,
                        [](C c, V v) { c.core.log_level = static_cast<int>(v.number); });
  return {
      repeatable(core("listen", ParamType::kListen, 0, 0,
                      [](C c, V v) { c.core.listen.push_back(v.listen); })),
      repeatable(core("alias", ParamType::kAlias, 0, 0,
                      [](C c, V v) { c.core.aliases.push_back(v.text); })),
      core("children", ParamType::kInt, 1, 1024,
           [](C c, V v) { c.core.children = static_cast<int>(v.number); }),
      log_level,
      alias_of(log_level, "debug"),
      core("log_stderror", ParamType::kBool, 0, 0, [](C c, V v) { c.core.log_stderror = v.flag; }),
      core("max_message_size", ParamType::kInt, 1024, 16 * 1024 * 1024,
           [](C c, V v) { c.core.max_message_size = u32(v); }),
      core("tcp_max_connections", ParamType::kInt, 1, 1 << 20,
           [](C c, V v) { c.core.tcp_max_connections = u32(v); }),
      core("tcp_max_connections_per_ip", ParamType::kInt, 1, 65535,
           [](C c, V v) { c.core.tcp_max_connections_per_ip = u32(v); }),
      core("tcp_connection_lifetime", ParamType::kDuration, 1 * kSec, 86400 * kSec,
           [](C c, V v) { c.core.tcp_connection_lifetime = v.duration; }),
      core("tcp_connect_timeout", ParamType::kDuration, 100, 600 * kSec,
           [](C c, V v) { c.core.tcp_connect_timeout = v.duration; }),
      core("tcp_send_timeout", ParamType::kDuration, 100, 600 * kSec,
           [](C c, V v) { c.core.tcp_send_timeout = v.duration; }),
      core("tcp_msg_read_timeout", ParamType::kDuration, 1 * kSec, 600 * kSec,
           [](C c, V v) { c.core.tcp_msg_read_timeout = v.duration; }),
      core("tcp_crlf_pong", ParamType::kBool, 0, 0,
           [](C c, V v) { c.core.tcp_crlf_pong = v.flag; }),
      core("shm_mem_size", ParamType::kInt, 16, 1 << 20,
           [](C c, V v) { c.core.shm_mem_size_mb = u32(v); }),
      core("pkg_mem_size", ParamType::kInt, 1, 1 << 16,
           [](C c, V v) { c.core.pkg_mem_size_mb = u32(v); }),
      core("ctl_socket", ParamType::kCtlSocket, 0, 0, [](C c, V v) { c.core.ctl_socket = v.text; }),
      // Restart-only: the metrics endpoint is bound at start, before privileges are dropped.
      core("metrics_listen", ParamType::kAddrPort, 0, 0,
           [](C c, V v) { c.core.metrics_listen = v.text; }),
      core("user", ParamType::kString, 1, 0, [](C c, V v) { c.core.user = v.text; }),
      core("group", ParamType::kString, 1, 0, [](C c, V v) { c.core.group = v.text; }),
  };
}

std::vector<ParamSpec> tls_global_params() {
  return {
      tls_global("disable_tls", ParamType::kBool, 0, 0,
                 [](C c, V v) { c.tls.disable_tls = v.flag; }),
      tls_global("tls_max_handshakes_per_ip", ParamType::kInt, 1, 1 << 20,
                 [](C c, V v) { c.tls.max_handshakes_per_ip = u32(v); }),
      tls_global("tls_config", ParamType::kString, 1, 0,
                 [](C c, V v) { c.tls.config_file = v.text; }),
      tls_global("tls_reload_on_change", ParamType::kBool, 0, 0,
                 [](C c, V v) { c.tls.reload_on_change = v.flag; }),
  };
}

// For kString, min = 1 means "must not be empty".
std::vector<ParamSpec> tls_domain_params() {
  auto groups = tls("tls_groups", ParamType::kString, 1, 0, [](T t, V v) { t.groups = v.text; });
  return {
      tls("tls_method", ParamType::kMethod, 0, 0, [](T t, V v) { t.method = v.method; }),
      tls("tls_certificate", ParamType::kString, 1, 0, [](T t, V v) { t.certificate = v.text; }),
      tls("tls_private_key", ParamType::kString, 1, 0, [](T t, V v) { t.private_key = v.text; }),
      tls("tls_ca_list", ParamType::kString, 0, 0, [](T t, V v) { t.ca_list = v.text; }),
      tls("tls_ca_path", ParamType::kString, 0, 0, [](T t, V v) { t.ca_path = v.text; }),
      tls("tls_crl", ParamType::kString, 0, 0, [](T t, V v) { t.crl = v.text; }),
      tls("tls_ciphers_list", ParamType::kString, 1, 0, [](T t, V v) { t.ciphers_list = v.text; }),
      tls("tls_ciphersuites", ParamType::kString, 0, 0, [](T t, V v) { t.ciphersuites = v.text; }),
      groups,
      alias_of(groups, "tls_curves"),
      tls("tls_dh_params", ParamType::kString, 0, 0, [](T t, V v) { t.dh_params = v.text; }),
      tls("tls_verify", ParamType::kBool, 0, 0, [](T t, V v) { t.verify = v.flag; }),
      tls("tls_require_certificate", ParamType::kBool, 0, 0,
          [](T t, V v) { t.require_certificate = v.flag; }),
      tls("tls_verify_depth", ParamType::kInt, 0, 100,
          [](T t, V v) { t.verify_depth = static_cast<int>(v.number); }),
      tls("tls_verify_wildcards", ParamType::kBool, 0, 0,
          [](T t, V v) { t.verify_wildcards = v.flag; }),
      tls("tls_server_name", ParamType::kString, 1, 0, [](T t, V v) { t.server_name = v.text; }),
      tls("tls_sni_strict", ParamType::kBool, 0, 0, [](T t, V v) { t.sni_strict = v.flag; }),
      tls("tls_handshake_timeout", ParamType::kDuration, 100, 3600 * kSec,
          [](T t, V v) { t.handshake_timeout = v.duration; }),
      tls("tls_send_timeout", ParamType::kDuration, 100, 600 * kSec,
          [](T t, V v) { t.send_timeout = v.duration; }),
      tls("tls_session_cache", ParamType::kBool, 0, 0, [](T t, V v) { t.session_cache = v.flag; }),
      tls("tls_session_tickets", ParamType::kBool, 0, 0,
          [](T t, V v) { t.session_tickets = v.flag; }),
      tls("tls_renegotiation", ParamType::kBool, 0, 0, [](T t, V v) { t.renegotiation = v.flag; }),
      tls("tls_keylog_file", ParamType::kString, 0, 0, [](T t, V v) { t.keylog_file = v.text; }),
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

}  // namespace cfg
