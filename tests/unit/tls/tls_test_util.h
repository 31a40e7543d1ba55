#pragma once
// Helpers of the tls/ context, domain and SNI tests: domain configurations pointing at the
// generated test PKI (test_certs.h), diagnostics as text, and in-memory handshakes between
// two SSL objects joined by a BIO pair or two TlsEngines (no sockets, no threads, bounded in
// rounds).
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <string>

#include "cfg/config_loader.h"
#include "cfg/config_model.h"
#include "cfg/diagnostics.h"
#include "tests/unit/tls/test_certs.h"
#include "tls/ossl_ptr.h"
#include "tls/tls_engine.h"

namespace tls::test {

inline std::string cert(const std::string& name) {
  return TestCerts::get().path(name);
}

// A server domain serving `stem`.pem/.key; client domains get no certificate.
inline cfg::TlsDomainConfig server_domain(const std::string& stem = "server") {
  cfg::TlsDomainConfig d;
  d.kind = cfg::TlsDomainKind::kServer;
  d.host = "127.0.0.1";
  d.port = 5061;
  d.settings.certificate = cert(stem + ".pem");
  d.settings.private_key = cert(stem + ".key");
  d.loc = {"t.cfg", 7, 1};
  return d;
}

// Stands for CFG_DIR/cert.pem, the implicit certificate, here absent.
inline std::string implicit_certificate() {
  return cert("nonexistent-dir/cert.pem");
}

inline cfg::TlsDomainConfig client_domain() {
  cfg::TlsDomainConfig d;
  d.kind = cfg::TlsDomainKind::kClient;
  d.host = "127.0.0.1";
  d.port = 5071;
  d.settings.certificate = implicit_certificate();
  d.settings.private_key = d.settings.certificate;
  d.settings.ca_list = cert("ca.pem");
  d.loc = {"t.cfg", 9, 1};
  return d;
}

// Every diagnostic, one `file:line:col: severity: message` per line.
inline std::string diag_text(const cfg::Diagnostics& diags) {
  std::string out;
  for (const auto& d : diags.all()) out += d.to_string() + "\n";
  return out;
}

struct HandshakeResult {
  bool ok = false;
  int client_error = SSL_ERROR_NONE;  // SSL_get_error of the last failing call
  int server_error = SSL_ERROR_NONE;
};

// Joins `client` and `server` with a BIO pair and runs both handshakes to completion or
// failure. The SSL objects own the BIOs afterwards.
inline HandshakeResult handshake(SSL* client, SSL* server) {
  BIO* cb = nullptr;
  BIO* sb = nullptr;
  BIO_new_bio_pair(&cb, 0, &sb, 0);
  SSL_set_bio(client, cb, cb);
  SSL_set_bio(server, sb, sb);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);
  HandshakeResult r;
  bool client_done = false, server_done = false;
  for (int round = 0; round < 50 && !(client_done && server_done); ++round) {
    for (auto [ssl, done, err] : {std::tuple{client, &client_done, &r.client_error},
                                  std::tuple{server, &server_done, &r.server_error}}) {
      if (*done) continue;
      ERR_clear_error();
      int rc = SSL_do_handshake(ssl);
      if (rc == 1) {
        *done = true;
        continue;
      }
      int e = SSL_get_error(ssl, rc);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        *err = e;
        ERR_clear_error();
        return r;
      }
    }
  }
  // TLS 1.3: the client's handshake ends before the server has read its Finished, and the
  // server's session tickets arrive after; one read each way settles both.
  char byte;
  ERR_clear_error();
  SSL_read(client, &byte, 1);
  ERR_clear_error();
  r.ok = client_done && server_done;
  return r;
}

// Handshakes a new client (resuming `session` when given) and returns its latest session.
inline SslSessionPtr connect(SSL_CTX* server, SSL_CTX* client, SSL_SESSION* session, bool* reused) {
  SslPtr c(SSL_new(client));
  SslPtr s(SSL_new(server));
  if (session != nullptr) SSL_set_session(c.get(), session);
  EXPECT_TRUE(handshake(c.get(), s.get()).ok);
  *reused = SSL_session_reused(c.get()) == 1;
  SslSessionPtr latest(SSL_get1_session(c.get()));
  // A clean close: OpenSSL marks the session of an SSL freed without one as not resumable.
  SSL_shutdown(c.get());
  SSL_shutdown(s.get());
  return latest;
}

// Moves `from`'s pending ciphertext to `to`; true if any moved.
inline bool transfer(TlsEngine& from, TlsEngine& to) {
  if (!from.has_output()) return false;
  EXPECT_TRUE(to.feed(from.output()));
  from.consume_output(from.output().size());
  return true;
}

// Runs two engines' handshakes to completion or failure (the failing side's alert reaches
// the other), then lets the client read what followed (TLS 1.3 session tickets).
inline bool handshake(TlsEngine& client, TlsEngine& server) {
  for (int round = 0; round < 20; ++round) {
    TlsResult c = client.handshake();
    bool moved = transfer(client, server);
    TlsResult s = server.handshake();
    moved = transfer(server, client) || moved;
    if (c == TlsResult::kError || s == TlsResult::kError) {
      client.handshake();
      server.handshake();
      transfer(server, client);
      client.handshake();
      return false;
    }
    if (c == TlsResult::kOk && s == TlsResult::kOk && !moved) break;
    if (!moved && c != TlsResult::kOk) return false;
  }
  if (client.handshake_state() != HandshakeState::kDone ||
      server.handshake_state() != HandshakeState::kDone)
    return false;
  char byte;
  size_t got = 0;
  transfer(server, client);
  client.read(std::span<char>(&byte, 1), got);
  return true;
}

// A client SSL for `ctx` that offers `sni` (none when empty).
inline SslPtr client_ssl(SSL_CTX* ctx, const std::string& sni = "") {
  SslPtr ssl(SSL_new(ctx));
  if (!sni.empty()) SSL_set_tlsext_host_name(ssl.get(), sni.c_str());
  return ssl;
}

// A plain client context trusting ca.pem (verification on), optionally with a certificate.
inline SslCtxPtr plain_client_ctx(const std::string& cert_stem = "", bool verify = true) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_load_verify_locations(ctx.get(), cert("ca.pem").c_str(), nullptr);
  SSL_CTX_set_verify(ctx.get(), verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  if (!cert_stem.empty()) {
    SSL_CTX_use_certificate_chain_file(ctx.get(), cert(cert_stem + ".pem").c_str());
    SSL_CTX_use_PrivateKey_file(ctx.get(), cert(cert_stem + ".key").c_str(), SSL_FILETYPE_PEM);
  }
  return ctx;
}

// The subject CN of the certificate the peer of `ssl` presented ("" when none).
inline std::string peer_cn(SSL* ssl) {
  X509* x = SSL_get0_peer_certificate(ssl);
  if (x == nullptr) return "";
  char cn[256] = "";
  X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
  return cn;
}

}  // namespace tls::test
