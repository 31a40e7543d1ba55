#pragma once
// What OpenSSL's callbacks need and learn about one connection, in one object behind one SSL
// ex-data slot: the ClientHello callback (sni_select.cc) hands the client's server name to the
// engine, which switches the domain and notes it here; the verify callback notes the first
// failure; the TLS socket reads the facts when the handshake is done. The TlsEngine owns it
// (nothing allocated per connection beyond a long SNI name) and attaches it to its SSL.
#include <openssl/ssl.h>

#include <string>

#include "core/net/socket_addr.h"
#include "tls/tls_errors.h"

namespace tls {

class DomainSet;
class TlsDomain;
class TlsEngine;

struct TlsConnState {
  TlsEngine* engine = nullptr;         // performs the SNI switch of domain
  const DomainSet* domains = nullptr;  // server: the set SNI names are looked up in
  core::net::SocketAddr local;         // server: the accepting socket's address
  const TlsDomain* domain = nullptr;   // the domain in effect (after SNI); null: a bare context
  // Server: the host_name of the ClientHello, lower case. Kept here because on a TLS 1.2
  // resumption SSL_get_servername(3) gives the session's name, which OpenSSL stores only
  // when a servername callback acknowledged it (we use the ClientHello callback): null.
  // Client: the name sent as SNI, or checked against the certificate (an IP address).
  std::string sni;
  VerifyError verify;   // the first verification failure and its depth
  std::string refusal;  // why a callback of ours refused the handshake, for the log line

  // The state attached to `ssl`, or null (an SSL that no engine made).
  static TlsConnState* of(const SSL* ssl);
  bool attach(SSL* ssl);
};

// The one verify callback of every context and engine (SSL_CTX_set_verify(3)): the decision
// stays OpenSSL's (SSL_VERIFY_PEER semantics of the seed); the first failure and its depth,
// which the store context does not keep, are noted in the connection's state for the log line
// ("certificate verify failed: unable to get local issuer certificate (depth 0)").
int verify_callback(int ok, X509_STORE_CTX* store);

}  // namespace tls
