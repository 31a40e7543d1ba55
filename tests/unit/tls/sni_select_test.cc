// SNI: the ClientHello callback switches a server connection to the domain answering for the
// client's server name, with that domain's whole configuration.
#include "tls/sni_select.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/tls/tls_test_util.h"
#include "tls/ticket_keys.h"
#include "tls/tls_socket.h"

namespace tls {
namespace {

using core::net::SocketAddr;

TEST(SniNameMatches, ExactNamesIgnoreCase) {
  EXPECT_TRUE(sni_name_matches("sip.example.org", "sip.example.org"));
  EXPECT_TRUE(sni_name_matches("sip.example.org", "SIP.Example.ORG"));
  EXPECT_FALSE(sni_name_matches("sip.example.org", "sip.example.org.evil"));
  EXPECT_FALSE(sni_name_matches("sip.example.org", "ip.example.org"));
  EXPECT_FALSE(sni_name_matches("sip.example.org", ""));
}

TEST(SniNameMatches, WildcardCoversExactlyOneLabel) {
  EXPECT_TRUE(sni_name_matches("*.example.org", "a.example.org"));
  EXPECT_TRUE(sni_name_matches("*.example.org", "A.EXAMPLE.org"));
  EXPECT_FALSE(sni_name_matches("*.example.org", "a.b.example.org"));
  EXPECT_FALSE(sni_name_matches("*.example.org", "example.org"));
  EXPECT_FALSE(sni_name_matches("*.example.org", ".example.org"));
  EXPECT_FALSE(sni_name_matches("*.example.org", "aexample.org"));
}

std::string ext(const std::string& host, unsigned char type = 0) {
  std::string entry;
  entry.push_back(static_cast<char>(type));
  entry.push_back(static_cast<char>(host.size() >> 8));
  entry.push_back(static_cast<char>(host.size() & 0xff));
  entry += host;
  std::string body;
  body.push_back(static_cast<char>(entry.size() >> 8));
  body.push_back(static_cast<char>(entry.size() & 0xff));
  return body + entry;
}

bool parse(const std::string& body, std::string* name) {
  return parse_server_name_ext(reinterpret_cast<const unsigned char*>(body.data()), body.size(),
                               name);
}

TEST(ParseServerNameExt, ReadsAndLowerCasesTheHostName) {
  std::string name;
  ASSERT_TRUE(parse(ext("Sni.Test"), &name));
  EXPECT_EQ(name, "sni.test");
}

TEST(ParseServerNameExt, RefusesMalformedBodies) {
  std::string name;
  EXPECT_FALSE(parse("", &name));
  EXPECT_FALSE(parse(ext(""), &name));                      // empty name
  EXPECT_FALSE(parse(ext("a.test", 1), &name));             // not host_name
  EXPECT_FALSE(parse(ext(std::string("a\0b", 3)), &name));  // NUL inside
  std::string body = ext("sni.test");
  EXPECT_FALSE(parse(body.substr(0, body.size() - 1), &name));  // truncated
  EXPECT_FALSE(parse(body + "x", &name));                       // trailing byte
  EXPECT_FALSE(parse(ext(std::string(256, 'a')), &name));       // over 255 bytes
  // Not printable ASCII: it would reach log lines and $tls_sni.
  EXPECT_FALSE(parse(ext("evil\nERROR: forged.test"), &name));
  EXPECT_FALSE(parse(ext("a\x1b[2J.test"), &name));
  EXPECT_FALSE(parse(ext("caf\xc3\xa9.test"), &name));
  EXPECT_FALSE(parse(ext("a b.test"), &name));
}

// The socket 127.0.0.1:5061 serves TLS 1.2 only without client certificates nor session
// resumption; its SNI domain
// "sni.test" wants TLS 1.3, ChaCha20, P-384 and a client certificate; "*.sni.test" serves an
// ECDSA certificate.
const char* kConfig = R"(
listen = tls:127.0.0.1:5061
tls_ca_list = "ca.pem"
tls_domain[127.0.0.1:5061] {
    tls_certificate = "server.pem"
    tls_private_key = "server.key"
    tls_method = TLSv1.2
    tls_session_cache = no
    tls_session_tickets = no
}
tls_domain[127.0.0.1:5061, "sni.test"] {
    tls_certificate = "sni.pem"
    tls_private_key = "sni.key"
    tls_method = TLSv1.3+
    tls_ciphersuites = "TLS_CHACHA20_POLY1305_SHA256"
    tls_groups = "P-384"
    tls_verify = 1
    tls_require_certificate = 1
}
tls_domain[127.0.0.1:5061, "*.sni.test"] {
    tls_certificate = "server-ec.pem"
    tls_private_key = "server-ec.key"
}
route {
    forward();
}
)";

class SniTest : public ::testing::Test {
 protected:
  void load(const char* text) {
    std::string main = test::TestCerts::get().dir() + "/ser.cfg";
    ASSERT_TRUE(cfg::load_config_text(main, text, &config_, &diags_)) << test::diag_text(diags_);
    set_ = DomainSet::build(config_, diags_);
    ASSERT_TRUE(set_) << test::diag_text(diags_);
    socket_domain_ = &set_->server_for(local_);
  }

  // Handshakes a client offering `sni` (and presenting `client_cert`) with a server engine
  // accepting on the socket, as the TLS socket makes it.
  bool connect(const std::string& sni, const std::string& client_cert = "",
               SSL_SESSION* resume = nullptr, int max_version = 0) {
    client_ctx_ = test::plain_client_ctx(client_cert, /*verify=*/false);
    client_ = std::make_unique<TlsEngine>();
    server_ = std::make_unique<TlsEngine>();
    EXPECT_TRUE(client_->init(client_ctx_.get(), TlsRole::kClient, sni)) << client_->error();
    if (max_version != 0) SSL_set_max_proto_version(client_->ssl(), max_version);
    if (resume != nullptr) SSL_set_session(client_->ssl(), resume);
    EXPECT_TRUE(server_->init_server(*set_, local_)) << server_->error();
    return test::handshake(*client_, *server_);
  }

  const TlsDomain* selected() const { return server_->domain(); }
  SSL* client() const { return client_->ssl(); }
  SSL* server() const { return server_->ssl(); }

  cfg::Config config_;
  cfg::Diagnostics diags_;
  std::shared_ptr<const DomainSet> set_;
  SocketAddr local_ = *SocketAddr::parse("127.0.0.1:5061");
  const TlsDomain* socket_domain_ = nullptr;
  SslCtxPtr client_ctx_;
  std::unique_ptr<TlsEngine> client_;
  std::unique_ptr<TlsEngine> server_;
};

class SniSelectTest : public SniTest {
 protected:
  void SetUp() override {
    load(kConfig);
    ASSERT_EQ(socket_domain_->name(), "tls_domain[127.0.0.1:5061]");
  }
};

TEST_F(SniSelectTest, WithoutSniTheSocketDomainAnswers) {
  ASSERT_TRUE(connect(""));
  EXPECT_EQ(selected(), socket_domain_);
  EXPECT_EQ(test::peer_cn(client()), "localhost");
  EXPECT_EQ(SSL_version(client()), TLS1_2_VERSION);
}

TEST_F(SniSelectTest, ExactNameSwitchesToTheWholeDomainConfiguration) {
  ASSERT_TRUE(connect("sni.test", "client"));
  ASSERT_NE(selected(), nullptr);
  EXPECT_EQ(selected()->name(), "tls_domain[127.0.0.1:5061, \"sni.test\"]");
  EXPECT_EQ(SSL_get_SSL_CTX(server()), selected()->ctx());
  EXPECT_EQ(test::peer_cn(client()), "sni.test");
  // Versions, suites, groups and verification of the SNI domain, not of the socket's.
  EXPECT_EQ(SSL_version(client()), TLS1_3_VERSION);
  EXPECT_STREQ(SSL_get_cipher_name(client()), "TLS_CHACHA20_POLY1305_SHA256");
  EXPECT_EQ(SSL_get_negotiated_group(server()), NID_secp384r1);
  EXPECT_EQ(SSL_get_verify_mode(server()), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  EXPECT_EQ(test::peer_cn(server()), "client.test");
  EXPECT_EQ(SSL_get_verify_result(server()), X509_V_OK);
  EXPECT_EQ(sk_X509_NAME_num(SSL_get_client_CA_list(server())), 1);
}

TEST_F(SniSelectTest, SniDomainRequiringACertificateRefusesAClientWithout) {
  EXPECT_FALSE(connect("sni.test"));
}

TEST_F(SniSelectTest, NameIsMatchedCaseInsensitively) {
  ASSERT_TRUE(connect("SNI.Test", "client"));
  EXPECT_EQ(test::peer_cn(client()), "sni.test");
}

TEST_F(SniSelectTest, WildcardDomainAnswersForOneLabel) {
  ASSERT_TRUE(connect("www.sni.test"));
  EXPECT_EQ(selected()->name(), "tls_domain[127.0.0.1:5061, \"*.sni.test\"]");
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(SSL_get0_peer_certificate(client()))),
            EVP_PKEY_EC);
  // The wildcard domain inherits TLSv1.2+ from the defaults, not the socket's TLSv1.2 only.
  EXPECT_EQ(SSL_version(client()), TLS1_3_VERSION);
}

TEST_F(SniSelectTest, DeeperNameAndUnknownNameKeepTheSocketDomain) {
  for (const char* name : {"a.b.sni.test", "unknown.example"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(connect(name));
    EXPECT_EQ(selected(), socket_domain_);
    EXPECT_EQ(test::peer_cn(client()), "localhost");
    EXPECT_EQ(SSL_version(client()), TLS1_2_VERSION);
  }
}

// Resumption follows the selected domain: its ticket keys, not the socket domain's settings.
TEST_F(SniSelectTest, SessionsResumeWithTheSelectedDomainsTickets) {
  for (const char* sni : {"www.sni.test", ""}) {
    SCOPED_TRACE(sni);
    ASSERT_TRUE(connect(sni));
    SslSessionPtr session(SSL_get1_session(client()));
    if (*sni != '\0') {
      // RFC 5077 section 4: the ticket starts with the name of the key that made it.
      const unsigned char* ticket = nullptr;
      size_t len = 0;
      SSL_SESSION_get0_ticket(session.get(), &ticket, &len);
      TicketKeys* keys = TicketKeys::of(selected()->ctx());
      ASSERT_NE(keys, nullptr);
      ASSERT_GE(len, 16u);
      TicketKeys::KeyName name = keys->current_name();
      EXPECT_TRUE(std::equal(name.begin(), name.end(), ticket));
    }
    SSL_shutdown(client());
    SSL_shutdown(server());
    ASSERT_TRUE(connect(sni, "", session.get()));
    EXPECT_EQ(SSL_session_reused(client()) == 1, *sni != '\0');
  }
}

TEST_F(SniSelectTest, AnSslNoEngineMadeKeepsItsContext) {
  SslCtxPtr client_ctx = test::plain_client_ctx("", false);
  SslPtr c = test::client_ssl(client_ctx.get(), "sni.test");
  SslPtr s(SSL_new(socket_domain_->ctx()));
  ASSERT_TRUE(test::handshake(c.get(), s.get()).ok);
  EXPECT_EQ(test::peer_cn(c.get()), "localhost");
}

// A name that is not printable ASCII counts as no SNI: the socket's domain answers and the
// name is neither kept nor logged.
TEST_F(SniSelectTest, ANameThatIsNotPrintableAsciiIsIgnoredAsMalformed) {
  ASSERT_TRUE(connect("evil\nERROR: forged.sni.test"));
  EXPECT_EQ(selected(), socket_domain_);
  EXPECT_EQ(server_->state().sni, "");
  EXPECT_EQ(collect_tls_facts(*server_).sni, "");
}

// The name the client sent, kept by the engine: OpenSSL's SSL_get_servername gives the
// session's name on a TLS 1.2 resumption, which it never stored (no servername callback).
TEST_F(SniSelectTest, TheClientsNameIsKnownAfterATls12Resumption) {
  ASSERT_TRUE(connect("www.sni.test", "", nullptr, TLS1_2_VERSION));
  EXPECT_EQ(server_->state().sni, "www.sni.test");
  SslSessionPtr session(SSL_get1_session(client()));
  SSL_shutdown(client());
  ASSERT_TRUE(connect("WWW.sni.test", "", session.get(), TLS1_2_VERSION));
  ASSERT_EQ(SSL_session_reused(server()), 1);
  ASSERT_EQ(SSL_version(server()), TLS1_2_VERSION);
  EXPECT_EQ(server_->state().sni, "www.sni.test");
  EXPECT_EQ(collect_tls_facts(*server_).sni, "www.sni.test");
  EXPECT_EQ(collect_tls_facts(*server_).domain, "tls_domain[127.0.0.1:5061, \"*.sni.test\"]");
}

// Every domain of the socket carries a name: the first declared ("a.test", which requires a
// client certificate from ca.pem) is the socket's own, never the default domain (which asks
// for nothing). "b.test" trusts only other-ca.pem.
const char* kNamedOnly = R"(
listen = tls:127.0.0.1:5061
tls_certificate = "server2.pem"
tls_private_key = "server2.key"
tls_domain[127.0.0.1:5061, "a.test"] {
    tls_certificate = "server.pem"
    tls_private_key = "server.key"
    tls_verify = 1
    tls_require_certificate = 1
    tls_ca_list = "ca.pem"
}
tls_domain[127.0.0.1:5061, "b.test"] {
    tls_certificate = "sni.pem"
    tls_private_key = "sni.key"
    tls_verify = 1
    tls_require_certificate = 1
    tls_ca_list = "other-ca.pem"
}
route {
    forward();
}
)";

class SniPolicyTest : public SniTest {
 protected:
  void SetUp() override { load(kNamedOnly); }
};

TEST_F(SniPolicyTest, NoSniAndUnknownSniGetTheFirstDeclaredDomainsPolicy) {
  ASSERT_EQ(socket_domain_->name(), "tls_domain[127.0.0.1:5061, \"a.test\"]");
  for (const char* sni : {"", "unknown.example"}) {
    SCOPED_TRACE(sni);
    EXPECT_FALSE(connect(sni));  // no client certificate: a.test requires one
    EXPECT_EQ(server_->failure(), HandshakeFailure::kNoCertificate) << server_->error();
    ASSERT_TRUE(connect(sni, "client"));
    EXPECT_EQ(selected(), socket_domain_);
    EXPECT_EQ(test::peer_cn(client()), "localhost");
    EXPECT_EQ(collect_tls_facts(*server_).domain, "tls_domain[127.0.0.1:5061, \"a.test\"]");
    EXPECT_TRUE(collect_tls_facts(*server_).peer_verified);
  }
}

// After the switch, verification uses the chosen domain's CA list and mode (SSL_set_SSL_CTX
// takes the new context's certificate store).
TEST_F(SniPolicyTest, EachSniDomainVerifiesWithItsOwnCaList) {
  ASSERT_TRUE(connect("b.test", "client-other-ca"));
  EXPECT_EQ(test::peer_cn(server()), "client.other");
  EXPECT_TRUE(collect_tls_facts(*server_).peer_verified);

  EXPECT_FALSE(connect("b.test", "client"));  // ca.pem's client: not b.test's CA
  EXPECT_EQ(server_->failure(), HandshakeFailure::kVerify) << server_->error();
  EXPECT_FALSE(connect("a.test", "client-other-ca"));
  EXPECT_EQ(server_->failure(), HandshakeFailure::kVerify) << server_->error();
  ASSERT_TRUE(connect("a.test", "client"));
  EXPECT_TRUE(collect_tls_facts(*server_).peer_verified);
}

const char* kStrict = R"(
listen = tls:127.0.0.1:5061
tls_domain[127.0.0.1:5061] {
    tls_certificate = "server.pem"
    tls_private_key = "server.key"
}
tls_domain[127.0.0.1:5061, "b.test"] {
    tls_certificate = "sni.pem"
    tls_private_key = "sni.key"
    tls_sni_strict = yes
}
route {
    forward();
}
)";

TEST_F(SniTest, StrictSocketRefusesAnUnknownNameWithUnrecognizedName) {
  load(kStrict);
  EXPECT_FALSE(connect("unknown.example"));
  EXPECT_EQ(server_->error(),
            "handshake failed: SNI \"unknown.example\" names no domain of this socket "
            "(tls_sni_strict)");
  EXPECT_THAT(client_->error(), ::testing::HasSubstr("unrecognized name"));
  ASSERT_TRUE(connect("b.test"));
  EXPECT_EQ(test::peer_cn(client()), "sni.test");
  ASSERT_TRUE(connect(""));  // no name at all: the socket's own domain
  EXPECT_EQ(test::peer_cn(client()), "localhost");
}

TEST_F(SniTest, WithoutStrictAnUnknownNameGetsTheSocketsDomain) {
  std::string text = kStrict;
  text.replace(text.find("tls_sni_strict = yes"), 20, "tls_sni_strict = no ");
  load(text.c_str());
  ASSERT_TRUE(connect("unknown.example"));
  EXPECT_EQ(test::peer_cn(client()), "localhost");
}

}  // namespace
}  // namespace tls
