#pragma once
// The per-connection TLS engine, sans I/O (DESIGN.md principle 5): one SSL over a BIO that
// reads and writes two pool buffers. The owner moves bytes: received ciphertext in
// (input_space/commit_input or feed), ciphertext to send out (output/consume_output), and
// calls handshake/read/write, each returning an explicit TlsResult. Nothing here touches a
// socket or a clock, so two engines can handshake in memory in a test.
//
// Memory (principle 6): the buffers hold bytes only while there are some (released when
// drained); the context sets SSL_MODE_RELEASE_BUFFERS so idle connections keep no records.
#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/base/byte_buffer.h"
#include "core/base/pool.h"
#include "core/net/socket_addr.h"
#include "tls/domain_set.h"
#include "tls/ossl_ptr.h"
#include "tls/peer_name.h"
#include "tls/tls_conn_state.h"
#include "tls/tls_errors.h"

namespace tls {

enum class TlsResult : uint8_t {
  kOk,
  kWantRead,   // feed more ciphertext (after sending what output() holds)
  kWantWrite,  // drain output() first: too much ciphertext is waiting
  kClosed,     // the peer sent close_notify
  kTruncated,  // the peer's stream ended without close_notify: treat as a close
  kError,      // see error()
};
const char* tls_result_name(TlsResult r);

enum class HandshakeState : uint8_t { kNotStarted, kInProgress, kDone, kFailed };

// Where ciphertext comes from once the engine's input buffer is empty (a socket's fd): OpenSSL
// then reads straight into its own record buffer, as many records as fit in one read, instead
// of through the input buffer (one copy and one buffer less per read).
class CiphertextSource {
 public:
  // Up to `size` bytes into `out`: how many; 0 at the end of the stream; -1 when none can be
  // had now (nothing there, the source's read for this turn was made, or the stream failed:
  // the source knows which).
  virtual long source_read(char* out, size_t size) = 0;

 protected:
  ~CiphertextSource() = default;
};
enum class TlsRole : uint8_t { kServer, kClient };

class TlsEngine {
 public:
  // Plaintext accepted while the handshake runs (or while a write waits for a read).
  static constexpr size_t kMaxQueuedPlaintext = 64 * 1024;
  // write() stops encrypting when this much ciphertext waits to be sent.
  static constexpr size_t kOutputHighWater = 32 * 1024;
  // One TLS record of plaintext (RFC 8446 §5.1: 2^14).
  static constexpr size_t kRecordSize = 16384;

  explicit TlsEngine(core::Pool& pool = core::Pool::shm());
  ~TlsEngine() = default;
  TlsEngine(const TlsEngine&) = delete;
  TlsEngine& operator=(const TlsEngine&) = delete;

  // Makes the SSL from `ctx`. A client's `server_name` is sent as SNI (RFC 6066 §3; not for an
  // IP literal) and checked against the peer certificate when the context verifies: a host
  // name by RFC 5922 §7 (tls/peer_name.h, wildcards as `rules` say), an IP literal against the
  // IP SANs. False on failure, with error() saying why.
  bool init(SSL_CTX* ctx, TlsRole role, std::string_view server_name = {},
            PeerNameRules rules = {});
  // A server connection accepted on `local`: starts with the socket's own domain of `domains`
  // (which must outlive the engine) and lets the client's SNI choose another one of that
  // socket (on_client_hello).
  bool init_server(const DomainSet& domains, const core::net::SocketAddr& local);
  // A client connection of `domain` (which must outlive the engine; its tls_verify_wildcards
  // applies to the name check).
  bool init_client(const TlsDomain& domain, std::string_view server_name);
  SSL* ssl() const { return ssl_.get(); }
  TlsRole role() const { return role_; }

  // The ClientHello callback's question (RFC 6066 section 3): `name` is the client's server
  // name (nullopt: none sent; empty: malformed). A name one of the socket's domains answers
  // for switches to that domain; no name or an unknown one keeps the socket's domain, or, when
  // the socket is tls_sni_strict, refuses the handshake with *alert = unrecognized_name.
  // False refuses the handshake.
  bool on_client_hello(std::optional<std::string_view> name, int* alert);
  // The domain in effect (after SNI); null for an engine made from a bare context.
  const TlsDomain* domain() const { return conn_.domain; }
  // What the callbacks noted: server name, domain, first verification failure.
  const TlsConnState& state() const { return conn_; }
  // The verify callback's question at each depth once OpenSSL's verdict is ok: a client's peer
  // must be named by its leaf certificate (RFC 5922 section 7.2). 1 = ok, 0 = fail.
  int check_peer_name(X509_STORE_CTX* store);

  // Received ciphertext: write into input_space(n) then commit_input(count), or feed() a copy.
  // An empty span / false: the pool refused the memory.
  std::span<char> input_space(size_t n) { return in_.prepare(n); }
  void commit_input(size_t n) {
    in_.commit(n);
    if (in_.empty()) in_.release();  // nothing came: give the space back
  }
  bool feed(std::string_view ciphertext) { return in_.append(ciphertext); }
  // Reads from `source` (which must outlive the engine) whenever the input buffer is empty,
  // with OpenSSL's read-ahead on. What was fed before is read first.
  void set_source(CiphertextSource* source);
  // The peer's stream ended (recv returned 0).
  void feed_eof() { in_eof_ = true; }
  bool input_eof() const { return in_eof_; }
  size_t input_pending() const { return in_.size(); }
  // Ciphertext is buffered that makes no whole record yet (here, or inside OpenSSL, which reads
  // what a record header announces as far as it is there).
  bool partial_record() const { return !in_.empty() || (ssl_ && SSL_has_pending(ssl_.get()) == 1); }

  // Ciphertext to send.
  std::string_view output() const { return out_.view(); }
  bool has_output() const { return !out_.empty(); }
  void consume_output(size_t n);

  // Runs the handshake as far as the input allows: kOk once done, kWantRead, or kError.
  TlsResult handshake();
  // Encrypts `plaintext`; `taken` is how much was accepted (queued or encrypted). Before the
  // handshake is done, or when OpenSSL needs to read first, bytes are queued (up to
  // kMaxQueuedPlaintext) and sent later by handshake()/read()/write(). kOk: all taken;
  // kWantWrite: drain output() and call again with the rest; kWantRead: queued, feed input.
  TlsResult write(std::string_view plaintext, size_t& taken);
  // Decrypts into `out`; `got` bytes. kWantRead when no whole record is buffered.
  TlsResult read(std::span<char> out, size_t& got);
  // Encrypts queued plaintext as far as the output allows (call after draining output() when
  // queued_plaintext() is not 0): kOk when the queue is empty, kWantWrite, kWantRead, kError.
  TlsResult flush();
  // Queues close_notify (RFC 8446 §6.1) into output(); idempotent.
  TlsResult start_close();

  HandshakeState handshake_state() const { return state_; }
  bool close_notify_received() const { return close_received_; }
  bool close_notify_sent() const { return close_sent_; }
  size_t queued_plaintext() const { return queued_.size(); }
  // Messages of the peer after the handshake that each cost us a key schedule or a record of our
  // own: a KeyUpdate (RFC 8446 §4.6.3; answered when update_requested) and a renegotiation
  // attempt (TLS 1.2 ClientHello or HelloRequest, refused with a no_renegotiation alert). A
  // running count; the socket judges its rate.
  uint32_t renegotiation_requests() const { return renegotiation_requests_; }
  // One line: "handshake failed: ..." or "tls error: ...".
  const std::string& error() const { return error_; }
  HandshakeFailure failure() const { return failure_; }
  // The first certificate verification error and its depth ({X509_V_OK, -1}: none).
  VerifyError verify_error() const { return conn_.verify; }

 private:
  friend struct EngineBio;
  static void on_message(int write_p, int version, int content_type, const void* buf, size_t len,
                         SSL* ssl, void* arg);
  bool switch_domain(const TlsDomain& domain);
  // After the handshake: frees what only a handshake needs (a server's certificate copies).
  void drop_handshake_only_state();
  TlsResult write_records(std::string_view data, size_t& taken);
  TlsResult queue(std::string_view data, size_t& taken);
  TlsResult fail(int ssl_error, const char* what);

  SslPtr ssl_;
  core::ByteBuffer in_;
  core::ByteBuffer out_;
  CiphertextSource* source_ = nullptr;
  core::ByteBuffer queued_;
  std::string error_;
  std::string peer_name_;      // the host name the peer's certificate must name ("" = none)
  PeerNameRules peer_name_rules_;
  HandshakeFailure failure_ = HandshakeFailure::kNone;
  HandshakeState state_ = HandshakeState::kNotStarted;
  TlsRole role_ = TlsRole::kServer;
  TlsConnState conn_;
  bool in_eof_ = false;
  bool close_received_ = false;
  bool close_sent_ = false;
  bool broken_ = false;  // a fatal error after the handshake: no more I/O
  uint32_t renegotiation_requests_ = 0;
};

}  // namespace tls
