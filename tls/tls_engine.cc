#include "tls/tls_engine.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>

#include "tls/peer_name.h"
#include "tls/sni_select.h"

namespace tls {

// The BIO under the SSL: reads come from the engine's input buffer, then from its source (if
// set), writes go to its output buffer. Nothing to read asks OpenSSL to retry (WANT_READ) until
// the end of the stream (feed_eof(), or the source's 0), after which a read returns 0 and OpenSSL
// reports an unexpected EOF (truncation) unless close_notify came first.
struct EngineBio {
  static TlsEngine* engine(BIO* b) { return static_cast<TlsEngine*>(BIO_get_data(b)); }

  static int write(BIO* b, const char* data, int len) {
    BIO_clear_retry_flags(b);
    TlsEngine* e = engine(b);
    if (len <= 0) return 0;
    if (!e->out_.append(std::string_view(data, static_cast<size_t>(len)))) return -1;
    return len;
  }

  static int read(BIO* b, char* buf, int len) {
    BIO_clear_retry_flags(b);
    TlsEngine* e = engine(b);
    if (e->in_.empty()) {
      if (e->in_eof_) return 0;
      if (e->source_ != nullptr && len > 0) {
        long n = e->source_->source_read(buf, static_cast<size_t>(len));
        if (n > 0) return static_cast<int>(n);
        if (n == 0) {
          e->in_eof_ = true;
          return 0;
        }
      }
      BIO_set_retry_read(b);
      return -1;
    }
    size_t n = std::min(e->in_.size(), static_cast<size_t>(std::max(len, 0)));
    std::memcpy(buf, e->in_.view().data(), n);
    e->in_.consume(n);
    if (e->in_.empty()) e->in_.release();
    return static_cast<int>(n);
  }

  static long ctrl(BIO* b, int cmd, long /*num*/, void* /*ptr*/) {
    TlsEngine* e = engine(b);
    switch (cmd) {
      case BIO_CTRL_FLUSH:
        return 1;
      case BIO_CTRL_PENDING:
        return static_cast<long>(e->in_.size());
      case BIO_CTRL_WPENDING:
        return static_cast<long>(e->out_.size());
      case BIO_CTRL_EOF:
        return e->in_eof_ && e->in_.empty() ? 1 : 0;
      default:
        return 0;
    }
  }

  static int create(BIO* b) {
    BIO_set_init(b, 1);
    return 1;
  }

  static BIO_METHOD* method() {
    static BIO_METHOD* const m = [] {
      BIO_METHOD* bm = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ser-tls-engine");
      if (bm != nullptr) {
        BIO_meth_set_write(bm, &EngineBio::write);
        BIO_meth_set_read(bm, &EngineBio::read);
        BIO_meth_set_ctrl(bm, &EngineBio::ctrl);
        BIO_meth_set_create(bm, &EngineBio::create);
      }
      return bm;
    }();
    return m;
  }
};

namespace {

// The records of a retried write may come from a moved buffer (queued_ grows and shrinks).
constexpr long kEngineModes = SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;

bool is_ip_literal(const std::string& name) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

}  // namespace

const char* tls_result_name(TlsResult r) {
  switch (r) {
    case TlsResult::kOk:
      return "ok";
    case TlsResult::kWantRead:
      return "want read";
    case TlsResult::kWantWrite:
      return "want write";
    case TlsResult::kClosed:
      return "closed";
    case TlsResult::kTruncated:
      return "truncated";
    case TlsResult::kError:
      return "error";
  }
  return "?";
}

TlsEngine::TlsEngine(core::Pool& pool) : in_(pool), out_(pool), queued_(pool) {}

bool TlsEngine::init(SSL_CTX* ctx, TlsRole role, std::string_view server_name,
                     PeerNameRules rules) {
  role_ = role;
  clear_errors();
  BIO_METHOD* method = EngineBio::method();
  ssl_.reset(ctx != nullptr && method != nullptr ? SSL_new(ctx) : nullptr);
  BIO* bio = ssl_ ? BIO_new(method) : nullptr;
  if (bio == nullptr) {
    error_ = "tls error: cannot create the connection state: " +
             drain_error_queue(ctx == nullptr ? "no context" : "out of memory");
    ssl_.reset();
    return false;
  }
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_.get(), bio, bio);  // the SSL owns the BIO now
  conn_ = TlsConnState{};
  conn_.engine = this;
  if (!conn_.attach(ssl_.get())) {
    error_ = "tls error: cannot attach the connection state: " + drain_error_queue("ex-data");
    ssl_.reset();
    return false;
  }
  SSL_set_mode(ssl_.get(), kEngineModes);
  SSL_set_msg_callback(ssl_.get(), &TlsEngine::on_message);
  SSL_set_msg_callback_arg(ssl_.get(), this);
  // The context's verify mode with our one callback (a bare context may have none).
  SSL_set_verify(ssl_.get(), SSL_get_verify_mode(ssl_.get()), verify_callback);
  if (role == TlsRole::kServer) {
    SSL_set_accept_state(ssl_.get());
    return true;
  }
  SSL_set_connect_state(ssl_.get());
  if (server_name.empty()) {
    if ((SSL_get_verify_mode(ssl_.get()) & SSL_VERIFY_PEER) == 0) return true;
    // A chain that verifies proves nothing about who the peer is (RFC 5922 §7.2): refuse.
    error_ =
        "tls error: no name to check the peer's certificate against (the next hop's host, "
        "the Via sent-by or tls_server_name): not connecting";
    ssl_.reset();
    return false;
  }
  std::string name(server_name);
  conn_.sni = name;
  bool ok;
  if (is_ip_literal(name)) {
    // RFC 6066 §3: no SNI for an address; RFC 5922 §7.2 checks the subjectAltName IP instead.
    ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), name.c_str()) == 1;
  } else {
    // The name is checked by check_peer_name (RFC 5922 §7), not by OpenSSL's host check.
    ok = SSL_set_tlsext_host_name(ssl_.get(), name.c_str()) == 1;
    peer_name_ = std::move(name);
    peer_name_rules_ = rules;
  }
  if (!ok) {
    error_ = "tls error: cannot use server name \"" + std::string(server_name) +
             "\": " + drain_error_queue("invalid name");
    ssl_.reset();
    return false;
  }
  return true;
}

// Read-ahead: OpenSSL asks the BIO for as much as its record buffer holds, not for a header
// and then a body, so one read of the source brings every record that is there.
void TlsEngine::set_source(CiphertextSource* source) {
  source_ = source;
  if (ssl_) SSL_set_read_ahead(ssl_.get(), source != nullptr ? 1 : 0);
}

bool TlsEngine::init_server(const DomainSet& domains, const core::net::SocketAddr& local) {
  const TlsDomain& domain = domains.server_for(local);
  if (!init(domain.ctx(), TlsRole::kServer)) return false;
  conn_.domains = &domains;
  conn_.local = local;
  conn_.domain = &domain;
  return true;
}

bool TlsEngine::init_client(const TlsDomain& domain, std::string_view server_name) {
  PeerNameRules rules{domain.config().settings.verify_wildcards};
  if (!init(domain.ctx(), TlsRole::kClient, server_name, rules)) return false;
  conn_.domain = &domain;
  return true;
}

bool TlsEngine::on_client_hello(std::optional<std::string_view> name, int* alert) {
  if (conn_.domains == nullptr) return true;  // a bare context: nothing to choose from
  conn_.sni.assign(name.value_or(std::string_view()));
  if (!name) return true;  // no SNI: the socket's domain answers
  const TlsDomain* chosen =
      name->empty() ? nullptr : conn_.domains->server_for_sni(conn_.local, *name);
  if (chosen == nullptr) {
    if (!conn_.domains->sni_strict(conn_.local)) return true;  // the socket's domain answers
    conn_.refusal = name->empty() ? "malformed SNI" : "SNI \"" + std::string(*name) + "\"";
    conn_.refusal += " names no domain of this socket (tls_sni_strict)";
    *alert = SSL_AD_UNRECOGNIZED_NAME;  // RFC 6066 section 3
    return false;
  }
  if (chosen == conn_.domain) return true;
  if (!switch_domain(*chosen)) {
    conn_.refusal = "cannot switch to " + chosen->name() + " for SNI \"" + std::string(*name) +
                    "\": " + drain_error_queue("OpenSSL refused");
    *alert = SSL_AD_INTERNAL_ERROR;
    return false;
  }
  return true;
}

// The engine's modes and verify callback stay across the switch (switch_to_domain copies the
// new context's).
bool TlsEngine::switch_domain(const TlsDomain& domain) {
  if (!switch_to_domain(ssl_.get(), domain)) return false;
  SSL_set_mode(ssl_.get(), kEngineModes);
  conn_.domain = &domain;
  return true;
}

// Sees every protocol message (SSL_set_msg_callback(3)), a refused renegotiation's ClientHello
// or HelloRequest too (OpenSSL answers those with a no_renegotiation alert).
void TlsEngine::on_message(int write_p, int /*version*/, int content_type, const void* buf,
                           size_t len, SSL* /*ssl*/, void* arg) {
  auto* engine = static_cast<TlsEngine*>(arg);
  if (engine == nullptr || write_p != 0 || content_type != SSL3_RT_HANDSHAKE || len < 1 ||
      engine->state_ != HandshakeState::kDone)
    return;
  unsigned char type = *static_cast<const unsigned char*>(buf);
  if (type == SSL3_MT_KEY_UPDATE || type == SSL3_MT_CLIENT_HELLO || type == SSL3_MT_HELLO_REQUEST)
    ++engine->renegotiation_requests_;
}

// Runs when the chain is verified up to the leaf (OpenSSL calls back at depth 0 last): a
// client's peer must be named by its certificate (RFC 5922 §7.2), else the handshake fails as
// a verify failure (X509_V_ERR_HOSTNAME_MISMATCH) and fail() gives the reason.
int TlsEngine::check_peer_name(X509_STORE_CTX* store) {
  if (peer_name_.empty() || X509_STORE_CTX_get_error_depth(store) != 0) return 1;
  X509* leaf = X509_STORE_CTX_get_current_cert(store);
  if (certificate_names(leaf, peer_name_, peer_name_rules_)) return 1;
  // Kept in error_ until fail() writes the failure line with it (one string less per engine).
  error_ = peer_name_mismatch(leaf, peer_name_, peer_name_rules_);
  X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
  return 0;
}

void TlsEngine::consume_output(size_t n) {
  out_.consume(std::min(n, out_.size()));
  if (out_.empty()) out_.release();
}

TlsResult TlsEngine::handshake() {
  if (state_ == HandshakeState::kDone) return TlsResult::kOk;
  if (state_ == HandshakeState::kFailed || !ssl_) return TlsResult::kError;
  state_ = HandshakeState::kInProgress;
  clear_errors();
  int rc = SSL_do_handshake(ssl_.get());
  if (rc == 1) {
    state_ = HandshakeState::kDone;
    std::string().swap(error_);  // a name mismatch the verify mode let pass
    drop_handshake_only_state();
    // Data written while the handshake ran goes out now; a want-read is retried later.
    TlsResult q = flush();
    return q == TlsResult::kError ? q : TlsResult::kOk;
  }
  int err = SSL_get_error(ssl_.get(), rc);
  if (err == SSL_ERROR_WANT_READ) return TlsResult::kWantRead;
  if (err == SSL_ERROR_WANT_WRITE) return TlsResult::kWantWrite;
  return fail(err, "handshake failed");
}

// SSL_new copied the context's certificate chains into this SSL (one stack per key type); a
// server needs them, and its key, only to handshake. SSL_certs_clear(3) frees the copies (the
// context keeps its own), unless the peer may start another handshake: a TLS 1.2
// renegotiation the domain allows (tls_renegotiation). TLS 1.3 has none (RFC 8446 §4.6:
// tickets, KeyUpdate and client authentication only, which need no certificate of ours).
void TlsEngine::drop_handshake_only_state() {
  SSL* ssl = ssl_.get();
  if (role_ != TlsRole::kServer) return;
  if (SSL_version(ssl) != TLS1_3_VERSION && (SSL_get_options(ssl) & SSL_OP_NO_RENEGOTIATION) == 0)
    return;
  SSL_certs_clear(ssl);
}

TlsResult TlsEngine::fail(int ssl_error, const char* what) {
  FailureInfo info = describe_failure(ssl_.get(), ssl_error, conn_.verify, in_eof_);
  if (conn_.verify.error == X509_V_ERR_HOSTNAME_MISMATCH && !error_.empty())
    info.reason = error_;  // check_peer_name's reason
  // Our ClientHello callback says why it refused; OpenSSL says only "callback failed".
  if (!conn_.refusal.empty()) {
    info.kind = HandshakeFailure::kOther;
    info.reason = conn_.refusal;
  }
  error_ = std::string(what) + ": " + info.reason;
  if (state_ != HandshakeState::kDone) {
    state_ = HandshakeState::kFailed;
    failure_ = info.kind;
  }
  broken_ = true;
  queued_.release();
  return TlsResult::kError;
}

TlsResult TlsEngine::queue(std::string_view data, size_t& taken) {
  size_t room = kMaxQueuedPlaintext - std::min(kMaxQueuedPlaintext, queued_.size());
  size_t n = std::min(room, data.size());
  if (n > 0 && !queued_.append(data.substr(0, n))) {
    error_ = "tls error: out of memory queueing a write";
    return TlsResult::kError;
  }
  taken += n;
  return TlsResult::kOk;
}

TlsResult TlsEngine::write(std::string_view plaintext, size_t& taken) {
  taken = 0;
  if (broken_ || state_ == HandshakeState::kFailed) return TlsResult::kError;
  if (close_sent_ || close_received_) return TlsResult::kClosed;
  if (state_ != HandshakeState::kDone || !queued_.empty()) {
    if (queue(plaintext, taken) == TlsResult::kError) return TlsResult::kError;
    TlsResult r = state_ == HandshakeState::kDone ? flush() : handshake();
    if (r == TlsResult::kOk && state_ == HandshakeState::kDone) r = flush();
    if (r == TlsResult::kOk && taken < plaintext.size()) return TlsResult::kWantWrite;
    return r;
  }
  return write_records(plaintext, taken);
}

// Encrypts record by record until everything is taken or the output reaches the high-water
// mark. OpenSSL wants a write that returned WANT_READ retried with the same bytes: those are
// moved to queued_ (counted as taken) and retried from there.
TlsResult TlsEngine::write_records(std::string_view data, size_t& taken) {
  while (taken < data.size()) {
    if (out_.size() >= kOutputHighWater) return TlsResult::kWantWrite;
    std::string_view chunk = data.substr(taken, std::min(kRecordSize, data.size() - taken));
    size_t n = 0;
    clear_errors();
    if (SSL_write_ex(ssl_.get(), chunk.data(), chunk.size(), &n) == 1) {
      taken += n;
      continue;
    }
    int err = SSL_get_error(ssl_.get(), 0);
    if (err == SSL_ERROR_WANT_READ) {
      if (queue(chunk, taken) == TlsResult::kError) return TlsResult::kError;
      return TlsResult::kWantRead;
    }
    if (err == SSL_ERROR_ZERO_RETURN) {
      close_received_ = true;
      return TlsResult::kClosed;
    }
    return fail(err, "tls error");
  }
  return TlsResult::kOk;
}

TlsResult TlsEngine::flush() {
  if (broken_ || state_ == HandshakeState::kFailed) return TlsResult::kError;
  if (state_ != HandshakeState::kDone) return queued_.empty() ? TlsResult::kOk : handshake();
  while (!queued_.empty()) {
    if (out_.size() >= kOutputHighWater) return TlsResult::kWantWrite;
    std::string_view chunk = queued_.view().substr(0, std::min(kRecordSize, queued_.size()));
    size_t n = 0;
    clear_errors();
    if (SSL_write_ex(ssl_.get(), chunk.data(), chunk.size(), &n) == 1) {
      queued_.consume(n);
      continue;
    }
    int err = SSL_get_error(ssl_.get(), 0);
    if (err == SSL_ERROR_WANT_READ) return TlsResult::kWantRead;
    return fail(err, "tls error");
  }
  queued_.release();
  return TlsResult::kOk;
}

TlsResult TlsEngine::read(std::span<char> out, size_t& got) {
  got = 0;
  if (close_received_) return TlsResult::kClosed;
  if (broken_ || state_ == HandshakeState::kFailed) return TlsResult::kError;
  if (state_ != HandshakeState::kDone) {
    TlsResult r = handshake();
    if (r != TlsResult::kOk) return r;
  }
  clear_errors();
  if (SSL_read_ex(ssl_.get(), out.data(), out.size(), &got) == 1) {
    if (!queued_.empty() && flush() == TlsResult::kError) return TlsResult::kError;
    return TlsResult::kOk;
  }
  int err = SSL_get_error(ssl_.get(), 0);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      // A record that needed reading (a key update, a ticket) may unblock a queued write.
      if (!queued_.empty() && flush() == TlsResult::kError) return TlsResult::kError;
      return TlsResult::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return TlsResult::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      close_received_ = true;
      return TlsResult::kClosed;
    default:
      break;
  }
  unsigned long e = ERR_peek_error();
  if (is_unexpected_eof(e) || (err == SSL_ERROR_SYSCALL && e == 0 && in_eof_)) {
    clear_errors();
    broken_ = true;
    return TlsResult::kTruncated;
  }
  return fail(err, "tls error");
}

TlsResult TlsEngine::start_close() {
  if (close_sent_) return TlsResult::kOk;
  if (!ssl_ || broken_ || state_ != HandshakeState::kDone) return TlsResult::kError;
  clear_errors();
  int rc = SSL_shutdown(ssl_.get());
  if (rc < 0) {
    clear_errors();  // best effort: the connection closes anyway
    return TlsResult::kError;
  }
  close_sent_ = true;
  return TlsResult::kOk;
}

}  // namespace tls
