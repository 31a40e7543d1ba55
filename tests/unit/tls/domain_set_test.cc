// DomainSet: every domain of a configuration built and validated, then selected by local
// address (server), peer address (client) and SNI name.
#include "tls/domain_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/tls/tls_test_util.h"

namespace tls {
namespace {

using core::net::SocketAddr;
using ::testing::HasSubstr;

struct Loaded {
  cfg::Config config;
  cfg::Diagnostics diags;
  std::shared_ptr<const DomainSet> set;
  std::string main_file;
  std::string text() const { return test::diag_text(diags); }
};

// Loads `text` as CFG_DIR/ser.cfg with CFG_DIR = the test PKI directory (it has no cert.pem).
std::unique_ptr<Loaded> load(const std::string& text) {
  auto r = std::make_unique<Loaded>();
  r->main_file = test::TestCerts::get().dir() + "/ser.cfg";
  bool ok = cfg::load_config_text(r->main_file, text, &r->config, &r->diags);
  EXPECT_TRUE(ok) << r->text();
  if (ok) r->set = DomainSet::build(r->config, r->diags);
  return r;
}

SocketAddr addr(const char* text) {
  return *SocketAddr::parse(text);
}

const char* kConfig = R"(
listen = tls:127.0.0.1:5061
listen = tls:127.0.0.2:5061
listen = tls:[::1]:5061
tls_certificate = "server.pem"
tls_private_key = "server.key"
tls_ca_list = "ca.pem"
tls_domain[127.0.0.2:5061] {
    tls_certificate = "server2.pem"
    tls_private_key = "server2.key"
}
tls_domain[[::1]:5061] {
    tls_certificate = "server-ec.pem"
    tls_private_key = "server-ec.key"
}
tls_domain[127.0.0.1:5061, "sni.test"] {
    tls_certificate = "sni.pem"
    tls_private_key = "sni.key"
}
tls_domain[127.0.0.1:5061, "*.sni.test"] {
    tls_certificate = "sni.pem"
    tls_private_key = "sni.key"
    tls_method = TLSv1.3
}
tls_client_domain[127.0.0.1:5071] {
    tls_server_name = "localhost"
}
route {
    forward();
}
)";

class DomainSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loaded_ = load(kConfig);
    ASSERT_TRUE(loaded_->set) << loaded_->text();
    set_ = loaded_->set.get();
  }
  std::unique_ptr<Loaded> loaded_;
  const DomainSet* set_ = nullptr;
};

TEST_F(DomainSetTest, BuildsEveryDomainPlusTheTwoDefaults) {
  EXPECT_EQ(loaded_->text(), "");
  std::vector<std::string> names;
  for (const TlsDomain* d : set_->all()) {
    names.push_back(d->name());
    EXPECT_NE(d->ctx(), nullptr);
  }
  EXPECT_THAT(
      names, ::testing::UnorderedElementsAre("default server domain", "default client domain",
                                             "tls_domain[127.0.0.2:5061]", "tls_domain[[::1]:5061]",
                                             "tls_domain[127.0.0.1:5061, \"sni.test\"]",
                                             "tls_domain[127.0.0.1:5061, \"*.sni.test\"]",
                                             "tls_client_domain[127.0.0.1:5071]"));
}

TEST_F(DomainSetTest, ServerDomainByLocalAddressIPv4AndIPv6) {
  EXPECT_EQ(set_->server_for(addr("127.0.0.2:5061")).name(), "tls_domain[127.0.0.2:5061]");
  EXPECT_EQ(set_->server_for(addr("[::1]:5061")).name(), "tls_domain[[::1]:5061]");
  // The socket 127.0.0.1:5061 has only SNI domains: the first declared is its own, so a
  // client without a name (or with an unknown one) gets a policy made for this socket.
  EXPECT_EQ(set_->server_for(addr("127.0.0.1:5061")).name(),
            "tls_domain[127.0.0.1:5061, \"sni.test\"]");
  EXPECT_EQ(set_->server_for(addr("127.0.0.2:5062")).name(), "default server domain");
  EXPECT_EQ(set_->server_for(addr("127.0.0.3:5061")).name(), "default server domain");
}

TEST_F(DomainSetTest, IPv4MappedLocalAddressFindsTheIPv4Domain) {
  EXPECT_EQ(set_->server_for(addr("[::ffff:127.0.0.2]:5061")).name(), "tls_domain[127.0.0.2:5061]");
}

TEST_F(DomainSetTest, ClientDomainByPeerElseDefault) {
  const TlsDomain& d = *set_->client_for(addr("127.0.0.1:5071"));
  EXPECT_EQ(d.name(), "tls_client_domain[127.0.0.1:5071]");
  EXPECT_EQ(d.config().settings.server_name, "localhost");
  EXPECT_EQ(SSL_CTX_get_verify_mode(d.ctx()), SSL_VERIFY_PEER);
  EXPECT_EQ(set_->client_for(addr("127.0.0.1:5072"))->name(), "default client domain");
  EXPECT_EQ(set_->client_for(addr("127.0.0.2:5061"))->name(), "default client domain");
}

// Issue #10: by id (the script's choice), by address and next-hop name, by address, default.
TEST(DomainSetClientTest, ClientDomainSelectionOrder) {
  auto r = load(R"(
tls_client_domain["tenant-a"] {
    tls_certificate = "client.pem"
    tls_private_key = "client.key"
}
tls_client_domain[127.0.0.1:5071, "sip.carrier.test"] { }
tls_client_domain[127.0.0.1:5071] { }
tls_client_domain[127.0.0.1:5073, "only.carrier.test"] { }
tls_client_domain[0.0.0.0:5072, "any.carrier.test"] { }
route { forward(); }
)");
  ASSERT_TRUE(r->set) << r->text();
  auto pick = [&](const char* peer, const char* id, const char* name) -> std::string {
    const TlsDomain* d = r->set->client_for(addr(peer), {id, name});
    return d == nullptr ? "none" : d->name();
  };
  EXPECT_EQ(pick("127.0.0.1:5071", "tenant-a", "sip.carrier.test"),
            "tls_client_domain[\"tenant-a\"]");
  EXPECT_EQ(pick("192.0.2.9:5061", "TENANT-A", ""), "tls_client_domain[\"tenant-a\"]");
  EXPECT_EQ(pick("127.0.0.1:5071", "tenant-x", "sip.carrier.test"), "none");
  EXPECT_EQ(pick("127.0.0.1:5071", "", "SIP.Carrier.Test"),
            "tls_client_domain[127.0.0.1:5071, \"sip.carrier.test\"]");
  EXPECT_EQ(pick("127.0.0.1:5071", "", "other.carrier.test"), "tls_client_domain[127.0.0.1:5071]");
  EXPECT_EQ(pick("127.0.0.1:5071", "", "127.0.0.1"), "tls_client_domain[127.0.0.1:5071]");
  // A domain declared for a name is never used for another name; a next hop named by its
  // address has no name to match: the address's named domain applies (Kamailio does the same).
  EXPECT_EQ(pick("127.0.0.1:5073", "", "other.carrier.test"), "default client domain");
  EXPECT_EQ(pick("127.0.0.1:5073", "", "127.0.0.1"),
            "tls_client_domain[127.0.0.1:5073, \"only.carrier.test\"]");
  EXPECT_EQ(pick("127.0.0.1:5073", "", "only.carrier.test"),
            "tls_client_domain[127.0.0.1:5073, \"only.carrier.test\"]");
  EXPECT_EQ(pick("127.0.0.9:5072", "", "any.carrier.test"),
            "tls_client_domain[0.0.0.0:5072, \"any.carrier.test\"]");
  EXPECT_EQ(pick("127.0.0.9:5072", "", "x.carrier.test"), "default client domain");
  // The id domain is never chosen by address.
  EXPECT_EQ(r->set->client_by_id("tenant-a")->config().settings.certificate,
            test::cert("client.pem"));
}

TEST_F(DomainSetTest, SniSelectionExactWildcardCaseAndFallback) {
  SocketAddr local = addr("127.0.0.1:5061");
  auto sni = [&](const char* name) -> std::string {
    const TlsDomain* d = set_->server_for_sni(local, name);
    return d == nullptr ? "none" : d->name();
  };
  EXPECT_EQ(sni("sni.test"), "tls_domain[127.0.0.1:5061, \"sni.test\"]");
  EXPECT_EQ(sni("SNI.Test"), "tls_domain[127.0.0.1:5061, \"sni.test\"]");
  EXPECT_EQ(sni("a.sni.test"), "tls_domain[127.0.0.1:5061, \"*.sni.test\"]");
  EXPECT_EQ(sni("A.SNI.TEST"), "tls_domain[127.0.0.1:5061, \"*.sni.test\"]");
  EXPECT_EQ(sni("a.b.sni.test"), "none");
  EXPECT_EQ(sni("other.test"), "none");
  EXPECT_EQ(sni(""), "none");
  // Another socket: its names are its own.
  EXPECT_EQ(set_->server_for_sni(addr("127.0.0.2:5061"), "sni.test"), nullptr);
}

TEST(DomainSetBuild, DefaultCertificateMissingForATlsListenerIsAClearError) {
  auto r = load("listen = tls:127.0.0.1:5061\nroute {\n    forward();\n}\n");
  EXPECT_EQ(r->set, nullptr);
  std::string implicit = test::TestCerts::get().dir() + "/cert.pem";
  EXPECT_EQ(r->text(), r->main_file +
                           ": error: the default server domain: tls_certificate: " + implicit +
                           " does not exist (the default: CFG_DIR/cert.pem); set "
                           "tls_certificate and tls_private_key to the server's certificate "
                           "chain and private key\n");
}

TEST(DomainSetBuild, NoTlsListenerNeedsNoCertificate) {
  auto r = load("listen = udp:127.0.0.1:5060\nroute {\n    forward();\n}\n");
  ASSERT_NE(r->set, nullptr) << r->text();
  EXPECT_EQ(r->text(), "");
  EXPECT_EQ(r->set->server_for(addr("127.0.0.1:5061")).name(), "default server domain");
}

TEST(DomainSetBuild, EveryTlsSocketWithItsOwnDomainNeedsNoDefaultCertificate) {
  auto r = load(R"(
listen = tls:127.0.0.2:5061
tls_domain[127.0.0.2:5061] {
    tls_certificate = "server2.pem"
    tls_private_key = "server2.key"
}
route {
    forward();
}
)");
  ASSERT_NE(r->set, nullptr) << r->text();
  EXPECT_EQ(r->text(), "");
}

TEST(DomainSetBuild, SocketWithOnlySniDomainsNeedsNoDefaultCertificate) {
  auto r = load(R"(
listen = tls:127.0.0.1:5061
tls_domain[127.0.0.1:5061, "b.test"] {
    tls_certificate = "sni.pem"
    tls_private_key = "sni.key"
}
tls_domain[127.0.0.1:5061, "a.test"] {
    tls_certificate = "server.pem"
    tls_private_key = "server.key"
    tls_sni_strict = yes
}
route {
    forward();
}
)");
  ASSERT_TRUE(r->set) << r->text();
  EXPECT_EQ(r->set->server_for(addr("127.0.0.1:5061")).name(),
            "tls_domain[127.0.0.1:5061, \"b.test\"]");
  // tls_sni_strict on any domain of the socket makes the socket strict.
  EXPECT_TRUE(r->set->sni_strict(addr("127.0.0.1:5061")));
  EXPECT_FALSE(r->set->sni_strict(addr("127.0.0.1:5062")));
}

TEST(DomainSetBuild, WildcardListenerNeedsTheDefaultCertificate) {
  auto r = load(R"(
listen = tls:0.0.0.0:5061
tls_domain[127.0.0.2:5061] {
    tls_certificate = "server2.pem"
    tls_private_key = "server2.key"
}
route {
    forward();
}
)");
  EXPECT_EQ(r->set, nullptr);
  EXPECT_THAT(r->text(), HasSubstr("the default server domain: tls_certificate: "));
}

TEST(DomainSetBuild, DomainOnTheWildcardAddressServesEveryLocalAddressOfItsPort) {
  auto r = load(R"(
listen = tls:0.0.0.0:5061
tls_domain[0.0.0.0:5061] {
    tls_certificate = "server2.pem"
    tls_private_key = "server2.key"
}
route {
    forward();
}
)");
  ASSERT_NE(r->set, nullptr) << r->text();
  EXPECT_EQ(r->set->server_for(addr("127.0.0.5:5061")).name(), "tls_domain[0.0.0.0:5061]");
  EXPECT_EQ(r->set->server_for(addr("127.0.0.5:5062")).name(), "default server domain");
  EXPECT_EQ(r->set->server_for(addr("[::1]:5061")).name(), "default server domain");
}

TEST(DomainSetBuild, ABrokenDomainIsReportedAtItsBlockAndFailsTheBuild) {
  auto r = load(R"(listen = tls:127.0.0.1:5061
tls_certificate = "server.pem"
tls_private_key = "server.key"
tls_domain[127.0.0.1:5061] {
    tls_certificate = "server-expired.pem"
    tls_private_key = "server-expired.key"
}
route {
    forward();
}
)");
  EXPECT_EQ(r->set, nullptr);
  EXPECT_EQ(r->text(), r->main_file +
                           ":4:1: error: tls_domain[127.0.0.1:5061]: tls_certificate: "
                           "certificate CN=localhost in " +
                           test::cert("server-expired.pem") +
                           " expired on 2020-02-01 00:00:00 UTC\n");
}

TEST(DomainSetBuild, GlobalCipherListErrorNamesTheDefaultDomains) {
  auto r = load(R"(listen = tls:127.0.0.1:5061
tls_certificate = "server.pem"
tls_private_key = "server.key"
tls_ciphers_list = "NOTHING-AT-ALL"
route {
    forward();
}
)");
  EXPECT_EQ(r->set, nullptr);
  EXPECT_THAT(r->text(), HasSubstr("error: the default server domain: tls_ciphers_list: "));
  EXPECT_THAT(r->text(), HasSubstr("error: the default client domain: tls_ciphers_list: "));
}

}  // namespace
}  // namespace tls
