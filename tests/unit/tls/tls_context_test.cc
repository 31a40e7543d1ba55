// tls_context: one SSL_CTX per domain from its TlsSettings (CONFIG.md TLS parameters).
#include "tls/tls_context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <cstdlib>
#include <filesystem>

#include <fstream>
#include <set>
#include <sstream>

#include "tests/unit/tls/tls_test_util.h"
#include "tls/ticket_keys.h"
#include "tls/tls_compat.h"
#include "tls/tls_conn_state.h"

namespace tls {
namespace {

using test::cert;
using ::testing::HasSubstr;

struct Built {
  SslCtxPtr ctx;
  cfg::Diagnostics diags;
  std::string text() const { return test::diag_text(diags); }
};

// As DomainSet::build does: a client domain needs no certificate of its own.
Built build(const cfg::TlsDomainConfig& d) {
  ContextOptions options;
  options.certificate_required = d.kind == cfg::TlsDomainKind::kServer;
  options.default_certificate = test::implicit_certificate();
  Built b;
  DomainReporter report(b.diags, d.loc, d.describe());
  b.ctx = build_context(d, options, report);
  return b;
}

std::set<std::string> cipher_names(SSL_CTX* ctx) {
  std::set<std::string> names;
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i)
    names.insert(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)));
  return names;
}

TEST(TlsContext, DefaultServerContextIsTls12PlusForwardSecretAeadOnly) {
  Built b = build(test::server_domain());
  ASSERT_TRUE(b.ctx) << b.text();
  EXPECT_EQ(b.text(), "");
  EXPECT_EQ(SSL_CTX_get_min_proto_version(b.ctx.get()), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(b.ctx.get()), 0);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(b.ctx.get());
  ASSERT_GT(sk_SSL_CIPHER_num(ciphers), 0);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    int kx = SSL_CIPHER_get_kx_nid(c);
    SCOPED_TRACE(SSL_CIPHER_get_name(c));
    EXPECT_TRUE(kx == NID_kx_ecdhe || kx == NID_kx_dhe || kx == NID_kx_any);  // any = TLS 1.3
    EXPECT_EQ(SSL_CIPHER_is_aead(c), 1);
  }
  EXPECT_TRUE(cipher_names(b.ctx.get()).count("ECDHE-RSA-AES128-GCM-SHA256"));
  EXPECT_FALSE(cipher_names(b.ctx.get()).count("AES128-GCM-SHA256"));  // RSA key exchange
}

TEST(TlsContext, DefaultServerOptionsAndModes) {
  Built b = build(test::server_domain());
  ASSERT_TRUE(b.ctx) << b.text();
  uint64_t o = SSL_CTX_get_options(b.ctx.get());
  EXPECT_TRUE(o & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(o & SSL_OP_CIPHER_SERVER_PREFERENCE);
  EXPECT_TRUE(o & SSL_OP_NO_RENEGOTIATION);
  EXPECT_FALSE(o & SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
  EXPECT_FALSE(o & SSL_OP_NO_TICKET);
  long mode = SSL_CTX_get_mode(b.ctx.get());
  EXPECT_TRUE(mode & SSL_MODE_RELEASE_BUFFERS);
  EXPECT_TRUE(mode & SSL_MODE_ENABLE_PARTIAL_WRITE);
  EXPECT_TRUE(mode & SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  EXPECT_EQ(SSL_CTX_get_verify_mode(b.ctx.get()), SSL_VERIFY_NONE);
  EXPECT_EQ(SSL_CTX_get_verify_depth(b.ctx.get()), 9);
  EXPECT_EQ(SSL_CTX_get_session_cache_mode(b.ctx.get()), SSL_SESS_CACHE_SERVER);
  EXPECT_NE(TicketKeys::of(b.ctx.get()), nullptr);
}

struct MethodCase {
  cfg::TlsVersion min, max;
  int want_min, want_max;
  bool legacy;
};

TEST(TlsContext, MethodMapsToProtocolBoundsAndLowersSecurityLevelOnlyForTls10And11) {
  const MethodCase cases[] = {
      {cfg::TlsVersion::kNone, cfg::TlsVersion::kNone, 0, 0, false},  // SSLv23
      {cfg::TlsVersion::kTls1_0, cfg::TlsVersion::kTls1_0, TLS1_VERSION, TLS1_VERSION, true},
      {cfg::TlsVersion::kTls1_0, cfg::TlsVersion::kNone, TLS1_VERSION, 0, true},
      {cfg::TlsVersion::kTls1_1, cfg::TlsVersion::kTls1_1, TLS1_1_VERSION, TLS1_1_VERSION, true},
      {cfg::TlsVersion::kTls1_2, cfg::TlsVersion::kTls1_2, TLS1_2_VERSION, TLS1_2_VERSION, false},
      {cfg::TlsVersion::kTls1_3, cfg::TlsVersion::kNone, TLS1_3_VERSION, 0, false},
  };
  SslCtxPtr plain(SSL_CTX_new(TLS_server_method()));
  int default_level = SSL_CTX_get_security_level(plain.get());
  for (const auto& c : cases) {
    cfg::TlsDomainConfig d = test::server_domain();
    d.settings.method.min = c.min;
    d.settings.method.max = c.max;
    d.settings.ciphers_list = std::string(cfg::kDefaultCiphers) + ":ECDHE-RSA-AES128-SHA";
    Built b = build(d);
    ASSERT_TRUE(b.ctx) << b.text();
    EXPECT_EQ(SSL_CTX_get_min_proto_version(b.ctx.get()), c.want_min);
    EXPECT_EQ(SSL_CTX_get_max_proto_version(b.ctx.get()), c.want_max);
    EXPECT_EQ(SSL_CTX_get_security_level(b.ctx.get()),
              c.legacy ? compat::kLegacyTlsSecurityLevel : default_level);
  }
}

TEST(TlsContext, Tls11MethodReallyHandshakesTls11) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.method = {cfg::TlsVersion::kTls1_1, cfg::TlsVersion::kTls1_1, "TLSv1.1"};
  d.settings.ciphers_list = "ECDHE-RSA-AES128-SHA";
  Built b = build(d);
  ASSERT_TRUE(b.ctx) << b.text();
  SslCtxPtr client = test::plain_client_ctx("", false);
  SSL_CTX_set_security_level(client.get(), 0);
  SSL_CTX_set_min_proto_version(client.get(), TLS1_1_VERSION);
  SSL_CTX_set_max_proto_version(client.get(), TLS1_1_VERSION);
  SSL_CTX_set_cipher_list(client.get(), "ECDHE-RSA-AES128-SHA");
  SslPtr c = test::client_ssl(client.get());
  SslPtr s(SSL_new(b.ctx.get()));
  ASSERT_TRUE(test::handshake(c.get(), s.get()).ok);
  EXPECT_EQ(SSL_version(s.get()), TLS1_1_VERSION);
}

TEST(TlsContext, LegacyMethodWithOnlyTls12CiphersIsAnError) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.method = {cfg::TlsVersion::kTls1_0, cfg::TlsVersion::kTls1_1, "TLSv1.1"};
  Built b = build(d);
  EXPECT_FALSE(b.ctx);
  EXPECT_EQ(b.text(),
            "t.cfg:7:1: error: tls_domain[127.0.0.1:5061]: tls_ciphers_list: no cipher "
            "of \"" +
                std::string(cfg::kDefaultCiphers) +
                "\" works with TLSv1.1 (GCM and ChaCha20 suites need TLS 1.2); add "
                "older ones such as ECDHE-RSA-AES128-SHA, or allow TLS 1.2\n");
  d.settings.method.max = cfg::TlsVersion::kNone;  // TLSv1+: TLS 1.2 and 1.3 still work
  EXPECT_TRUE(build(d).ctx);
}

TEST(TlsContext, DefaultMethodRefusesATls11Client) {
  Built b = build(test::server_domain());
  ASSERT_TRUE(b.ctx) << b.text();
  SslCtxPtr client = test::plain_client_ctx("", false);
  SSL_CTX_set_security_level(client.get(), 0);
  SSL_CTX_set_max_proto_version(client.get(), TLS1_1_VERSION);
  SSL_CTX_set_cipher_list(client.get(), "ALL");
  SslPtr c = test::client_ssl(client.get());
  SslPtr s(SSL_new(b.ctx.get()));
  EXPECT_FALSE(test::handshake(c.get(), s.get()).ok);
}

TEST(TlsContext, PerDomainCipherListAndCiphersuites) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.ciphers_list = "ECDHE-RSA-AES256-GCM-SHA384";
  d.settings.ciphersuites = "TLS_CHACHA20_POLY1305_SHA256";
  Built b = build(d);
  ASSERT_TRUE(b.ctx) << b.text();
  EXPECT_EQ(cipher_names(b.ctx.get()),
            (std::set<std::string>{"ECDHE-RSA-AES256-GCM-SHA384", "TLS_CHACHA20_POLY1305_SHA256"}));
}

TEST(TlsContext, CipherListOpenSslRefusesIsAnErrorNamingDomainAndParameter) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.ciphers_list = "NO-SUCH-CIPHER";
  Built b = build(d);
  EXPECT_FALSE(b.ctx);
  EXPECT_EQ(b.text(),
            "t.cfg:7:1: error: tls_domain[127.0.0.1:5061]: tls_ciphers_list: OpenSSL accepts no "
            "cipher of \"NO-SUCH-CIPHER\" (no cipher match)\n");
}

TEST(TlsContext, CiphersWithoutForwardSecrecyAreWarnedAbout) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.ciphers_list = "ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:AES256-SHA";
  Built b = build(d);
  ASSERT_TRUE(b.ctx);
  EXPECT_EQ(b.text(),
            "t.cfg:7:1: warning: tls_domain[127.0.0.1:5061]: tls_ciphers_list: "
            "\"ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:AES256-SHA\" allows "
            "ciphers without forward secrecy (RSA key exchange): AES128-GCM-SHA256, "
            "AES256-SHA\n");
}

TEST(TlsContext, BadCiphersuitesAndGroupsAreErrors) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.ciphersuites = "TLS_NO_SUCH_SUITE";
  d.settings.groups = "X25519:no-such-group";
  Built b = build(d);
  EXPECT_FALSE(b.ctx);
  EXPECT_THAT(b.text(), HasSubstr("error: tls_domain[127.0.0.1:5061]: tls_ciphersuites: OpenSSL "
                                  "refuses the TLS 1.3 ciphersuites \"TLS_NO_SUCH_SUITE\""));
  EXPECT_THAT(b.text(), HasSubstr("error: tls_domain[127.0.0.1:5061]: tls_groups: OpenSSL "
                                  "refuses the group list \"X25519:no-such-group\""));
}

TEST(TlsContext, GroupsRestrictKeyExchange) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.groups = "P-384";
  Built b = build(d);
  ASSERT_TRUE(b.ctx) << b.text();
  SslCtxPtr client = test::plain_client_ctx();
  SslPtr c = test::client_ssl(client.get());
  SslPtr s(SSL_new(b.ctx.get()));
  ASSERT_TRUE(test::handshake(c.get(), s.get()).ok);
  EXPECT_EQ(SSL_get_negotiated_group(s.get()), NID_secp384r1);
}

// DHE suites work with the built-in RFC 7919 group and with a tls_dh_params file.
void expect_dhe_handshake(SSL_CTX* server) {
  SslCtxPtr client = test::plain_client_ctx();
  SSL_CTX_set_max_proto_version(client.get(), TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(client.get(), "DHE-RSA-AES128-GCM-SHA256");
  SslPtr c = test::client_ssl(client.get());
  SslPtr s(SSL_new(server));
  ASSERT_TRUE(test::handshake(c.get(), s.get()).ok);
  EXPECT_STREQ(SSL_get_cipher_name(c.get()), "DHE-RSA-AES128-GCM-SHA256");
}

TEST(TlsContext, BuiltInFfdhe2048AllowsDheSuites) {
  Built b = build(test::server_domain());
  ASSERT_TRUE(b.ctx) << b.text();
  expect_dhe_handshake(b.ctx.get());
}

TEST(TlsContext, DhParamsFileIsLoaded) {
  std::string path = test::TestCerts::get().scratch("dh") + "/dh.pem";
  {
    EvpPkeyPtr dh = compat::ffdhe2048();
    BioPtr out(BIO_new_file(path.c_str(), "w"));
    ASSERT_EQ(PEM_write_bio_Parameters(out.get(), dh.get()), 1);
  }
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.dh_params = path;
  Built b = build(d);
  ASSERT_TRUE(b.ctx) << b.text();
  expect_dhe_handshake(b.ctx.get());
}

TEST(TlsContext, DhParamsFileWithoutParametersIsAnError) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.dh_params = cert("ca.pem");
  Built b = build(d);
  EXPECT_FALSE(b.ctx);
  EXPECT_EQ(b.text(),
            "t.cfg:7:1: error: tls_domain[127.0.0.1:5061]: tls_dh_params: no DH "
            "parameters in " +
                cert("ca.pem") + " (expected the output of `openssl dhparam`)\n");
}

TEST(TlsContext, VerifyModesFollowTheSeed) {
  struct Case {
    cfg::TlsDomainKind kind;
    std::optional<bool> verify;
    bool require;
    int want;
  };
  const Case cases[] = {
      {cfg::TlsDomainKind::kServer, std::nullopt, false, SSL_VERIFY_NONE},
      {cfg::TlsDomainKind::kServer, false, true, SSL_VERIFY_NONE},
      {cfg::TlsDomainKind::kServer, true, false, SSL_VERIFY_PEER},
      {cfg::TlsDomainKind::kServer, true, true, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT},
      {cfg::TlsDomainKind::kClient, std::nullopt, false, SSL_VERIFY_PEER},  // client default
      {cfg::TlsDomainKind::kClient, false, false, SSL_VERIFY_NONE},
  };
  for (const auto& c : cases) {
    cfg::TlsDomainConfig d =
        c.kind == cfg::TlsDomainKind::kServer ? test::server_domain() : test::client_domain();
    d.settings.ca_list = cert("ca.pem");
    d.settings.verify = c.verify;
    d.settings.require_certificate = c.require;
    d.settings.verify_depth = 4;
    Built b = build(d);
    ASSERT_TRUE(b.ctx) << b.text();
    EXPECT_EQ(SSL_CTX_get_verify_mode(b.ctx.get()), c.want);
    EXPECT_EQ(SSL_CTX_get_verify_depth(b.ctx.get()), 4);
  }
}

TEST(TlsContext, ServerVerifyNamesTrustedCasInCertificateRequest) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.verify = true;
  d.settings.ca_list = cert("ca.pem");
  Built b = build(d);
  ASSERT_TRUE(b.ctx) << b.text();
  STACK_OF(X509_NAME)* names = SSL_CTX_get_client_CA_list(b.ctx.get());
  ASSERT_EQ(sk_X509_NAME_num(names), 1);
  char cn[128];
  X509_NAME_get_text_by_NID(sk_X509_NAME_value(names, 0), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "ser Test Root CA");
}

TEST(TlsContext, ServerVerifyWithoutTrustedCasIsWarned) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.verify = true;
  Built b = build(d);
  ASSERT_TRUE(b.ctx);
  EXPECT_EQ(b.text(),
            "t.cfg:7:1: warning: tls_domain[127.0.0.1:5061]: tls_verify: client "
            "certificates are requested but neither tls_ca_list nor tls_ca_path is "
            "set: every client certificate will fail verification\n");
}

struct MutualCase {
  std::optional<bool> verify;
  bool require;
  const char* client_cert;  // "" = none
  bool ok;
  bool peer_verified;
};

// The "how does verification work" section of the seed, case by case.
TEST(TlsContext, ClientCertificateVerificationSemantics) {
  const MutualCase cases[] = {
      {false, false, "", true, false},
      {false, false, "client-other-ca", true, false},  // not even asked for
      {true, false, "", true, false},
      {true, false, "client", true, true},
      {true, false, "client-other-ca", false, false},
      {true, true, "", false, false},
      {true, true, "client", true, true},
      {true, true, "client-expired", false, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string("verify=") + (c.verify.value_or(false) ? "1" : "0") +
                 " require=" + (c.require ? "1" : "0") + " cert=" + c.client_cert);
    cfg::TlsDomainConfig d = test::server_domain();
    d.settings.verify = c.verify;
    d.settings.require_certificate = c.require;
    d.settings.ca_list = cert("ca.pem");
    Built b = build(d);
    ASSERT_TRUE(b.ctx) << b.text();
    SslCtxPtr client = test::plain_client_ctx(c.client_cert);
    SslPtr cl = test::client_ssl(client.get());
    SslPtr s(SSL_new(b.ctx.get()));
    EXPECT_EQ(test::handshake(cl.get(), s.get()).ok, c.ok);
    if (c.ok) {
      bool verified = SSL_get0_peer_certificate(s.get()) != nullptr &&
                      SSL_get_verify_result(s.get()) == X509_V_OK;
      EXPECT_EQ(verified, c.peer_verified);
    }
  }
}

TEST(TlsContext, VerifyCallbackKeepsTheFirstFailureAndItsDepth) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.verify = true;
  d.settings.require_certificate = true;
  d.settings.ca_list = cert("ca.pem");
  Built b = build(d);
  ASSERT_TRUE(b.ctx) << b.text();
  SslCtxPtr client = test::plain_client_ctx("client-expired");
  SslPtr cl = test::client_ssl(client.get());
  SslPtr s(SSL_new(b.ctx.get()));
  TlsConnState state;
  ASSERT_TRUE(state.attach(s.get()));
  ASSERT_FALSE(test::handshake(cl.get(), s.get()).ok);
  VerifyError f = state.verify;
  EXPECT_EQ(f.error, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(f.depth, 0);
}

TEST(TlsContext, ClientVerifiesServerAgainstItsCaList) {
  Built server = build(test::server_domain());
  ASSERT_TRUE(server.ctx);
  cfg::TlsDomainConfig cd = test::client_domain();
  cd.settings.ca_list = cert("other-ca.pem");
  Built client = build(cd);
  ASSERT_TRUE(client.ctx) << client.text();
  SslPtr c(SSL_new(client.ctx.get()));
  SslPtr s(SSL_new(server.ctx.get()));
  TlsConnState state;
  ASSERT_TRUE(state.attach(c.get()));
  EXPECT_FALSE(test::handshake(c.get(), s.get()).ok);
  VerifyError f = state.verify;
  EXPECT_EQ(f.error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_EQ(f.depth, 1);  // the intermediate's issuer is unknown

  cd.settings.ca_list = cert("ca.pem");
  Built good = build(cd);
  ASSERT_TRUE(good.ctx) << good.text();
  SslPtr c2(SSL_new(good.ctx.get()));
  SslPtr s2(SSL_new(server.ctx.get()));
  EXPECT_TRUE(test::handshake(c2.get(), s2.get()).ok);
}

TEST(TlsContext, ClientVerifiesServerAgainstAHashedCaPath) {
  // tls_ca_path: a directory of CA files named by subject hash (`openssl rehash`), alone.
  std::string dir = test::TestCerts::get().scratch("ca-path");
  std::filesystem::copy_file(cert("ca.pem"), dir + "/ca.pem",
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(std::system(("openssl rehash " + dir + " >/dev/null 2>&1").c_str()), 0);
  Built server = build(test::server_domain());
  ASSERT_TRUE(server.ctx);
  cfg::TlsDomainConfig cd = test::client_domain();
  cd.settings.ca_list.clear();
  cd.settings.ca_path = dir;
  Built client = build(cd);
  ASSERT_TRUE(client.ctx) << client.text();
  SslPtr c(SSL_new(client.ctx.get()));
  SslPtr s(SSL_new(server.ctx.get()));
  EXPECT_TRUE(test::handshake(c.get(), s.get()).ok);

  // The same directory without the hash links trusts nothing.
  std::string bare = test::TestCerts::get().scratch("ca-path-bare");
  std::filesystem::copy_file(cert("ca.pem"), bare + "/ca.pem",
                             std::filesystem::copy_options::overwrite_existing);
  cd.settings.ca_path = bare;
  Built unhashed = build(cd);
  ASSERT_TRUE(unhashed.ctx) << unhashed.text();
  SslPtr c2(SSL_new(unhashed.ctx.get()));
  SslPtr s2(SSL_new(server.ctx.get()));
  EXPECT_FALSE(test::handshake(c2.get(), s2.get()).ok);
}

TEST(TlsContext, ClientDomainMayPresentACertificate) {
  cfg::TlsDomainConfig cd = test::client_domain();
  cd.settings.certificate = cert("client.pem");
  cd.settings.private_key = cert("client.key");
  Built client = build(cd);
  ASSERT_TRUE(client.ctx) << client.text();
  cfg::TlsDomainConfig sd = test::server_domain();
  sd.settings.verify = true;
  sd.settings.require_certificate = true;
  sd.settings.ca_list = cert("ca.pem");
  Built server = build(sd);
  ASSERT_TRUE(server.ctx);
  SslPtr c(SSL_new(client.ctx.get()));
  SslPtr s(SSL_new(server.ctx.get()));
  ASSERT_TRUE(test::handshake(c.get(), s.get()).ok);
  EXPECT_EQ(test::peer_cn(s.get()), "client.test");
}

TEST(TlsContext, CrlIsLoadedAndRevokedClientRefused) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.verify = true;
  d.settings.require_certificate = true;
  d.settings.ca_list = cert("ca.pem");
  d.settings.crl = cert("crl.pem");
  Built b = build(d);
  ASSERT_TRUE(b.ctx) << b.text();
  STACK_OF(X509_OBJECT)* objs = X509_STORE_get0_objects(SSL_CTX_get_cert_store(b.ctx.get()));
  int crls = 0;
  for (int i = 0; i < sk_X509_OBJECT_num(objs); ++i)
    if (X509_OBJECT_get_type(sk_X509_OBJECT_value(objs, i)) == X509_LU_CRL) ++crls;
  EXPECT_EQ(crls, 2);  // root and intermediate
  for (auto [stem, ok] : {std::pair{"client", true}, std::pair{"client-revoked", false}}) {
    SCOPED_TRACE(stem);
    SslCtxPtr client = test::plain_client_ctx(stem);
    SslPtr c = test::client_ssl(client.get());
    SslPtr s(SSL_new(b.ctx.get()));
    TlsConnState state;
    ASSERT_TRUE(state.attach(s.get()));
    EXPECT_EQ(test::handshake(c.get(), s.get()).ok, ok);
    if (!ok) {
      EXPECT_EQ(state.verify.error, X509_V_ERR_CERT_REVOKED);
    }
  }
}

TEST(TlsContext, SessionCacheTicketsAndRenegotiationSwitches) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.session_cache = false;
  d.settings.session_tickets = false;
  d.settings.renegotiation = true;
  Built b = build(d);
  ASSERT_TRUE(b.ctx) << b.text();
  uint64_t o = SSL_CTX_get_options(b.ctx.get());
  EXPECT_TRUE(o & SSL_OP_NO_TICKET);
  EXPECT_FALSE(o & SSL_OP_NO_RENEGOTIATION);
  EXPECT_EQ(SSL_CTX_get_session_cache_mode(b.ctx.get()), SSL_SESS_CACHE_OFF);
  EXPECT_EQ(TicketKeys::of(b.ctx.get()), nullptr);
  EXPECT_EQ(SSL_CTX_get_num_tickets(b.ctx.get()), 0u);
}

// Handshakes with `first`, closes cleanly, then offers that session to `second`.
bool resumes(SSL_CTX* first, SSL_CTX* second, int max_version) {
  SslCtxPtr client = test::plain_client_ctx();
  SSL_CTX_set_max_proto_version(client.get(), max_version);
  SslPtr c1 = test::client_ssl(client.get());
  SslPtr s1(SSL_new(first));
  EXPECT_TRUE(test::handshake(c1.get(), s1.get()).ok);
  SslSessionPtr session(SSL_get1_session(c1.get()));
  SSL_shutdown(c1.get());
  SSL_shutdown(s1.get());
  SslPtr c2 = test::client_ssl(client.get());
  SslPtr s2(SSL_new(second));
  SSL_set_session(c2.get(), session.get());
  EXPECT_TRUE(test::handshake(c2.get(), s2.get()).ok);
  return SSL_session_reused(c2.get()) == 1;
}

TEST(TlsContext, SessionsResumeInTheirDomainOnly) {
  cfg::TlsDomainConfig other = test::server_domain();
  other.host = "127.0.0.2";
  Built b1 = build(test::server_domain());
  Built b2 = build(other);
  ASSERT_TRUE(b1.ctx && b2.ctx);
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    SCOPED_TRACE(version);
    EXPECT_TRUE(resumes(b1.ctx.get(), b1.ctx.get(), version));
    EXPECT_FALSE(resumes(b1.ctx.get(), b2.ctx.get(), version));
  }
}

TEST(TlsContext, SessionCacheOffResumesByTicketOnly) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.session_cache = false;
  Built with_tickets = build(d);
  d.settings.session_tickets = false;
  Built neither = build(d);
  ASSERT_TRUE(with_tickets.ctx && neither.ctx);
  EXPECT_TRUE(resumes(with_tickets.ctx.get(), with_tickets.ctx.get(), TLS1_2_VERSION));
  EXPECT_FALSE(resumes(neither.ctx.get(), neither.ctx.get(), TLS1_2_VERSION));
  EXPECT_FALSE(resumes(neither.ctx.get(), neither.ctx.get(), TLS1_3_VERSION));
}

TEST(TlsContext, KeylogFileGetsNssLinesAndALoudWarning) {
  std::string path = test::TestCerts::get().scratch("keylog") + "/keys.log";
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.keylog_file = path;
  Built b = build(d);
  ASSERT_TRUE(b.ctx) << b.text();
  EXPECT_EQ(b.text(),
            "t.cfg:7:1: warning: tls_domain[127.0.0.1:5061]: tls_keylog_file: TLS "
            "session secrets are written to " +
                path +
                ": anyone who reads it can decrypt the traffic; a debugging setting, "
                "remove it in production\n");
  SslCtxPtr client = test::plain_client_ctx();
  SslPtr c = test::client_ssl(client.get());
  SslPtr s(SSL_new(b.ctx.get()));
  ASSERT_TRUE(test::handshake(c.get(), s.get()).ok);
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_THAT(content.str(), HasSubstr("CLIENT_HANDSHAKE_TRAFFIC_SECRET "));
  EXPECT_THAT(content.str(), HasSubstr("SERVER_TRAFFIC_SECRET_0 "));
}

TEST(TlsContext, KeylogFileThatCannotBeOpenedIsAnError) {
  cfg::TlsDomainConfig d = test::server_domain();
  d.settings.keylog_file = cert("no-such-dir/keys.log");
  Built b = build(d);
  EXPECT_FALSE(b.ctx);
  EXPECT_THAT(b.text(), HasSubstr("error: tls_domain[127.0.0.1:5061]: tls_keylog_file: cannot "
                                  "open " +
                                  cert("no-such-dir/keys.log") +
                                  " for appending: No such file or directory"));
}

TEST(TlsContext, EcdsaCertificateServes) {
  Built b = build(test::server_domain("server-ec"));
  ASSERT_TRUE(b.ctx) << b.text();
  SslCtxPtr client = test::plain_client_ctx();
  SslPtr c = test::client_ssl(client.get());
  SslPtr s(SSL_new(b.ctx.get()));
  ASSERT_TRUE(test::handshake(c.get(), s.get()).ok);
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(SSL_get0_peer_certificate(c.get()))),
            EVP_PKEY_EC);
}

}  // namespace
}  // namespace tls
