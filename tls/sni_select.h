#pragma once
// Server Name Indication (RFC 6066 section 3): during the ClientHello, a server connection
// switches from its socket's domain to the domain that answers for the client's server name
// on the same socket. The ClientHello callback (SSL_CTX_set_client_hello_cb) reads the name
// and asks the connection's engine (TlsEngine::on_client_hello), which chooses and switches;
// it runs before OpenSSL picks the version, cipher and certificate, so the new domain's whole
// configuration applies.
#include <openssl/ssl.h>

#include <string>
#include <string_view>

#include "tls/domain_set.h"

namespace tls {

// True when `pattern` (a domain's lower-case name, possibly `*.example.org`) answers for the
// client's `name`: case-insensitive; `*.` stands for exactly one non-empty label.
bool sni_name_matches(std::string_view pattern, std::string_view name);

// The host_name of a server_name extension body (RFC 6066 section 3), lower-cased; false when
// absent or malformed (no name, over 255 bytes, a byte that is not printable ASCII: a host
// name is ASCII, RFC 6066 section 3, and the name reaches log lines and the script).
bool parse_server_name_ext(const unsigned char* data, size_t len, std::string* name);

// Installs the ClientHello callback on a server context (DomainSet::build does it).
void install_sni_callback(SSL_CTX* ctx);

// Moves `ssl` to `domain`'s context. SSL_set_SSL_CTX(3) takes the certificate, key, DH
// parameters and session id context but none of what SSL_new copied from the first context:
// verify mode, callback and depth, options, modes, protocol versions, ciphers, TLS 1.3
// ciphersuites, groups, client CA names; those are set again here (as nginx's
// ngx_http_ssl_servername and HAProxy's ssl_sock_switchctx_set do).
bool switch_to_domain(SSL* ssl, const TlsDomain& domain);

}  // namespace tls
