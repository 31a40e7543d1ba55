// What OpenSSL itself keeps for one idle server-side TLS connection, with no ser code around it:
// the floor under ser's per-connection figure (tests/bench/idle_connections.sh). N client/server
// pairs handshake over memory BIOs, exchange one message each way (as sipbench's OPTIONS and its
// 200 do), then the server side is measured: OpenSSL's bytes in use (the shared pool's hooks,
// core/base/library_memory.h, count every byte OpenSSL asks for), with the memory BIOs replaced by
// one shared null BIO so their buffers are not counted, before and after freeing the N server
// SSLs. Contexts as ser makes them for idle connections (SSL_MODE_RELEASE_BUFFERS). Figures,
// not assertions; README `## Performance` keeps a run's.
#include <openssl/err.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/base/library_memory.h"
#include "core/base/pool.h"
#include "tests/unit/tls/test_certs.h"

namespace {

constexpr int kPairs = 500;

struct Case {
  const char* name;
  const char* cert;   // stem in the test PKI
  const char* group;  // the server's groups: the key share it picks
  int version;
  bool clear_certs;  // SSL_certs_clear after the handshake, as ser does (tls/tls_engine.cc)
};

SSL_CTX* server_ctx(const Case& c) {
  const auto& pki = tls::test::TestCerts::get();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_min_proto_version(ctx, c.version);
  SSL_CTX_set_max_proto_version(ctx, c.version);
  SSL_CTX_set1_groups_list(ctx, c.group);
  std::string stem = pki.path(c.cert);
  if (SSL_CTX_use_certificate_chain_file(ctx, (stem + ".pem").c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, (stem + ".key").c_str(), SSL_FILETYPE_PEM) != 1) {
    std::fprintf(stderr, "openssl_idle_floor: cannot load %s\n", stem.c_str());
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

// Moves what `from` wrote into `to`'s input.
void pump(BIO* from_out, BIO* to_in) {
  char buf[16384];
  int n;
  while ((n = BIO_read(from_out, buf, sizeof buf)) > 0) BIO_write(to_in, buf, n);
}

struct Pair {
  SSL* client = nullptr;
  SSL* server = nullptr;
  BIO* c_in = nullptr;
  BIO* c_out = nullptr;
  BIO* s_in = nullptr;
  BIO* s_out = nullptr;
};

bool connect_pair(SSL_CTX* sctx, SSL_CTX* cctx, Pair& p) {
  p.client = SSL_new(cctx);
  p.server = SSL_new(sctx);
  p.c_in = BIO_new(BIO_s_mem());
  p.c_out = BIO_new(BIO_s_mem());
  p.s_in = BIO_new(BIO_s_mem());
  p.s_out = BIO_new(BIO_s_mem());
  SSL_set_bio(p.client, p.c_in, p.c_out);
  SSL_set_bio(p.server, p.s_in, p.s_out);
  SSL_set_connect_state(p.client);
  SSL_set_accept_state(p.server);
  for (int round = 0; round < 8; ++round) {
    SSL_do_handshake(p.client);
    pump(p.c_out, p.s_in);
    SSL_do_handshake(p.server);
    pump(p.s_out, p.c_in);
  }
  char buf[64];
  SSL_write(p.client, "OPTIONS", 7);
  pump(p.c_out, p.s_in);
  bool ok = SSL_read(p.server, buf, sizeof buf) == 7;
  SSL_write(p.server, "200", 3);
  pump(p.s_out, p.c_in);
  ok = ok && SSL_read(p.client, buf, sizeof buf) == 3;  // also takes the TLS 1.3 tickets
  ERR_clear_error();
  return ok;
}

void run(const Case& c) {
  SSL_CTX* sctx = server_ctx(c);
  SSL_CTX* cctx = SSL_CTX_new(TLS_client_method());
  if (sctx == nullptr || cctx == nullptr) return;
  SSL_CTX_set_mode(cctx, SSL_MODE_RELEASE_BUFFERS);
  // The server's list decides the key exchange; the client's also names P-256 so a TLS 1.2
  // server may sign with its P-256 key (RFC 8422 §5.1.1).
  SSL_CTX_set1_groups_list(cctx, "X25519:P-256");
  BIO* null_bio = BIO_new(BIO_s_null());
  std::vector<Pair> pairs(kPairs);
  int up = 0;
  for (auto& p : pairs) {
    if (!connect_pair(sctx, cctx, p)) continue;
    ++up;
    if (c.clear_certs) SSL_certs_clear(p.server);
    // The server keeps no buffers of ours: one shared null BIO instead of its two memory BIOs.
    BIO_up_ref(null_bio);
    SSL_set_bio(p.server, null_bio, null_bio);
  }
  uint64_t with = core::library_memory().openssl.in_use;
  for (auto& p : pairs) SSL_free(p.server);
  uint64_t without = core::library_memory().openssl.in_use;
  for (auto& p : pairs) SSL_free(p.client);
  BIO_free(null_bio);
  SSL_CTX_free(sctx);
  SSL_CTX_free(cctx);
  if (up != kPairs) {
    std::printf("%-44s only %d of %d handshakes completed\n", c.name, up, kPairs);
    return;
  }
  std::printf("%-44s %7.0f bytes (%.1f KiB)\n", c.name,
              static_cast<double>(with - without) / kPairs,
              static_cast<double>(with - without) / kPairs / 1024);
}

}  // namespace

int main() {
  if (!core::install_library_allocators(core::Pool::shm())) {
    std::fprintf(stderr, "openssl_idle_floor: OpenSSL's allocator hooks were refused\n");
    return 1;
  }
  std::printf(
      "OpenSSL alone: bytes one idle server-side connection keeps (%s, %d pairs,\n"
      "usable sizes of the shared pool's allocator):\n",
      OpenSSL_version(OPENSSL_VERSION), kPairs);
  const Case cases[] = {
      {"TLS 1.3, ECDSA P-256, X25519", "server-ec", "X25519", TLS1_3_VERSION, false},
      {"TLS 1.3, ECDSA P-256, X25519, certs cleared", "server-ec", "X25519", TLS1_3_VERSION, true},
      {"TLS 1.3, ECDSA P-256, P-256, certs cleared", "server-ec", "P-256", TLS1_3_VERSION, true},
      {"TLS 1.3, RSA-2048, X25519, certs cleared", "server", "X25519", TLS1_3_VERSION, true},
      {"TLS 1.2, ECDSA P-256, X25519, certs cleared", "server-ec", "X25519", TLS1_2_VERSION, true},
  };
  for (const Case& c : cases) run(c);
  return 0;
}
