#include "tls/sni_select.h"

#include <openssl/err.h>
#include <openssl/tls1.h>

#include <cctype>
#include <optional>

#include "tls/tls_compat.h"
#include "tls/tls_conn_state.h"
#include "tls/tls_engine.h"

namespace tls {

namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool equal_nocase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// Reads the client's server name (nullopt: none sent; empty: unusable) and lets the engine
// choose; an SSL no engine made keeps its context.
int client_hello_cb(SSL* ssl, int* alert, void*) {
  TlsConnState* state = TlsConnState::of(ssl);
  if (state == nullptr || state->engine == nullptr) return SSL_CLIENT_HELLO_SUCCESS;
  const unsigned char* data = nullptr;
  size_t len = 0;
  std::optional<std::string_view> name;
  std::string text;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &data, &len) == 1)
    name = parse_server_name_ext(data, len, &text) ? std::string_view(text) : std::string_view();
  return state->engine->on_client_hello(name, alert) ? SSL_CLIENT_HELLO_SUCCESS
                                                     : SSL_CLIENT_HELLO_ERROR;
}

}  // namespace

bool sni_name_matches(std::string_view pattern, std::string_view name) {
  if (name.empty()) return false;
  if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
    size_t dot = name.find('.');
    // One non-empty label before the suffix: a.example.org, not a.b.example.org nor
    // example.org (RFC 6125 section 6.4.3).
    if (dot == 0 || dot == std::string_view::npos) return false;
    return equal_nocase(name.substr(dot), pattern.substr(1));
  }
  return equal_nocase(pattern, name);
}

bool parse_server_name_ext(const unsigned char* data, size_t len, std::string* name) {
  // ServerNameList: uint16 length, then entries {uint8 type; uint16 length; bytes}.
  if (data == nullptr || len < 2) return false;
  size_t list_len = (size_t{data[0]} << 8) | data[1];
  if (list_len + 2 != len) return false;
  size_t pos = 2;
  while (pos + 3 <= len) {
    unsigned type = data[pos];
    size_t n = (size_t{data[pos + 1]} << 8) | data[pos + 2];
    pos += 3;
    if (pos + n > len) return false;
    if (type == TLSEXT_NAMETYPE_host_name) {
      if (n == 0 || n > TLSEXT_MAXLEN_host_name) return false;
      name->clear();
      for (size_t i = 0; i < n; ++i) {
        unsigned char c = data[pos + i];
        if (c <= 0x20 || c >= 0x7f) return false;
        name->push_back(lower(static_cast<char>(c)));
      }
      return true;
    }
    pos += n;
  }
  return false;
}

void install_sni_callback(SSL_CTX* ctx) {
  SSL_CTX_set_client_hello_cb(ctx, client_hello_cb, nullptr);
}

bool switch_to_domain(SSL* ssl, const TlsDomain& domain) {
  SSL_CTX* ctx = domain.ctx();
  const cfg::TlsSettings& s = domain.config().settings;
  ERR_clear_error();
  if (SSL_set_SSL_CTX(ssl, ctx) != ctx) return false;
  SSL_set_verify(ssl, SSL_CTX_get_verify_mode(ctx), verify_callback);
  SSL_set_verify_depth(ssl, SSL_CTX_get_verify_depth(ctx));
  SSL_clear_options(ssl, SSL_get_options(ssl) & ~SSL_CTX_get_options(ctx));
  SSL_set_options(ssl, SSL_CTX_get_options(ctx));
  SSL_clear_mode(ssl, SSL_get_mode(ssl) & ~SSL_CTX_get_mode(ctx));
  SSL_set_mode(ssl, SSL_CTX_get_mode(ctx));
  SSL_set_security_level(ssl, SSL_CTX_get_security_level(ctx));
  SSL_set_num_tickets(ssl, SSL_CTX_get_num_tickets(ctx));
  bool ok = SSL_set_min_proto_version(ssl, SSL_CTX_get_min_proto_version(ctx)) == 1 &&
            SSL_set_max_proto_version(ssl, SSL_CTX_get_max_proto_version(ctx)) == 1 &&
            SSL_set_cipher_list(ssl, s.ciphers_list.c_str()) == 1 &&
            SSL_set_ciphersuites(ssl, s.ciphersuites.empty() ? compat::default_ciphersuites()
                                                             : s.ciphersuites.c_str()) == 1;
  if (ok && !s.groups.empty()) ok = SSL_set1_groups_list(ssl, s.groups.c_str()) == 1;
  if (ok) {
    STACK_OF(X509_NAME)* names = SSL_CTX_get_client_CA_list(ctx);
    SSL_set_client_CA_list(ssl, names != nullptr ? SSL_dup_CA_list(names) : nullptr);
  }
  ERR_clear_error();
  return ok;
}

}  // namespace tls
