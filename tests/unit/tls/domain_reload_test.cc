// A reload builds a new domain set beside the one in service: sessions issued by the old set
// resume on the new one (the ticket keys of each domain are kept), and the runtime serves new
// connections from the new set while whoever holds the old one keeps it.
#include <gtest/gtest.h>

#include "tests/unit/tls/tls_test_util.h"
#include "tls/domain_set.h"
#include "tls/ticket_keys.h"
#include "tls/tls_runtime.h"

namespace tls {
namespace {

const char* kConfig = R"(
listen = tls:127.0.0.1:5061
tls_certificate = "server.pem"
tls_private_key = "server.key"
route {
    forward();
}
)";

cfg::Config load(const std::string& text) {
  cfg::Config config;
  cfg::Diagnostics diags;
  EXPECT_TRUE(
      cfg::load_config_text(test::TestCerts::get().dir() + "/ser.cfg", text, &config, &diags))
      << test::diag_text(diags);
  return config;
}

SSL_CTX* server_ctx(const DomainSet& set) {
  return set.server_for(*core::net::SocketAddr::parse("127.0.0.1", 5061)).ctx();
}

class DomainReloadTest : public ::testing::TestWithParam<int> {};

TEST_P(DomainReloadTest, ASessionOfTheOldSetResumesOnTheSetAReloadBuilt) {
  cfg::Config config = load(kConfig);
  TicketKeyStore keys;
  cfg::Diagnostics diags;
  auto before = DomainSet::build(config, diags, &keys);
  auto after = DomainSet::build(config, diags, &keys);
  ASSERT_TRUE(before && after) << test::diag_text(diags);
  ASSERT_NE(server_ctx(*before), server_ctx(*after));
  SslCtxPtr client = test::plain_client_ctx();
  SSL_CTX_set_max_proto_version(client.get(), GetParam());
  bool reused = true;
  SslSessionPtr session = test::connect(server_ctx(*before), client.get(), nullptr, &reused);
  EXPECT_FALSE(reused);
  test::connect(server_ctx(*after), client.get(), session.get(), &reused);
  EXPECT_TRUE(reused);
}

TEST_P(DomainReloadTest, ASetWithKeysOfItsOwnDoesNotResumeTheOldSessions) {
  cfg::Config config = load(kConfig);
  cfg::Diagnostics diags;
  auto before = DomainSet::build(config, diags);
  auto after = DomainSet::build(config, diags);
  ASSERT_TRUE(before && after) << test::diag_text(diags);
  SslCtxPtr client = test::plain_client_ctx();
  SSL_CTX_set_max_proto_version(client.get(), GetParam());
  bool reused = true;
  SslSessionPtr session = test::connect(server_ctx(*before), client.get(), nullptr, &reused);
  test::connect(server_ctx(*after), client.get(), session.get(), &reused);
  EXPECT_FALSE(reused);
}

INSTANTIATE_TEST_SUITE_P(Versions, DomainReloadTest,
                         ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION), [](const auto& info) {
                           return info.param == TLS1_2_VERSION ? "Tls12" : "Tls13";
                         });

TEST(DomainReload, KeysOfADomainTheReloadRemovedAreForgotten) {
  TicketKeyStore keys;
  auto a = keys.for_domain("server:127.0.0.1:5061");
  keys.for_domain("server:127.0.0.2:5061");
  EXPECT_EQ(keys.for_domain("server:127.0.0.1:5061"), a);
  keys.keep_only({"server:127.0.0.1:5061"});
  EXPECT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys.for_domain("server:127.0.0.1:5061"), a);
}

TEST(DomainReload, TheRuntimeServesNewConnectionsFromTheNewSet) {
  cfg::Config config = load(kConfig);
  cfg::Diagnostics diags;
  auto runtime = TlsRuntime::create(config, diags);
  ASSERT_TRUE(runtime) << test::diag_text(diags);
  std::shared_ptr<const DomainSet> old = runtime->domains();
  auto next = runtime->build_domains(config, diags);
  ASSERT_TRUE(next) << test::diag_text(diags);
  EXPECT_EQ(runtime->domains(), old);  // building changes nothing
  runtime->use_domains(next);
  EXPECT_EQ(runtime->domains(), next);
  std::weak_ptr<const DomainSet> watch = old;
  old.reset();
  EXPECT_TRUE(watch.expired());  // nobody held it any more: freed with its contexts
}

TEST(DomainReload, AFailedBuildLeavesTheSetInService) {
  cfg::Config config = load(kConfig);
  cfg::Diagnostics diags;
  auto runtime = TlsRuntime::create(config, diags);
  ASSERT_TRUE(runtime) << test::diag_text(diags);
  auto in_service = runtime->domains();
  cfg::Config broken = load(R"(
listen = tls:127.0.0.1:5061
tls_certificate = "server.pem"
tls_private_key = "server2.key"
route {
    forward();
}
)");
  cfg::Diagnostics reasons;
  EXPECT_EQ(runtime->build_domains(broken, reasons), nullptr);
  EXPECT_NE(test::diag_text(reasons).find("tls_private_key"), std::string::npos)
      << test::diag_text(reasons);
  EXPECT_EQ(runtime->domains(), in_service);
}

}  // namespace
}  // namespace tls
