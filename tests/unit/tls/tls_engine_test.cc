// Two TlsEngines handshaking in memory: no sockets, no clocks (DESIGN.md principle 5). The
// contexts are made here with plain OpenSSL calls from the test PKI, so these tests show the
// engine's behaviour whatever the domain code does.
#include "tls/tls_engine.h"

#include <gtest/gtest.h>

#include <string>

#include "core/base/library_memory.h"
#include "tests/unit/tls/test_certs.h"
#include "tls/ossl_ptr.h"
#include "tls/tls_socket.h"

namespace tls {
namespace {

using test::TestCerts;

struct CtxSpec {
  std::string cert;  // file names in the test PKI; "" = none
  std::string key;
  std::string ca;  // trust anchors; "" = none
  int verify = SSL_VERIFY_NONE;
  int max_version = 0;
};

SslCtxPtr make_ctx(bool server, const CtxSpec& spec) {
  const TestCerts& certs = TestCerts::get();
  SslCtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
  EXPECT_TRUE(ctx);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  if (spec.max_version != 0) SSL_CTX_set_max_proto_version(ctx.get(), spec.max_version);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
  if (!spec.cert.empty()) {
    EXPECT_EQ(SSL_CTX_use_certificate_chain_file(ctx.get(), certs.path(spec.cert).c_str()), 1);
    EXPECT_EQ(
        SSL_CTX_use_PrivateKey_file(ctx.get(), certs.path(spec.key).c_str(), SSL_FILETYPE_PEM), 1);
  }
  if (!spec.ca.empty()) {
    EXPECT_EQ(SSL_CTX_load_verify_locations(ctx.get(), certs.path(spec.ca).c_str(), nullptr), 1);
  }
  SSL_CTX_set_verify(ctx.get(), spec.verify, nullptr);
  return ctx;
}

CtxSpec server_spec() {
  return {"server.pem", "server.key", "", SSL_VERIFY_NONE, 0};
}
CtxSpec client_spec() {
  return {"", "", "ca.pem", SSL_VERIFY_PEER, 0};
}

// Moves every pending ciphertext byte from `from` to `to`; true if any moved.
bool transfer(TlsEngine& from, TlsEngine& to) {
  if (!from.has_output()) return false;
  EXPECT_TRUE(to.feed(from.output()));
  from.consume_output(from.output().size());
  return true;
}

struct Pair {
  Pair(const CtxSpec& s, const CtxSpec& c, std::string_view server_name = "localhost",
       PeerNameRules rules = {})
      : server_ctx(make_ctx(true, s)), client_ctx(make_ctx(false, c)) {
    EXPECT_TRUE(server.init(server_ctx.get(), TlsRole::kServer)) << server.error();
    EXPECT_TRUE(client.init(client_ctx.get(), TlsRole::kClient, server_name, rules))
        << client.error();
  }
  // Runs both handshakes until both are done, one fails, or nothing moves.
  bool handshake() {
    for (int round = 0; round < 20; ++round) {
      TlsResult c = client.handshake();
      bool moved = transfer(client, server);
      TlsResult s = server.handshake();
      moved = transfer(server, client) || moved;
      if (c == TlsResult::kError || s == TlsResult::kError) {
        // Let the failing side's alert reach the other one.
        client.handshake();
        server.handshake();
        return false;
      }
      if (c == TlsResult::kOk && s == TlsResult::kOk && !moved) return true;
      if (!moved && c != TlsResult::kOk) return false;
    }
    return false;
  }
  // Reads everything `to` can decrypt after moving `from`'s output over.
  static std::string deliver(TlsEngine& from, TlsEngine& to) {
    transfer(from, to);
    std::string got;
    char buf[4096];
    for (;;) {
      size_t n = 0;
      TlsResult r = to.read(std::span<char>(buf, sizeof(buf)), n);
      got.append(buf, n);
      if (r != TlsResult::kOk) break;
    }
    return got;
  }

  SslCtxPtr server_ctx;
  SslCtxPtr client_ctx;
  TlsEngine server;
  TlsEngine client;
};

TEST(TlsEngineTest, Tls13HandshakeAndDataBothWays) {
  Pair p(server_spec(), client_spec());
  EXPECT_EQ(p.server.handshake_state(), HandshakeState::kNotStarted);
  ASSERT_TRUE(p.handshake()) << p.client.error() << " / " << p.server.error();
  EXPECT_EQ(p.client.handshake_state(), HandshakeState::kDone);
  EXPECT_EQ(p.server.handshake_state(), HandshakeState::kDone);

  TlsFacts client_view = collect_tls_facts(p.client);
  EXPECT_EQ(client_view.version, "TLSv1.3");
  EXPECT_EQ(client_view.peer_cn, "localhost");
  EXPECT_EQ(client_view.peer_san_dns, "localhost");
  EXPECT_TRUE(client_view.peer_verified);
  TlsFacts server_view = collect_tls_facts(p.server);
  EXPECT_EQ(server_view.sni, "localhost");
  EXPECT_FALSE(server_view.peer_certificate);
  EXPECT_FALSE(server_view.peer_verified);

  size_t taken = 0;
  EXPECT_EQ(p.client.write("INVITE sip:a@b SIP/2.0\r\n", taken), TlsResult::kOk);
  EXPECT_EQ(taken, 24u);
  EXPECT_EQ(Pair::deliver(p.client, p.server), "INVITE sip:a@b SIP/2.0\r\n");
  EXPECT_EQ(p.server.write("SIP/2.0 200 OK\r\n", taken), TlsResult::kOk);
  EXPECT_EQ(Pair::deliver(p.server, p.client), "SIP/2.0 200 OK\r\n");
}

TEST(TlsEngineTest, KeyUpdateRequestsAreCountedAndEachIsAnsweredWithARecord) {
  Pair p(server_spec(), client_spec());
  ASSERT_TRUE(p.handshake()) << p.client.error() << " / " << p.server.error();
  Pair::deliver(p.server, p.client);  // the server's session tickets
  EXPECT_EQ(p.server.renegotiation_requests(), 0u);
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(SSL_key_update(p.client.ssl(), SSL_KEY_UPDATE_REQUESTED), 1);
    size_t taken = 0;
    ASSERT_EQ(p.client.write("x", taken), TlsResult::kOk);  // the KeyUpdate goes first
    EXPECT_EQ(Pair::deliver(p.client, p.server), "x");
    EXPECT_EQ(p.server.renegotiation_requests(), static_cast<uint32_t>(i));
  }
  // Each request was answered by a KeyUpdate of the server's (sent with its next records).
  size_t taken = 0;
  ASSERT_EQ(p.server.write("y", taken), TlsResult::kOk);
  EXPECT_EQ(Pair::deliver(p.server, p.client), "y");
  EXPECT_EQ(p.client.renegotiation_requests(), 3u);
}

// An idle connection keeps no copy of the domain's certificate chain (DESIGN.md principle 6):
// the server's SSL gives its copies back once the handshake is done, and the session goes on
// (data, KeyUpdate) without them. The context keeps its own for the next handshake.
TEST(TlsEngineTest, AServerHoldsNoCertificateCopiesOnceTheTls13HandshakeIsDone) {
  Pair p(server_spec(), client_spec());
  EXPECT_NE(SSL_get_certificate(p.server.ssl()), nullptr);
  ASSERT_TRUE(p.handshake()) << p.client.error() << " / " << p.server.error();
  EXPECT_EQ(SSL_get_certificate(p.server.ssl()), nullptr);
  EXPECT_EQ(SSL_get_privatekey(p.server.ssl()), nullptr);
  ASSERT_EQ(SSL_key_update(p.client.ssl(), SSL_KEY_UPDATE_REQUESTED), 1);
  size_t taken = 0;
  ASSERT_EQ(p.client.write("OPTIONS", taken), TlsResult::kOk);
  EXPECT_EQ(Pair::deliver(p.client, p.server), "OPTIONS");
  ASSERT_EQ(p.server.write("SIP/2.0 200 OK", taken), TlsResult::kOk);
  EXPECT_EQ(Pair::deliver(p.server, p.client), "SIP/2.0 200 OK");
  // Idle after the exchange: no ciphertext or plaintext held by the engine either.
  EXPECT_EQ(p.server.input_pending(), 0u);
  EXPECT_FALSE(p.server.has_output());
  EXPECT_EQ(p.server.queued_plaintext(), 0u);
  EXPECT_FALSE(p.server.partial_record());

  SslPtr next(SSL_new(p.server_ctx.get()));  // the next connection of the context
  EXPECT_NE(SSL_get_certificate(next.get()), nullptr);
}

// What OpenSSL holds (in shm) for the pair once idle after a request and its answer, each a
// full record; `release` = SSL_MODE_RELEASE_BUFFERS on both SSLs.
uint64_t idle_pair_bytes(bool release) {
  const uint64_t before = core::openssl_memory_counters().read().in_use;
  Pair p(server_spec(), client_spec());
  if (!release) {
    SSL_clear_mode(p.server.ssl(), SSL_MODE_RELEASE_BUFFERS);
    SSL_clear_mode(p.client.ssl(), SSL_MODE_RELEASE_BUFFERS);
  }
  EXPECT_TRUE(p.handshake()) << p.client.error() << " / " << p.server.error();
  Pair::deliver(p.server, p.client);  // the session tickets
  std::string request(TlsEngine::kRecordSize, 'q');
  size_t taken = 0;
  EXPECT_EQ(p.client.write(request, taken), TlsResult::kOk);
  EXPECT_EQ(Pair::deliver(p.client, p.server).size(), request.size());
  EXPECT_EQ(p.server.write(std::string(TlsEngine::kRecordSize, 'a'), taken), TlsResult::kOk);
  EXPECT_EQ(Pair::deliver(p.server, p.client).size(), TlsEngine::kRecordSize);
  return core::openssl_memory_counters().read().in_use - before;
}

// SSL_MODE_RELEASE_BUFFERS really frees the record buffers under the engine's own BIO, after a
// record was read and one written (DESIGN.md principle 6): an idle pair holds at least the two
// sides' read and write buffers (4 x 16 KiB, RFC 8446 section 5.1) less than one that keeps them.
TEST(TlsEngineTest, AnIdleConnectionHoldsNoRecordBuffersAfterAMessage) {
  idle_pair_bytes(true);  // OpenSSL's first-use tables and caches, kept for the process
  uint64_t released = idle_pair_bytes(true);
  uint64_t kept = idle_pair_bytes(false);
  EXPECT_GE(kept, released + 4 * TlsEngine::kRecordSize)
      << "released " << released << ", kept " << kept;
}

// A TLS 1.2 peer the domain lets renegotiate may start another handshake: the copies stay.
TEST(TlsEngineTest, AServerThatAllowsTls12RenegotiationKeepsItsCertificate) {
  CtxSpec c = client_spec();
  c.max_version = TLS1_2_VERSION;
  Pair p(server_spec(), c);
  SSL_clear_options(p.server.ssl(), SSL_OP_NO_RENEGOTIATION);
  ASSERT_TRUE(p.handshake()) << p.client.error() << " / " << p.server.error();
  EXPECT_NE(SSL_get_certificate(p.server.ssl()), nullptr);
}

TEST(TlsEngineTest, RefusedTls12RenegotiationIsCountedAndTheSessionGoesOn) {
  CtxSpec c = client_spec();
  c.max_version = TLS1_2_VERSION;
  Pair p(server_spec(), c);
  SSL_set_options(p.server.ssl(), SSL_OP_NO_RENEGOTIATION);
  ASSERT_TRUE(p.handshake()) << p.client.error() << " / " << p.server.error();
  ASSERT_EQ(SSL_renegotiate(p.client.ssl()), 1);
  SSL_do_handshake(p.client.ssl());  // writes the ClientHello
  ASSERT_TRUE(p.client.has_output());
  EXPECT_EQ(Pair::deliver(p.client, p.server), "");
  EXPECT_EQ(p.server.renegotiation_requests(), 1u);
  EXPECT_TRUE(p.server.has_output());  // the no_renegotiation alert
  size_t taken = 0;
  EXPECT_EQ(p.server.write("still here", taken), TlsResult::kOk);
  EXPECT_NE(p.server.handshake_state(), HandshakeState::kFailed);
}

TEST(TlsEngineTest, Tls12HandshakeWithForwardSecrecy) {
  CtxSpec c = client_spec();
  c.max_version = TLS1_2_VERSION;
  Pair p(server_spec(), c);
  ASSERT_TRUE(p.handshake()) << p.client.error() << " / " << p.server.error();
  TlsFacts f = collect_tls_facts(p.server);
  EXPECT_EQ(f.version, "TLSv1.2");
  EXPECT_EQ(f.cipher.rfind("ECDHE-", 0), 0u) << f.cipher;
  size_t taken = 0;
  EXPECT_EQ(p.server.write("pong", taken), TlsResult::kOk);
  EXPECT_EQ(Pair::deliver(p.server, p.client), "pong");
}

TEST(TlsEngineTest, WriteBeforeTheHandshakeIsQueuedThenSent) {
  Pair p(server_spec(), client_spec());
  size_t taken = 0;
  // The client has not even sent its ClientHello: the bytes wait in the engine.
  EXPECT_EQ(p.client.write("early bytes", taken), TlsResult::kWantRead);
  EXPECT_EQ(taken, 11u);
  EXPECT_EQ(p.client.queued_plaintext(), 11u);
  EXPECT_EQ(p.client.handshake_state(), HandshakeState::kInProgress);
  ASSERT_TRUE(p.handshake());
  EXPECT_EQ(p.client.queued_plaintext(), 0u);
  EXPECT_EQ(Pair::deliver(p.client, p.server), "early bytes");
}

TEST(TlsEngineTest, QueueBeforeTheHandshakeIsBounded) {
  Pair p(server_spec(), client_spec());
  std::string big(TlsEngine::kMaxQueuedPlaintext + 1000, 'x');
  size_t taken = 0;
  p.client.write(big, taken);
  EXPECT_EQ(taken, TlsEngine::kMaxQueuedPlaintext);
  ASSERT_TRUE(p.handshake());
  // The handshake sends what fits under the output high-water mark; flush() sends the rest.
  std::string got = Pair::deliver(p.client, p.server);
  for (int i = 0; i < 10 && p.client.queued_plaintext() > 0; ++i) {
    EXPECT_NE(p.client.flush(), TlsResult::kError);
    got += Pair::deliver(p.client, p.server);
  }
  EXPECT_EQ(got, big.substr(0, TlsEngine::kMaxQueuedPlaintext));
}

TEST(TlsEngineTest, LargeWriteGoesOutInPiecesWithBoundedOutput) {
  Pair p(server_spec(), client_spec());
  ASSERT_TRUE(p.handshake());
  std::string big(200 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7) % 26);
  std::string received;
  size_t sent = 0;
  int calls = 0;
  while (sent < big.size() && calls < 100) {
    ++calls;
    size_t taken = 0;
    TlsResult r = p.client.write(std::string_view(big).substr(sent), taken);
    ASSERT_TRUE(r == TlsResult::kOk || r == TlsResult::kWantWrite) << tls_result_name(r);
    sent += taken;
    // Ciphertext waiting to be sent never grows past the high-water mark plus one record.
    EXPECT_LE(p.client.output().size(), TlsEngine::kOutputHighWater + TlsEngine::kRecordSize + 256);
    received += Pair::deliver(p.client, p.server);
  }
  EXPECT_GT(calls, 1);
  EXPECT_EQ(received.size(), big.size());
  EXPECT_TRUE(received == big);
}

TEST(TlsEngineTest, CloseNotifyIsSeenAsClosed) {
  Pair p(server_spec(), client_spec());
  ASSERT_TRUE(p.handshake());
  size_t taken = 0;
  p.client.write("last words", taken);
  EXPECT_EQ(p.client.start_close(), TlsResult::kOk);
  EXPECT_TRUE(p.client.close_notify_sent());
  transfer(p.client, p.server);
  char buf[64];
  size_t n = 0;
  EXPECT_EQ(p.server.read(std::span<char>(buf, sizeof(buf)), n), TlsResult::kOk);
  EXPECT_EQ(std::string(buf, n), "last words");
  EXPECT_EQ(p.server.read(std::span<char>(buf, sizeof(buf)), n), TlsResult::kClosed);
  EXPECT_TRUE(p.server.close_notify_received());
  EXPECT_EQ(p.client.write("more", taken), TlsResult::kClosed);
}

TEST(TlsEngineTest, EndOfStreamWithoutCloseNotifyIsTruncation) {
  Pair p(server_spec(), client_spec());
  ASSERT_TRUE(p.handshake());
  p.server.feed_eof();
  char buf[64];
  size_t n = 0;
  EXPECT_EQ(p.server.read(std::span<char>(buf, sizeof(buf)), n), TlsResult::kTruncated);
  EXPECT_EQ(n, 0u);
}

TEST(TlsEngineTest, UntrustedServerFailsWithTheVerifyResultAndDepth) {
  CtxSpec c = client_spec();
  c.ca = "other-ca.pem";
  Pair p(server_spec(), c);
  EXPECT_FALSE(p.handshake());
  EXPECT_EQ(p.client.handshake_state(), HandshakeState::kFailed);
  // server.pem is the leaf then the intermediate; the intermediate's issuer (the root) is not
  // trusted by this client: the failure is at depth 1.
  EXPECT_EQ(p.client.error(),
            "handshake failed: certificate verify failed: unable to get local issuer "
            "certificate (depth 1)");
  EXPECT_EQ(p.client.failure(), HandshakeFailure::kVerify);
  // The server learns it from the client's alert.
  EXPECT_EQ(p.server.handshake_state(), HandshakeState::kFailed);
  EXPECT_EQ(p.server.error(), "handshake failed: tlsv1 alert unknown ca");
}

TEST(TlsEngineTest, ServerNameNotInTheCertificateFailsVerification) {
  Pair p(server_spec(), client_spec(), "sip.example.org");
  EXPECT_FALSE(p.handshake());
  EXPECT_EQ(p.client.error(),
            "handshake failed: peer certificate does not name sip.example.org (it names "
            "DNS:localhost) (RFC 5922: SAN URI sip:/dNSName; CN only without SAN)");
  EXPECT_EQ(p.client.failure(), HandshakeFailure::kVerify);
  EXPECT_EQ(p.client.verify_error().error, X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(p.client.verify_error().depth, 0);
  EXPECT_EQ(SSL_get_verify_result(p.client.ssl()), X509_V_ERR_HOSTNAME_MISMATCH);
}

CtxSpec serving(const std::string& stem) {
  return {stem + ".pem", stem + ".key", "", SSL_VERIFY_NONE, 0};
}

TEST(TlsEngineTest, ServerNamedOnlyByASipUriSanIsAccepted) {
  Pair p(serving("server-uri-san"), client_spec(), "sip.example.net");
  ASSERT_TRUE(p.handshake()) << p.client.error();
  EXPECT_TRUE(collect_tls_facts(p.client).peer_verified);
}

TEST(TlsEngineTest, WildcardServerIsRefusedUnlessTheClientOptsIn) {
  Pair strict(serving("server-wildcard"), client_spec(), "sip.example.net");
  EXPECT_FALSE(strict.handshake());
  EXPECT_EQ(strict.client.error(),
            "handshake failed: peer certificate does not name sip.example.net (it names "
            "DNS:*.example.net; a wildcard names a peer only with tls_verify_wildcards = yes) "
            "(RFC 5922: SAN URI sip:/dNSName; CN only without SAN)");
  Pair opted(serving("server-wildcard"), client_spec(), "sip.example.net", PeerNameRules{true});
  EXPECT_TRUE(opted.handshake()) << opted.client.error();
}

TEST(TlsEngineTest, CommonNameCountsOnlyWithoutSubjectAltName) {
  Pair cn_only(serving("server-cn-only"), client_spec(), "sip.example.net");
  EXPECT_TRUE(cn_only.handshake()) << cn_only.client.error();
  for (const char* stem : {"server-uri-other", "server-dns-other"}) {
    Pair p(serving(stem), client_spec(), "sip.example.net");
    EXPECT_FALSE(p.handshake()) << stem;
    EXPECT_EQ(p.client.failure(), HandshakeFailure::kVerify) << stem;
    EXPECT_NE(p.client.error().find("does not name sip.example.net"), std::string::npos)
        << p.client.error();
  }
}

TEST(TlsEngineTest, NameMismatchWithoutVerificationLetsTheHandshakeThroughUnverified) {
  CtxSpec c = client_spec();
  c.verify = SSL_VERIFY_NONE;  // tls_verify = 0: nothing is checked, nothing is claimed
  Pair p(server_spec(), c, "sip.example.org");
  ASSERT_TRUE(p.handshake()) << p.client.error();
  EXPECT_FALSE(collect_tls_facts(p.client).peer_verified);
}

TEST(TlsEngineTest, VerifyingClientWithoutANameRefusesToStart) {
  SslCtxPtr ctx = make_ctx(false, client_spec());
  TlsEngine e;
  EXPECT_FALSE(e.init(ctx.get(), TlsRole::kClient, ""));
  EXPECT_EQ(e.error(),
            "tls error: no name to check the peer's certificate against (the next hop's host, "
            "the Via sent-by or tls_server_name): not connecting");
  CtxSpec unverified = client_spec();
  unverified.verify = SSL_VERIFY_NONE;
  SslCtxPtr plain = make_ctx(false, unverified);
  TlsEngine u;
  EXPECT_TRUE(u.init(plain.get(), TlsRole::kClient, "")) << u.error();
}

TEST(TlsEngineTest, MissingRequiredClientCertificateFailsOnTheServer) {
  CtxSpec s = server_spec();
  s.ca = "ca.pem";
  s.verify = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  Pair p(s, client_spec());
  EXPECT_FALSE(p.handshake());
  EXPECT_EQ(p.server.error(), "handshake failed: peer did not return a certificate");
  EXPECT_EQ(p.server.failure(), HandshakeFailure::kNoCertificate);
}

TEST(TlsEngineTest, ClientCertificateFromAnotherCaFailsAtDepthZero) {
  CtxSpec s = server_spec();
  s.ca = "ca.pem";
  s.verify = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  CtxSpec c = client_spec();
  c.cert = "client-other-ca.pem";
  c.key = "client-other-ca.key";
  Pair p(s, c);
  EXPECT_FALSE(p.handshake());
  EXPECT_EQ(p.server.error(),
            "handshake failed: certificate verify failed: unable to get local issuer "
            "certificate (depth 0)");
  EXPECT_EQ(p.server.failure(), HandshakeFailure::kVerify);
}

TEST(TlsEngineTest, MutualTlsGivesThePeerFactsToTheServer) {
  CtxSpec s = server_spec();
  s.ca = "ca.pem";
  s.verify = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  CtxSpec c = client_spec();
  c.cert = "client.pem";
  c.key = "client.key";
  Pair p(s, c);
  ASSERT_TRUE(p.handshake()) << p.server.error();
  TlsFacts f = collect_tls_facts(p.server);
  EXPECT_TRUE(f.peer_certificate);
  EXPECT_TRUE(f.peer_verified);
  EXPECT_EQ(f.peer_cn, "client.test");
  EXPECT_EQ(f.peer_san_dns, "client.test");
}

TEST(TlsEngineTest, VersionRefusedIsAProtocolFailure) {
  CtxSpec s = server_spec();
  CtxSpec c = client_spec();
  c.max_version = TLS1_2_VERSION;
  Pair p(s, c);
  SSL_set_min_proto_version(p.server.ssl(), TLS1_3_VERSION);
  EXPECT_FALSE(p.handshake());
  EXPECT_EQ(p.server.failure(), HandshakeFailure::kProtocol);
  EXPECT_EQ(p.server.error(), "handshake failed: unsupported protocol");
}

TEST(TlsEngineTest, PlainTextOnATlsServerIsAProtocolFailure) {
  Pair p(server_spec(), client_spec());
  ASSERT_TRUE(p.server.feed("OPTIONS sip:x@y SIP/2.0\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_EQ(p.server.handshake(), TlsResult::kError);
  EXPECT_EQ(p.server.failure(), HandshakeFailure::kProtocol);
  EXPECT_EQ(p.server.error().rfind("handshake failed: ", 0), 0u);
}

TEST(TlsEngineTest, PeerClosingDuringTheHandshakeIsCountedAsSuch) {
  Pair p(server_spec(), client_spec());
  p.client.handshake();
  std::string hello(p.client.output());
  ASSERT_GT(hello.size(), 10u);
  ASSERT_TRUE(p.server.feed(std::string_view(hello).substr(0, 10)));  // half a ClientHello
  EXPECT_EQ(p.server.handshake(), TlsResult::kWantRead);
  p.server.feed_eof();
  EXPECT_EQ(p.server.handshake(), TlsResult::kError);
  EXPECT_EQ(p.server.failure(), HandshakeFailure::kPeerClosed);
  EXPECT_EQ(p.server.error(), "handshake failed: peer closed the connection");
}

TEST(TlsEngineTest, InitWithoutAContextFailsWithAReason) {
  TlsEngine e;
  EXPECT_FALSE(e.init(nullptr, TlsRole::kServer));
  EXPECT_NE(e.error().find("no context"), std::string::npos) << e.error();
}

}  // namespace
}  // namespace tls
