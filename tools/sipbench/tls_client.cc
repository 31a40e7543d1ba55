#include "tools/sipbench/tls_client.h"

#include "tls/builtin_key_methods.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

namespace sipbench {

namespace {

// SSL ex-data slot marking an SSL that received a session (a flag, no allocation).
int session_flag_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

std::string drain_errors() {
  std::string text;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (text.empty()) text = buf;
  }
  return text;
}

int version_of(TlsVersion v) {
  return v == TlsVersion::k12 ? TLS1_2_VERSION : TLS1_3_VERSION;
}

}  // namespace

std::unique_ptr<TlsClient> TlsClient::create(const Options& options, std::string* error) {
  if (options.builtin_key_methods && !tls::use_builtin_key_methods(error)) {
    *error = "built-in key methods (--provider-key-decoding avoids them): " + *error;
    return nullptr;
  }
  std::unique_ptr<TlsClient> client(new TlsClient(options));
  client->ctx_.reset(SSL_CTX_new(TLS_client_method()));
  SSL_CTX* ctx = client->ctx_.get();
  if (!ctx) {
    *error = "SSL_CTX_new: " + drain_errors();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (options.tls_version != TlsVersion::kAny) {
    SSL_CTX_set_min_proto_version(ctx, version_of(options.tls_version));
    SSL_CTX_set_max_proto_version(ctx, version_of(options.tls_version));
  }
  // Thousands of idle connections: no record buffers kept while nothing is read or written.
  // Elsewhere releasing them costs a malloc/free per read.
  if (options.mode == Mode::kIdle) SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  // One read(2) takes a whole flight of the handshake, not a header then a body per record
  // (TLS 1.2 resumption: 3 reads instead of 7 per handshake).
  SSL_CTX_set_read_ahead(ctx, 1);
  if (!options.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
      *error = "--ca " + options.ca_file + ": " + drain_errors();
      return nullptr;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  } else {
    // Nothing to check against: OpenSSL would still build and check the chain (and ignore
    // the result), ~5 % of a full handshake's CPU here.
    SSL_CTX_set_cert_verify_callback(ctx, &TlsClient::accept_chain_unchecked, nullptr);
  }
  if (!options.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
      *error = "--cert " + options.cert_file + ": " + drain_errors();
      return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      *error = "--key " + options.key_file + ": " + drain_errors();
      return nullptr;
    }
  }
  if (options.resume) {
    // Sessions come to on_new_session, never to OpenSSL's internal client cache.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, &TlsClient::on_new_session);
    SSL_CTX_set_app_data(ctx, client.get());
  }
  return client;
}

SSL* TlsClient::new_ssl(int fd, bool held_writes) {
  SSL* ssl = SSL_new(ctx_.get());
  if (!ssl) return nullptr;
  if (held_writes) {
    BIO* rbio = BIO_new_socket(fd, BIO_NOCLOSE);
    BIO* wbio = BIO_new(BIO_s_mem());
    if (!rbio || !wbio) {
      BIO_free(rbio);
      BIO_free(wbio);
      SSL_free(ssl);
      return nullptr;
    }
    SSL_set_bio(ssl, rbio, wbio);
  } else {
    SSL_set_fd(ssl, fd);
  }
  SSL_set_connect_state(ssl);
  if (!options_.sni.empty()) {
    SSL_set_tlsext_host_name(ssl, options_.sni.c_str());
    // With a CA to check against, the name sent is also the name the certificate must carry.
    if (!options_.ca_file.empty()) SSL_set1_host(ssl, options_.sni.c_str());
  }
  if (options_.resume) {
    if (SSL_SESSION* session = sessions_.take()) {
      SSL_set_session(ssl, session);  // takes its own reference
      SSL_SESSION_free(session);
    }
  }
  return ssl;
}

int TlsClient::accept_chain_unchecked(X509_STORE_CTX*, void*) {
  return 1;
}

bool TlsClient::got_session(const SSL* ssl) {
  return SSL_get_ex_data(ssl, session_flag_index()) != nullptr;
}

int TlsClient::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* self = static_cast<TlsClient*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  SSL_set_ex_data(ssl, session_flag_index(), self);
  self->sessions_.add(session);
  return 1;  // we keep the reference
}

std::string tls_failure_text(const SSL* ssl) {
  std::string text = drain_errors();
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK)
    text += std::string(text.empty() ? "" : ": ") + X509_verify_cert_error_string(verify);
  return text.empty() ? "no reason given by OpenSSL" : text;
}

}  // namespace sipbench
