// SNI: the ClientHello callback switches a server connection to the domain answering for the
// client's server name, with that domain's whole configuration.
#include "tls/sni_select.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/tls/tls_test_util.h"
#include "tls/ticket_keys.h"

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

class SniSelectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string main = test::TestCerts::get().dir() + "/ser.cfg";
    ASSERT_TRUE(cfg::load_config_text(main, kConfig, &config_, &diags_)) << test::diag_text(diags_);
    set_ = DomainSet::build(config_, diags_);
    ASSERT_TRUE(set_) << test::diag_text(diags_);
    socket_domain_ = &set_->server_for(local_);
    ASSERT_EQ(socket_domain_->name(), "tls_domain[127.0.0.1:5061]");
  }

  // Handshakes a client offering `sni` (and presenting `client_cert`) with a server SSL set
  // up the way the TLS socket does it.
  test::HandshakeResult connect(const std::string& sni, const std::string& client_cert = "",
                                SSL_SESSION* resume = nullptr) {
    client_ctx_ = test::plain_client_ctx(client_cert, /*verify=*/false);
    client_ = test::client_ssl(client_ctx_.get(), sni);
    if (resume != nullptr) SSL_set_session(client_.get(), resume);
    server_.reset(SSL_new(socket_domain_->ctx()));
    attach_server_ssl(server_.get(), *set_, &local_, *socket_domain_);
    return test::handshake(client_.get(), server_.get());
  }

  const TlsDomain* selected() const {
    return static_cast<const TlsDomain*>(
        SSL_get_ex_data(server_.get(), DomainSet::domain_ex_index()));
  }

  cfg::Config config_;
  cfg::Diagnostics diags_;
  std::shared_ptr<const DomainSet> set_;
  SocketAddr local_ = *SocketAddr::parse("127.0.0.1:5061");
  const TlsDomain* socket_domain_ = nullptr;
  SslCtxPtr client_ctx_;
  SslPtr client_;
  SslPtr server_;
};

TEST_F(SniSelectTest, WithoutSniTheSocketDomainAnswers) {
  ASSERT_TRUE(connect("").ok);
  EXPECT_EQ(selected(), socket_domain_);
  EXPECT_EQ(test::peer_cn(client_.get()), "localhost");
  EXPECT_EQ(SSL_version(client_.get()), TLS1_2_VERSION);
}

TEST_F(SniSelectTest, ExactNameSwitchesToTheWholeDomainConfiguration) {
  ASSERT_TRUE(connect("sni.test", "client").ok);
  ASSERT_NE(selected(), nullptr);
  EXPECT_EQ(selected()->name(), "tls_domain[127.0.0.1:5061, \"sni.test\"]");
  EXPECT_EQ(SSL_get_SSL_CTX(server_.get()), selected()->ctx());
  EXPECT_EQ(test::peer_cn(client_.get()), "sni.test");
  // Versions, suites, groups and verification of the SNI domain, not of the socket's.
  EXPECT_EQ(SSL_version(client_.get()), TLS1_3_VERSION);
  EXPECT_STREQ(SSL_get_cipher_name(client_.get()), "TLS_CHACHA20_POLY1305_SHA256");
  EXPECT_EQ(SSL_get_negotiated_group(server_.get()), NID_secp384r1);
  EXPECT_EQ(SSL_get_verify_mode(server_.get()), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  EXPECT_EQ(test::peer_cn(server_.get()), "client.test");
  EXPECT_EQ(SSL_get_verify_result(server_.get()), X509_V_OK);
  EXPECT_EQ(sk_X509_NAME_num(SSL_get_client_CA_list(server_.get())), 1);
}

TEST_F(SniSelectTest, SniDomainRequiringACertificateRefusesAClientWithout) {
  EXPECT_FALSE(connect("sni.test").ok);
}

TEST_F(SniSelectTest, NameIsMatchedCaseInsensitively) {
  ASSERT_TRUE(connect("SNI.Test", "client").ok);
  EXPECT_EQ(test::peer_cn(client_.get()), "sni.test");
}

TEST_F(SniSelectTest, WildcardDomainAnswersForOneLabel) {
  ASSERT_TRUE(connect("www.sni.test").ok);
  EXPECT_EQ(selected()->name(), "tls_domain[127.0.0.1:5061, \"*.sni.test\"]");
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(SSL_get0_peer_certificate(client_.get()))),
            EVP_PKEY_EC);
  // The wildcard domain inherits TLSv1.2+ from the defaults, not the socket's TLSv1.2 only.
  EXPECT_EQ(SSL_version(client_.get()), TLS1_3_VERSION);
}

TEST_F(SniSelectTest, DeeperNameAndUnknownNameKeepTheSocketDomain) {
  for (const char* name : {"a.b.sni.test", "unknown.example"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(connect(name).ok);
    EXPECT_EQ(selected(), socket_domain_);
    EXPECT_EQ(test::peer_cn(client_.get()), "localhost");
    EXPECT_EQ(SSL_version(client_.get()), TLS1_2_VERSION);
  }
}

// Resumption follows the selected domain: its ticket keys, not the socket domain's settings.
TEST_F(SniSelectTest, SessionsResumeWithTheSelectedDomainsTickets) {
  for (const char* sni : {"www.sni.test", ""}) {
    SCOPED_TRACE(sni);
    ASSERT_TRUE(connect(sni).ok);
    SslSessionPtr session(SSL_get1_session(client_.get()));
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
    SSL_shutdown(client_.get());
    SSL_shutdown(server_.get());
    ASSERT_TRUE(connect(sni, "", session.get()).ok);
    EXPECT_EQ(SSL_session_reused(client_.get()) == 1, *sni != '\0');
  }
}

TEST_F(SniSelectTest, AnSslWithoutTheSlotsIsLeftAlone) {
  client_ctx_ = test::plain_client_ctx("", false);
  client_ = test::client_ssl(client_ctx_.get(), "sni.test");
  server_.reset(SSL_new(socket_domain_->ctx()));
  ASSERT_TRUE(test::handshake(client_.get(), server_.get()).ok);
  EXPECT_EQ(test::peer_cn(client_.get()), "localhost");
}

}  // namespace
}  // namespace tls
