#pragma once
// Who an outbound TLS connection is for: the client domain (the certificate ser presents, its
// CA list and policy) and the server name (sent as SNI, checked in the peer's certificate,
// RFC 5922 §7.2). An outbound TLS connection is reused only for the same destination and the
// same identity, so two tenants with different client certificates towards one carrier get two
// connections. Views: valid for the call they are passed to (Net copies what it keeps).
#include <string_view>

namespace core::net {

struct TlsIdentity {
  // A client domain declared by id (`tls_client_domain["ID"]`, tls.cfg `[client:any]` with
  // `server_id = ID`) that the script chose with tls_client_domain("ID"). Empty: the domain is
  // chosen by the destination's address and port and the server name, else the default.
  std::string_view client_domain;
  // The next hop's host name (or address text): the SNI sent and the name checked. Empty for
  // plain transports.
  std::string_view server_name;
};

}  // namespace core::net
