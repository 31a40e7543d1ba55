#include "tls/tls_context.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>

#include <openssl/x509v3.h>

#include "core/base/log.h"
#include "tls/ticket_keys.h"
#include "tls/tls_compat.h"
#include "tls/tls_conn_state.h"

namespace tls {

namespace {

using cfg::TlsSettings;

// ---- key log (NSS format, for Wireshark) ----

struct KeylogFile {
  std::mutex mu;
  FILE* file = nullptr;
  ~KeylogFile() {
    if (file != nullptr) std::fclose(file);
  }
};

void free_keylog(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<KeylogFile*>(ptr);
}

int keylog_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_keylog);
  return index;
}

void keylog_callback(const SSL* ssl, const char* line) {
  auto* k = static_cast<KeylogFile*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), keylog_index()));
  if (k == nullptr) return;
  std::lock_guard<std::mutex> lock(k->mu);
  std::fprintf(k->file, "%s\n", line);
  std::fflush(k->file);
}

int refuse_passphrase(char*, int, int, void*) {
  return -1;
}

// ---- the parts of a context ----

bool apply_method(SSL_CTX* ctx, const cfg::TlsMethod& m, DomainReporter& report) {
  bool legacy = m.min == cfg::TlsVersion::kTls1_0 || m.min == cfg::TlsVersion::kTls1_1;
  if (legacy) SSL_CTX_set_security_level(ctx, compat::kLegacyTlsSecurityLevel);
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(ctx, protocol_version(m.min)) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, protocol_version(m.max)) != 1) {
    report.error("tls_method", "OpenSSL refuses " + m.spelling + ": " +
                                   take_openssl_error("unsupported protocol version"));
    return false;
  }
  return true;
}

bool apply_algorithms(SSL_CTX* ctx, const TlsSettings& s, DomainReporter& report) {
  bool ok = true;
  ERR_clear_error();
  if (SSL_CTX_set_cipher_list(ctx, s.ciphers_list.c_str()) != 1) {
    report.error("tls_ciphers_list", "OpenSSL accepts no cipher of \"" + s.ciphers_list + "\" (" +
                                         take_openssl_error("no cipher match") + ")");
    ok = false;
  }
  if (!s.ciphersuites.empty() && SSL_CTX_set_ciphersuites(ctx, s.ciphersuites.c_str()) != 1) {
    report.error("tls_ciphersuites", "OpenSSL refuses the TLS 1.3 ciphersuites \"" +
                                         s.ciphersuites + "\" (" +
                                         take_openssl_error("no ciphersuite match") + ")");
    ok = false;
  }
  if (!s.groups.empty() && SSL_CTX_set1_groups_list(ctx, s.groups.c_str()) != 1) {
    report.error("tls_groups", "OpenSSL refuses the group list \"" + s.groups + "\" (" +
                                   take_openssl_error("unknown group") + ")");
    ok = false;
  }
  ERR_clear_error();
  return ok;
}

// GCM and ChaCha20 suites (the default list) need TLS 1.2: a domain capped below it with no
// older cipher could never complete a handshake.
void check_legacy_ciphers(SSL_CTX* ctx, const TlsSettings& s, DomainReporter& report) {
  cfg::TlsVersion max = s.method.max;
  if (max != cfg::TlsVersion::kTls1_0 && max != cfg::TlsVersion::kTls1_1) return;
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    std::string_view v = SSL_CIPHER_get_version(sk_SSL_CIPHER_value(ciphers, i));
    if (v != "TLSv1.2" && v != "TLSv1.3") return;
  }
  report.error("tls_ciphers_list", "no cipher of \"" + s.ciphers_list + "\" works with " +
                                       s.method.spelling +
                                       " (GCM and ChaCha20 suites need TLS 1.2); add older "
                                       "ones such as ECDHE-RSA-AES128-SHA, or allow TLS 1.2");
}

// Seeds 000-002: high-grade TLS means forward secrecy. A list that lets OpenSSL pick a static
// RSA key exchange works, but recorded traffic falls with the server key: say so.
void warn_not_forward_secret(SSL_CTX* ctx, const TlsSettings& s, DomainReporter& report) {
  std::string names;
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    if (SSL_CIPHER_get_kx_nid(c) != NID_kx_rsa) continue;
    names += names.empty() ? "" : ", ";
    names += SSL_CIPHER_get_name(c);
  }
  if (!names.empty())
    report.warning("tls_ciphers_list", "\"" + s.ciphers_list +
                                           "\" allows ciphers without forward secrecy (RSA key "
                                           "exchange): " +
                                           names);
}

void apply_options(SSL_CTX* ctx, const TlsSettings& s, bool server) {
  uint64_t options = SSL_OP_NO_COMPRESSION;  // CRIME
  if (server) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  if (!s.renegotiation) {
    options |= SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_CLIENT_RENEGOTIATION;
    SSL_CTX_clear_options(ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
  } else if (server) {
    options |= SSL_OP_ALLOW_CLIENT_RENEGOTIATION;
  }
  if (!s.session_tickets) options |= SSL_OP_NO_TICKET;
  SSL_CTX_set_options(ctx, options);
  // Record buffers only while in use (DESIGN.md principle 6); the engine may retry a write
  // with a moved buffer and takes partial writes.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

bool apply_dh(SSL_CTX* ctx, const TlsSettings& s, DomainReporter& report) {
  EvpPkeyPtr dh = s.dh_params.empty() ? compat::ffdhe2048() : load_dh_params(s.dh_params, report);
  if (!dh) {
    if (s.dh_params.empty()) report.error("tls_dh_params", "cannot make the ffdhe2048 group");
    return false;
  }
  ERR_clear_error();
  if (!compat::set_tmp_dh(ctx, std::move(dh))) {
    report.error("tls_dh_params",
                 "OpenSSL refuses the DH parameters: " + take_openssl_error("too small?"));
    return false;
  }
  return true;
}

bool is_implicit_default(const std::string& path, const ContextOptions& o) {
  return !o.default_certificate.empty() && path == o.default_certificate;
}

// Certificate chain and key. An absent implicit CFG_DIR/cert.pem is fine where no
// certificate is needed (see ContextOptions).
bool apply_certificate(SSL_CTX* ctx, const TlsSettings& s, const ContextOptions& o,
                       DomainReporter& report) {
  std::error_code ec;
  bool implicit = is_implicit_default(s.certificate, o);
  if (implicit && !std::filesystem::exists(s.certificate, ec)) {
    if (!o.certificate_required) return true;
    report.error("tls_certificate",
                 s.certificate +
                     " does not exist (the default: CFG_DIR/cert.pem); set tls_certificate and "
                     "tls_private_key to the server's certificate chain and private key");
    return false;
  }
  X509StackPtr chain = load_certificates(s.certificate, "tls_certificate", report);
  if (!chain) return false;
  bool ordered = check_chain(chain.get(), s.certificate, o.now, report);
  EvpPkeyPtr key = load_private_key(s.private_key, report);
  if (!key || !ordered) return false;
  X509* leaf = sk_X509_value(chain.get(), 0);
  if (!check_key_matches(leaf, key.get(), s.private_key, s.certificate, report)) return false;
  ERR_clear_error();
  bool ok = SSL_CTX_use_certificate(ctx, leaf) == 1;
  for (int i = 1; ok && i < sk_X509_num(chain.get()); ++i)
    ok = SSL_CTX_add1_chain_cert(ctx, sk_X509_value(chain.get(), i)) == 1;
  ok = ok && SSL_CTX_use_PrivateKey(ctx, key.get()) == 1 && SSL_CTX_check_private_key(ctx) == 1;
  if (!ok)
    report.error("tls_certificate", "OpenSSL refuses the certificate " + certificate_subject(leaf) +
                                        " of " + s.certificate + ": " +
                                        take_openssl_error("unusable certificate"));
  return ok;
}

bool apply_trust(SSL_CTX* ctx, const TlsSettings& s, bool server, DomainReporter& report) {
  bool ok = true;
  if (!s.ca_list.empty()) ok = check_ca_list(s.ca_list, report) && ok;
  if (!s.ca_path.empty()) ok = check_ca_path(s.ca_path, report) && ok;
  if (!ok) return false;
  ERR_clear_error();
  if (!s.ca_list.empty() || !s.ca_path.empty()) {
    const char* file = s.ca_list.empty() ? nullptr : s.ca_list.c_str();
    const char* dir = s.ca_path.empty() ? nullptr : s.ca_path.c_str();
    if (SSL_CTX_load_verify_locations(ctx, file, dir) != 1) {
      report.error(s.ca_list.empty() ? "tls_ca_path" : "tls_ca_list",
                   "OpenSSL cannot load the trusted CAs: " + take_openssl_error("bad CA file"));
      return false;
    }
  } else if (!server && s.verify_for(true)) {
    // Outbound verification without a CA list of our own: the system trust store (CONFIG.md).
    SSL_CTX_set_default_verify_paths(ctx);
    ERR_clear_error();
  }
  if (s.crl.empty()) return true;
  std::vector<X509CrlPtr> crls = load_crls(s.crl, report);
  if (crls.empty()) return false;
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (const auto& crl : crls) X509_STORE_add_crl(store, crl.get());
  // The flags live in this context's store, so an SNI switch takes the new domain's CRLs.
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  ERR_clear_error();
  return true;
}

// The seed's semantics: tls_verify = SSL_VERIFY_PEER (a server asks for a client
// certificate), tls_require_certificate = SSL_VERIFY_FAIL_IF_NO_PEER_CERT (only with verify).
void apply_verify(SSL_CTX* ctx, const TlsSettings& s, bool server, DomainReporter& report) {
  int mode = SSL_VERIFY_NONE;
  if (s.verify_for(!server)) {
    mode = SSL_VERIFY_PEER;
    if (server && s.require_certificate) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  }
  SSL_CTX_set_verify(ctx, mode, verify_callback);
  SSL_CTX_set_verify_depth(ctx, s.verify_depth);
  if (!server) {
    // RFC 5922 section 7.2: no partial-label wildcards (`f*.example.com`).
    X509_VERIFY_PARAM_set_hostflags(SSL_CTX_get0_param(ctx), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return;
  }
  if (mode == SSL_VERIFY_NONE) return;
  if (s.ca_list.empty() && s.ca_path.empty()) {
    report.warning("tls_verify",
                   "client certificates are requested but neither tls_ca_list nor tls_ca_path "
                   "is set: every client certificate will fail verification");
    return;
  }
  // The CertificateRequest names the CAs we trust, so clients pick a matching certificate.
  if (!s.ca_list.empty()) {
    ERR_clear_error();
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(s.ca_list.c_str()))
      SSL_CTX_set_client_CA_list(ctx, names);
    ERR_clear_error();
  }
}

// What a session is bound to (RFC 5246 F.1.4: a session of one domain must not resume in
// another): the certificate we presented and how the peer was verified, not the domain's
// address. Two nodes behind one SRV name each bind `tls_domain[own-IP:5061]` with the same
// certificate and policy, and a session from one must resume on the other
// (tls_ticket_key_file); two domains of one node with different certificates or client
// verification still never share sessions. Without a certificate: the domain's key.
std::string session_context(SSL_CTX* ctx, const cfg::TlsDomainConfig& d) {
  const TlsSettings& s = d.settings;
  X509* cert = SSL_CTX_get0_certificate(ctx);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (cert == nullptr || X509_digest(cert, EVP_sha256(), md, &md_len) != 1) return d.key();
  std::string out = "server-cert:";
  out.append(reinterpret_cast<const char*>(md), md_len);
  out += "|verify=" + std::to_string(s.verify_for(false)) +
         "|require=" + std::to_string(s.require_certificate) +
         "|depth=" + std::to_string(s.verify_depth) + "|ca=" + s.ca_list + "|capath=" + s.ca_path +
         "|crl=" + s.crl;
  return out;
}

void apply_sessions(SSL_CTX* ctx, const cfg::TlsDomainConfig& d, TicketKeyStore* store,
                    DomainReporter& report) {
  const TlsSettings& s = d.settings;
  std::string key = d.key();
  std::string context = session_context(ctx, d);
  unsigned char sid[EVP_MAX_MD_SIZE];
  unsigned int sid_len = 0;
  EVP_Digest(context.data(), context.size(), sid, &sid_len, EVP_sha256(), nullptr);
  SSL_CTX_set_session_id_context(ctx, sid, std::min<unsigned>(sid_len, SSL_MAX_SID_CTX_LENGTH));
  SSL_CTX_set_session_cache_mode(ctx, s.session_cache ? SSL_SESS_CACHE_SERVER : SSL_SESS_CACHE_OFF);
  if (s.session_tickets) {
    bool installed = store != nullptr ? TicketKeys::install(ctx, store->for_domain(key))
                                      : TicketKeys::install(ctx);
    if (!installed)
      report.error("tls_session_tickets",
                   "cannot install session ticket keys: " + take_openssl_error("OpenSSL refused"));
    // TLS 1.3 (RFC 8446 §4.6.1): OpenSSL sends two by default; one serves a SIP client, which
    // keeps one connection open.
    SSL_CTX_set_num_tickets(ctx, static_cast<size_t>(s.session_tickets_count));
  } else {
    TicketKeys::install_callback(ctx);
    if (!s.session_cache) SSL_CTX_set_num_tickets(ctx, 0);  // TLS 1.3: none nobody could use
  }
}

bool apply_keylog(SSL_CTX* ctx, const std::string& path, DomainReporter& report) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  FILE* f = fd >= 0 ? ::fdopen(fd, "a") : nullptr;
  if (f == nullptr) {
    report.error("tls_keylog_file",
                 "cannot open " + path + " for appending: " + std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return false;
  }
  auto* k = new KeylogFile;
  k->file = f;
  if (keylog_index() < 0 || SSL_CTX_set_ex_data(ctx, keylog_index(), k) != 1) {
    delete k;
    report.error("tls_keylog_file", "cannot attach the key log to the context");
    return false;
  }
  SSL_CTX_set_keylog_callback(ctx, keylog_callback);
  std::string what = "TLS session secrets are written to " + path +
                     ": anyone who reads it can decrypt the traffic; a debugging setting, "
                     "remove it in production";
  // One diagnostic: `ser -c` prints it and the server logs it at every start.
  report.warning("tls_keylog_file", what);
  return true;
}

}  // namespace

int protocol_version(cfg::TlsVersion v) {
  switch (v) {
    case cfg::TlsVersion::kNone:
      return 0;
    case cfg::TlsVersion::kTls1_0:
      return TLS1_VERSION;
    case cfg::TlsVersion::kTls1_1:
      return TLS1_1_VERSION;
    case cfg::TlsVersion::kTls1_2:
      return TLS1_2_VERSION;
    case cfg::TlsVersion::kTls1_3:
      return TLS1_3_VERSION;
  }
  return 0;
}

SslCtxPtr build_context(const cfg::TlsDomainConfig& domain, const ContextOptions& options,
                        DomainReporter& report) {
  const TlsSettings& s = domain.settings;
  bool server = domain.kind == cfg::TlsDomainKind::kServer;
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
  if (!ctx) {
    report.error("tls_method",
                 "cannot create an SSL context: " + take_openssl_error("SSL_CTX_new"));
    return nullptr;
  }
  // A key with a passphrase fails instead of prompting on a terminal nobody watches.
  SSL_CTX_set_default_passwd_cb(ctx.get(), refuse_passphrase);
  apply_method(ctx.get(), s.method, report);
  if (apply_algorithms(ctx.get(), s, report)) {
    check_legacy_ciphers(ctx.get(), s, report);
    warn_not_forward_secret(ctx.get(), s, report);
  }
  apply_options(ctx.get(), s, server);
  if (server) apply_dh(ctx.get(), s, report);
  apply_certificate(ctx.get(), s, options, report);
  if (apply_trust(ctx.get(), s, server, report)) apply_verify(ctx.get(), s, server, report);
  if (server) apply_sessions(ctx.get(), domain, options.ticket_keys, report);
  if (!s.keylog_file.empty()) apply_keylog(ctx.get(), s.keylog_file, report);
  ERR_clear_error();
  if (report.failed()) return nullptr;
  return ctx;
}

}  // namespace tls
