#pragma once
// RFC 5923 connection reuse: a request over TCP or TLS whose top Via carries `alias` asks that
// requests towards its sent-by go over the connection it came on, instead of a new one to it.
#include <optional>
#include <string_view>

#include "core/net/net.h"
#include "core/sip/via.h"

namespace core::proxy {

struct ConnectionAlias {
  core::net::SocketAddr address;  // the peer's own address with the sent-by port
  std::string_view server_name;   // TLS: the sent-by host, named by the peer's certificate
};

// The alias `top` (the request's top Via) asks for over `rx`'s connection, when it may be
// granted; nullopt otherwise. The address is always the peer's own IP with the sent-by port
// (as Kamailio's tcp_accept_aliases does): a peer can only claim ports of its own address. Over
// TLS, RFC 5923 §5.3/§11 make the alias depend on authentication: the peer's certificate must
// have verified and name the sent-by host (RFC 5922 §7.1: a DNS subjectAltName, or the CN when
// there is none); an IP sent-by, which no name check covers, gets no alias.
std::optional<ConnectionAlias> alias_of(const core::net::ReceivedMessage& rx,
                                        const core::sip::Via& top);

}  // namespace core::proxy
