#pragma once
// One SSL_CTX built from one domain's TlsSettings (CONFIG.md, TLS parameters), server or
// client side, validated as it is built. The context is complete when returned and is never
// modified afterwards (DESIGN.md principle 4): workers share it read-only.
#include <openssl/ssl.h>

#include <ctime>
#include <string>

#include "cfg/config_model.h"
#include "tls/cert_check.h"
#include "tls/ossl_ptr.h"

namespace tls {

class TicketKeyStore;

struct ContextOptions {
  // The domain serves a TLS listen socket: a certificate is mandatory (server side). When
  // false and the certificate is the implicit CFG_DIR/cert.pem that does not exist, the
  // context is built without one (a default server domain no socket uses, a client domain
  // without a client certificate).
  bool certificate_required = true;
  // CFG_DIR/cert.pem, the implicit certificate and key path ("" = unknown).
  std::string default_certificate;
  // Checks of dates use this time (tests); 0 = now.
  time_t now = 0;
  // Where a server domain takes its session ticket keys (kept across reloads); null = keys of
  // its own.
  TicketKeyStore* ticket_keys = nullptr;
};

// Builds the context of `domain`; every problem is reported through `report` (one line each,
// naming the domain and the parameter). Returns nullptr when an error was reported.
SslCtxPtr build_context(const cfg::TlsDomainConfig& domain, const ContextOptions& options,
                        DomainReporter& report);

// OpenSSL protocol version for a tls_method bound (0 = no bound).
int protocol_version(cfg::TlsVersion v);

}  // namespace tls
