#include "core/proxy/local_sockets.h"

#include <sys/socket.h>

#include "core/sip/host_port.h"
#include "core/sip/text.h"
#include "core/sip/via.h"

namespace core::proxy {

namespace {

// A host as written in SIP ("[::1]", "127.0.0.1", "Example.COM") against an advertised one.
bool same_host(std::string_view a, std::string_view b) {
  return core::sip::iequals(a, b);
}

std::string_view strip_brackets(std::string_view h) {
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') return h.substr(1, h.size() - 2);
  return h;
}

}  // namespace

void LocalSockets::add(LocalSocket s) {
  sockets_.push_back(std::move(s));
}

void LocalSockets::add_alias(std::string_view alias) {
  Alias a;
  core::sip::HostPort hp;
  if (core::sip::parse_host_port(alias, false, core::sip::SipError::kBadUri, hp).ok()) {
    a.host = std::string(hp.host);
    a.port = hp.port;
  } else {
    a.host = std::string(alias);
  }
  aliases_.push_back(std::move(a));
}

bool LocalSockets::port_is_ours(uint16_t port) const {
  if (port == 0) return true;
  for (const auto& s : sockets_)
    if (s.port == port) return true;
  return false;
}

bool LocalSockets::is_myself(std::string_view host, uint16_t port) const {
  std::string_view bare = strip_brackets(host);
  for (const auto& s : sockets_) {
    if (!same_host(strip_brackets(s.host), bare)) continue;
    // No port in the URI means the transport's default (RFC 3263 §4.2): 5060 or 5061.
    if (port == 0 ? (s.port == 5060 || s.port == 5061) : s.port == port) return true;
  }
  for (const auto& a : aliases_) {
    if (!same_host(strip_brackets(a.host), bare)) continue;
    if (a.port == 0 ? port_is_ours(port) : (a.port == port || port == 0)) return true;
  }
  return false;
}

const LocalSocket* LocalSockets::pick(Transport t, int af) const {
  for (const auto& s : sockets_)
    if (s.transport == t && s.address.af() == af) return &s;
  if (t == Transport::kUdp) return nullptr;  // UDP needs its own socket to send from
  for (const auto& s : sockets_)
    if (s.address.af() == af) return &s;
  return nullptr;
}

const LocalSocket* LocalSockets::by_listener(int listener_id) const {
  for (const auto& s : sockets_)
    if (s.listener_id == listener_id) return &s;
  return nullptr;
}

}  // namespace core::proxy
