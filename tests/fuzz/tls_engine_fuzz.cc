// The TLS engine (tls/tls_engine) fed by a hostile peer in memory. The first input byte picks
// the side: even, a server engine built by the project's own context code reads the input as
// the client's records; odd, a client engine (SNI "localhost", verifying) sends its
// ClientHello and then reads the input as the server's records. The rest is cut into reads
// (fuzz_util.h Chunker); after each, the engine runs its handshake, or once it is done reads
// and answers like a connection would. Checks: no crash, and the engine's own promises
// (results, bounded output, a failure says why).
//
// The certificate and key are made in-process at the first run (EC P-256, self-signed, a
// day long) and written to a directory of this process: nothing is committed.
//
// With SER_FUZZ_SEED_DIR set, initialisation also runs a real handshake between two engines
// and writes what each side received, in this target's input format, as seeds there.
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "cfg/config_model.h"
#include "cfg/diagnostics.h"
#include "core/base/library_memory.h"
#include "core/base/pool.h"
#include "tests/fuzz/fuzz_util.h"
#include "tls/cert_check.h"
#include "tls/tls_context.h"
#include "tls/tls_engine.h"

namespace {

using tls::TlsEngine;
using tls::TlsResult;

void write_pem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  FUZZ_CHECK(f != nullptr, "cannot write %s", path.c_str());
  if (cert != nullptr) FUZZ_CHECK(PEM_write_X509(f, cert) == 1, "PEM_write_X509");
  if (key != nullptr) {
    FUZZ_CHECK(PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
               "PEM_write_PrivateKey");
  }
  std::fclose(f);
}

// A self-signed certificate for "localhost" in `dir`: cert.pem and key.pem.
void make_certificate(const std::string& dir) {
  tls::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  FUZZ_CHECK(key != nullptr, "EC key generation failed");
  tls::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    FUZZ_CHECK(ext != nullptr, "extension %d", nid);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  FUZZ_CHECK(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");
  write_pem(dir + "/cert.pem", cert.get(), nullptr);
  write_pem(dir + "/key.pem", nullptr, key.get());
}

tls::SslCtxPtr build(const std::string& dir, cfg::TlsDomainKind kind) {
  cfg::TlsDomainConfig d;
  d.kind = kind;
  d.is_default = true;
  d.loc = {"fuzz.cfg", 1, 1};
  if (kind == cfg::TlsDomainKind::kServer) {
    d.settings.certificate = dir + "/cert.pem";
    d.settings.private_key = dir + "/key.pem";
  } else {
    d.settings.ca_list = dir + "/cert.pem";
    d.settings.certificate = dir + "/none.pem";  // the implicit one, absent: no client cert
    d.settings.private_key = d.settings.certificate;
  }
  cfg::Diagnostics diags;
  tls::DomainReporter report(diags, d.loc, d.key());
  tls::ContextOptions options;
  options.certificate_required = kind == cfg::TlsDomainKind::kServer;
  options.default_certificate = d.settings.certificate;
  tls::SslCtxPtr ctx = tls::build_context(d, options, report);
  FUZZ_CHECK(ctx != nullptr, "context: %s", diags.first_error().c_str());
  return ctx;
}

struct Contexts {
  Contexts() {
    fuzz::quiet_logs();
    char tmpl[] = "/tmp/ser-fuzz-tls.XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl) != nullptr, "mkdtemp");
    dir = tmpl;
    make_certificate(dir);
    server = build(dir, cfg::TlsDomainKind::kServer);
    client = build(dir, cfg::TlsDomainKind::kClient);
  }
  ~Contexts() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string dir;
  tls::SslCtxPtr server;
  tls::SslCtxPtr client;
};

const Contexts& contexts() {
  static const Contexts c;
  return c;
}

bool init(TlsEngine& e, bool client) {
  const Contexts& c = contexts();
  return client ? e.init(c.client.get(), tls::TlsRole::kClient, "localhost")
                : e.init(c.server.get(), tls::TlsRole::kServer);
}

// One step of a connection after input arrived: handshake, or read and answer.
void step(TlsEngine& e) {
  if (e.handshake_state() != tls::HandshakeState::kDone) {
    const TlsResult r = e.handshake();
    if (r == TlsResult::kError) FUZZ_CHECK(!e.error().empty(), "a failure without a reason");
    if (r != TlsResult::kOk) return;
  }
  char buf[2048];
  for (int i = 0; i < 16; ++i) {
    size_t got = 0;
    const TlsResult r = e.read({buf, sizeof buf}, got);
    FUZZ_CHECK(got <= sizeof buf, "read %zu bytes into %zu", got, sizeof buf);
    if (r != TlsResult::kOk) break;
    size_t taken = 0;
    (void)e.write({buf, got}, taken);
    FUZZ_CHECK(taken <= got, "took %zu of %zu", taken, got);
  }
}

// The engine's output goes nowhere (the peer is the input), but it is bounded.
void drain(TlsEngine& e) {
  FUZZ_CHECK(e.output().size() <= 4 * TlsEngine::kOutputHighWater, "%zu bytes of output",
             e.output().size());
  e.consume_output(e.output().size());
}

// What `from` sent, in this target's input format (chunks of at most 255 bytes).
void append_chunks(std::string& seed, TlsEngine& from) {
  std::string_view out = from.output();
  while (!out.empty()) {
    const size_t n = std::min<size_t>(out.size(), 255);
    seed.push_back(static_cast<char>(n));
    seed.append(out.substr(0, n));
    out.remove_prefix(n);
  }
}

void write_seed(const std::string& path, const std::string& seed) {
  FILE* f = std::fopen(path.c_str(), "wb");
  FUZZ_CHECK(f != nullptr, "cannot write %s", path.c_str());
  std::fwrite(seed.data(), 1, seed.size(), f);
  std::fclose(f);
}

// A real handshake and one request each way; what each side received becomes a seed.
void write_seeds(const char* dir, int max_version, const char* tag) {
  TlsEngine client, server;
  FUZZ_CHECK(init(client, true) && init(server, false), "engine init");
  if (max_version != 0) SSL_set_max_proto_version(server.ssl(), max_version);
  std::string to_server(1, '\0'), to_client(1, '\1');
  size_t taken = 0;
  client.write("OPTIONS sip:localhost SIP/2.0\r\nContent-Length: 0\r\n\r\n", taken);
  for (int round = 0; round < 10; ++round) {
    client.handshake();
    append_chunks(to_server, client);
    (void)server.feed(client.output());
    client.consume_output(client.output().size());
    step(server);
    append_chunks(to_client, server);
    (void)client.feed(server.output());
    server.consume_output(server.output().size());
  }
  write_seed(std::string(dir) + "/captured-to-server-" + tag, to_server);
  write_seed(std::string(dir) + "/captured-to-client-" + tag, to_client);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // OpenSSL on shm as in ser (under libFuzzer's own main; replay_main has done it already).
  core::install_library_allocators(core::Pool::shm());
  if (const char* dir = std::getenv("SER_FUZZ_SEED_DIR")) {
    write_seeds(dir, 0, "tls13");
    write_seeds(dir, TLS1_2_VERSION, "tls12");
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool client = data[0] & 1;
  TlsEngine e;
  if (!init(e, client)) return 0;
  if (client) {
    FUZZ_CHECK(e.handshake() == TlsResult::kWantRead, "a client starts by waiting: %s",
               e.error().c_str());
    drain(e);
  }
  fuzz::Chunker chunks(fuzz::as_text(data + 1, size - 1));
  std::string_view piece;
  while (chunks.next(piece)) {
    if (!e.feed(piece)) return 0;
    step(e);
    drain(e);
  }
  e.feed_eof();
  step(e);
  e.start_close();
  drain(e);
  ERR_clear_error();
  return 0;
}
