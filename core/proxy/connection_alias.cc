#include "core/proxy/connection_alias.h"

#include "core/sip/text.h"

namespace core::proxy {

using core::Transport;

namespace {

// RFC 5922 §7.1: the DNS subjectAltNames when there are any (comma-separated here), else the
// subject's CN. Exact matches only: §7.2 forbids wildcards.
bool certificate_names(const core::net::ConnectionSecurity& s, std::string_view host) {
  if (s.peer_san_dns.empty()) return core::sip::iequals(s.peer_subject_cn, host);
  std::string_view rest = s.peer_san_dns;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    if (core::sip::iequals(rest.substr(0, comma), host)) return true;
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return false;
}

}  // namespace

std::optional<ConnectionAlias> alias_of(const core::net::ReceivedMessage& rx,
                                        const core::sip::Via& top) {
  if (rx.conn_id == 0 || rx.transport == Transport::kUdp || !top.param("alias").present())
    return std::nullopt;
  ConnectionAlias a;
  a.address = rx.src;
  a.address.set_port(top.port() ? top.port() : rx.transport == Transport::kTls ? 5061 : 5060);
  if (rx.transport == Transport::kTls) {
    const core::net::ConnectionSecurity* s = rx.security;
    if (s == nullptr || !s->peer_verified || top.sent_by().kind != core::sip::HostKind::kName ||
        !certificate_names(*s, top.host()))
      return std::nullopt;
    a.server_name = top.host();
  }
  return a;
}

}  // namespace core::proxy
