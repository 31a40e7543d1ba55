#pragma once
// The TLS runtime built from the configuration: one immutable SSL_CTX per domain (DESIGN.md
// principles 4 and 6). Built whole, validated, then used read-only by every worker; a reload
// builds a new set beside the old one and swaps the shared_ptr (TlsRuntime::use_domains),
// while live connections keep the set (and SSL_CTX) they started with.
//
// Selection (CONFIG.md "TLS domains"): a server connection takes its socket's own domain:
// the domain of its local IP:port without a name, else the first-declared one for that
// IP:port, else the default server domain. During the ClientHello, an SNI name matching a
// domain on that socket (case-insensitive, `*.example.org` matching one label) switches to
// it; no name or an unknown one keeps the socket's domain, so SNI never weakens a socket's
// policy (its tls_require_certificate and CA list). A client connection takes, first match
// wins: the domain with the id the script chose (tls_client_domain("ID")); the domain of the
// peer's IP:port declared for the next hop's name (tls_client_domain[IP:port, "name"]); the
// domain of the peer's IP:port without a name; when the next hop is an address (no name), the
// first domain of the peer's IP:port declared for a name; the default client domain. A domain
// declared for a name is never used for another name.
#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cfg/config_model.h"
#include "cfg/diagnostics.h"
#include "core/net/socket_addr.h"
#include "core/net/tls_identity.h"

namespace tls {

class TicketKeyStore;

class TlsDomain {
 public:
  virtual ~TlsDomain() = default;
  virtual const cfg::TlsDomainConfig& config() const = 0;
  // The context; owned by the domain, never modified after build.
  virtual SSL_CTX* ctx() const = 0;
  // For log lines: `tls_domain[127.0.0.1:5061, "sni.test"]`, `default server domain`.
  virtual const std::string& name() const = 0;
};

class DomainSet {
 public:
  virtual ~DomainSet() = default;

  // Builds and validates every domain of `config` (default server, default client, each block
  // and tls.cfg section). Each problem is one diagnostic naming the domain and the parameter
  // (missing/unreadable file, key not matching the certificate, chain out of order, expired
  // certificate = error; expiring within 30 days, group/world-readable key = warning; a bad
  // cipher list, group list, method ...). Returns nullptr when any error was reported.
  // `ticket_keys`: where server domains take their session ticket keys (kept across reloads);
  // null = new keys.
  static std::shared_ptr<const DomainSet> build(const cfg::Config& config, cfg::Diagnostics& diags,
                                                TicketKeyStore* ticket_keys = nullptr);

  // The socket's own domain for connections accepted on `local` (see above).
  virtual const TlsDomain& server_for(const core::net::SocketAddr& local) const = 0;
  // The SNI domain for `name` on socket `local`, or nullptr when no domain answers for it.
  virtual const TlsDomain* server_for_sni(const core::net::SocketAddr& local,
                                          std::string_view name) const = 0;
  // Domain for an outbound connection to `peer` for `identity` (the order above); nullptr only
  // when identity.client_domain names no domain of this set.
  virtual const TlsDomain* client_for(const core::net::SocketAddr& peer,
                                      const core::net::TlsIdentity& identity = {}) const = 0;
  // The client domain declared with id `id` (compared without regard to case), or nullptr.
  virtual const TlsDomain* client_by_id(std::string_view id) const = 0;
  virtual std::vector<const TlsDomain*> all() const = 0;

  // True when a handshake on `local` whose SNI names no domain of that socket is refused
  // (tls_sni_strict on the socket's own domain or on any of its SNI domains).
  virtual bool sni_strict(const core::net::SocketAddr& local) const = 0;
};

}  // namespace tls
