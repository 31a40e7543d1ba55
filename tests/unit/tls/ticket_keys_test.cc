// TicketKeys: session tickets encrypted with a current key, still accepted with the previous
// one, refused once both rotated away.
#include "tls/ticket_keys.h"

#include <gtest/gtest.h>

#include "tests/unit/tls/tls_test_util.h"
#include "tls/tls_context.h"

namespace tls {
namespace {

using test::cert;

SslCtxPtr server_ctx(std::chrono::seconds rotation, TicketKeys::Clock clock) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  SSL_CTX_use_certificate_chain_file(ctx.get(), cert("server.pem").c_str());
  SSL_CTX_use_PrivateKey_file(ctx.get(), cert("server.key").c_str(), SSL_FILETYPE_PEM);
  const unsigned char sid[] = "ticket-test";
  SSL_CTX_set_session_id_context(ctx.get(), sid, sizeof sid - 1);
  EXPECT_TRUE(TicketKeys::install(ctx.get(), rotation, std::move(clock)));
  return ctx;
}

std::string ticket_of(const SSL_SESSION* session) {
  const unsigned char* data = nullptr;
  size_t len = 0;
  SSL_SESSION_get0_ticket(session, &data, &len);
  return std::string(reinterpret_cast<const char*>(data), len);
}

class TicketKeysTest : public ::testing::TestWithParam<int> {};

TEST_P(TicketKeysTest, PreviousKeyStillResumesThenBothRotateAway) {
  int64_t now = 1000;
  SslCtxPtr server = server_ctx(std::chrono::seconds(100), [&now] { return now; });
  TicketKeys* keys = TicketKeys::of(server.get());
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ(SSL_CTX_get_timeout(server.get()), 100);  // a ticket lives as long as its key
  SslCtxPtr client = test::plain_client_ctx();
  SSL_CTX_set_max_proto_version(client.get(), GetParam());

  bool reused = true;
  SslSessionPtr first = test::connect(server.get(), client.get(), nullptr, &reused);
  EXPECT_FALSE(reused);
  ASSERT_TRUE(first);
  EXPECT_TRUE(SSL_SESSION_has_ticket(first.get()));

  now += 50;  // same key
  SslSessionPtr again = test::connect(server.get(), client.get(), first.get(), &reused);
  EXPECT_TRUE(reused);
  EXPECT_EQ(keys->rotations(), 0u);
  // TLS 1.2 keeps a ticket made with the current key (TLS 1.3 always sends new ones).
  if (GetParam() == TLS1_2_VERSION) {
    EXPECT_EQ(ticket_of(again.get()), ticket_of(first.get()));
  }

  now += 100;  // rotated once: the first key is the previous one
  TicketKeys::KeyName before = keys->current_name();
  EXPECT_EQ(keys->rotations(), 1u);
  SslSessionPtr second = test::connect(server.get(), client.get(), first.get(), &reused);
  EXPECT_TRUE(reused);
  EXPECT_EQ(keys->current_name(), before);
  EXPECT_NE(ticket_of(second.get()), ticket_of(first.get()));  // renewed with the current key

  now += 110;  // rotated again: the first key is gone, the second one is previous
  SslSessionPtr ignored = test::connect(server.get(), client.get(), first.get(), &reused);
  EXPECT_FALSE(reused);
  EXPECT_EQ(keys->rotations(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Versions, TicketKeysTest,
                         ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION), [](const auto& info) {
                           return info.param == TLS1_2_VERSION ? "Tls12" : "Tls13";
                         });

// Sessions the client received (its new-session callback), over all tests of this file.
int g_tickets_received = 0;
int count_ticket(SSL*, SSL_SESSION*) {
  ++g_tickets_received;
  return 0;  // the session is not kept by the callback
}

// A TLS 1.3 client uses each ticket once (RFC 8446 appendix C.4): every resumption must hand it
// the next ticket, or its next connection is a full handshake (or it waits for one in vain).
TEST(TicketKeys, Tls13ResumptionHandsTheClientItsNextTicket) {
  SslCtxPtr server = server_ctx(std::chrono::seconds(100), {});
  SslCtxPtr client = test::plain_client_ctx();
  SSL_CTX_set_min_proto_version(client.get(), TLS1_3_VERSION);
  SSL_CTX_set_session_cache_mode(client.get(),
                                 SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(client.get(), count_ticket);
  bool reused = true;
  SslSessionPtr session = test::connect(server.get(), client.get(), nullptr, &reused);
  ASSERT_TRUE(session);
  EXPECT_FALSE(reused);
  for (int i = 0; i < 3; ++i) {
    int before = g_tickets_received;
    SslSessionPtr next = test::connect(server.get(), client.get(), session.get(), &reused);
    EXPECT_TRUE(reused) << "resumption " << i;
    EXPECT_EQ(g_tickets_received, before + 1) << "no new ticket after resumption " << i;
    ASSERT_TRUE(next);
    EXPECT_NE(ticket_of(next.get()), ticket_of(session.get())) << "resumption " << i;
    session = std::move(next);
  }
}

TEST(TicketKeys, LongIdleDropsBothKeys) {
  int64_t now = 0;
  SslCtxPtr server = server_ctx(std::chrono::seconds(100), [&now] { return now; });
  SslCtxPtr client = test::plain_client_ctx();
  bool reused = true;
  SslSessionPtr first = test::connect(server.get(), client.get(), nullptr, &reused);
  now += 250;  // both periods over at once: nothing old is kept
  test::connect(server.get(), client.get(), first.get(), &reused);
  EXPECT_FALSE(reused);
}

TEST(TicketKeys, DomainContextsResumeWithTheirOwnKeys) {
  cfg::TlsDomainConfig d = test::server_domain();
  cfg::Diagnostics diags;
  DomainReporter report(diags, d.loc, d.describe());
  SslCtxPtr server = build_context(d, {}, report);
  ASSERT_TRUE(server) << test::diag_text(diags);
  ASSERT_NE(TicketKeys::of(server.get()), nullptr);
  SslCtxPtr client = test::plain_client_ctx();
  bool reused = true;
  SslSessionPtr first = test::connect(server.get(), client.get(), nullptr, &reused);
  test::connect(server.get(), client.get(), first.get(), &reused);
  EXPECT_TRUE(reused);
}

}  // namespace
}  // namespace tls
