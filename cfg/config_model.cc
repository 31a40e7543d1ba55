#include "cfg/config_model.h"

#include <algorithm>
#include <thread>

#include "cfg/listen_parse.h"
#include "cfg/value_parse.h"

namespace cfg {

std::string ListenConfig::to_string() const {
  return std::string(proto.name()) + ":" + host_text(host, host_kind) + ":" + std::to_string(port);
}

std::string TlsDomainConfig::key() const {
  std::string k = kind == TlsDomainKind::kServer ? "server:" : "client:";
  if (is_default) return k + "default";
  if (!id.empty()) return k + "id:" + to_lower(id);
  k += host_text(host, host_kind) + ":" + std::to_string(port);
  return sni.empty() ? k : k + "/" + sni;
}

std::string TlsDomainConfig::describe() const {
  bool server = kind == TlsDomainKind::kServer;
  if (is_default) return server ? "the default server domain" : "the default client domain";
  std::string d = server ? "tls_domain[" : "tls_client_domain[";
  if (!id.empty()) return d + "\"" + id + "\"]";
  d += host_text(host, host_kind) + ":" + std::to_string(port);
  if (!sni.empty()) d += ", \"" + sni + "\"";
  return d + "]";
}

std::vector<ListenConfig> Config::effective_listen() const {
  if (!core.listen.empty()) return core.listen;
  ListenConfig any;
  any.proto = Transport::kUdp;
  any.host = "0.0.0.0";
  any.host_kind = HostKind::kIpv4;
  any.port = 5060;
  return {any};
}

bool Config::uses_tls() const {
  if (tls.disable_tls) return false;
  for (const auto& l : effective_listen())
    if (l.proto == Transport::kTls) return true;
  for (const auto& d : tls_domains)
    if (d.kind == TlsDomainKind::kClient) return true;
  return false;
}

int CoreParams::effective_children() const {
  if (children > 0) return children;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace cfg
