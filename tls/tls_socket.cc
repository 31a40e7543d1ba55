#include "tls/tls_socket.h"

#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <cassert>
#include <cerrno>
#include <cstring>

#include "core/base/log.h"
#include "tls/cert_check.h"
#include "tls/handshake_limiter.h"
#include "tls/tls_stats.h"

namespace tls {

using core::LogLevel;
using core::net::IoResult;
using core::net::PostIoAction;

namespace {

std::string asn1_text(const ASN1_STRING* s) {
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0) return std::string();
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

std::string subject_cn(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  int i = name != nullptr ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
  if (i < 0) return std::string();
  return asn1_text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
}

std::string san_dns(X509* cert) {
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  std::string out;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    if (gn->type != GEN_DNS) continue;
    if (!out.empty()) out += ',';
    out.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
               static_cast<size_t>(ASN1_STRING_length(gn->d.dNSName)));
  }
  return out;
}

}  // namespace

TlsFacts collect_tls_facts(const TlsEngine& engine) {
  const SSL* ssl = engine.ssl();
  const TlsConnState& state = engine.state();
  TlsFacts f;
  f.version = SSL_get_version(ssl);
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  if (cipher != nullptr) f.cipher = SSL_CIPHER_get_name(cipher);
  f.session_reused = SSL_session_reused(ssl) == 1;
  f.sni = state.sni;
  if (state.domains == nullptr && engine.role() == TlsRole::kServer) {
    // A bare context (no ClientHello callback of ours) has only OpenSSL's word.
    const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (sni != nullptr) f.sni = sni;
  }
  if (state.domain != nullptr) f.domain = state.domain->name();
  X509Ptr peer(SSL_get_peer_certificate(ssl));  // 3.0: SSL_get1_peer_certificate
  if (peer) {
    f.peer_certificate = true;
    f.peer_cn = subject_cn(peer.get());
    f.peer_san_dns = san_dns(peer.get());
    f.peer_subject = subject_line(peer.get());
    f.peer_not_after = asn1_unix_time(X509_get0_notAfter(peer.get()));
    f.peer_verified = SSL_get_verify_result(ssl) == X509_V_OK;
  }
  return f;
}

TlsSocket::TlsSocket(std::shared_ptr<const DomainSet> domains,
                     const core::net::TransportSocketOptions& opts, core::Pool& pool,
                     TlsStats& stats, HandshakeLimiter* limiter)
    : domains_(std::move(domains)),
      local_(opts.local),
      peer_(opts.peer),
      server_name_(opts.identity.server_name),
      engine_(pool),
      stats_(stats),
      limiter_(limiter) {
  // A client's domain is chosen here, from the identity (the id need not be kept).
  if (!opts.is_server) domain_ = domains_->client_for(peer_, opts.identity);
}

TlsSocket::~TlsSocket() {
  release_slot();
}

std::string_view TlsSocket::domain_name() const {
  const TlsDomain* d = engine_.domain() != nullptr ? engine_.domain() : domain_;
  return d != nullptr ? std::string_view(d->name()) : std::string_view();
}

const char* TlsSocket::prefix() const {
  return callbacks_ != nullptr ? callbacks_->log_prefix() : "[tls]";
}

void TlsSocket::release_slot() {
  if (slot_ == Slot::kHeld) limiter_->release(peer_);
  if (slot_ == Slot::kWaiting) limiter_->cancel(peer_, *this);
  slot_ = Slot::kNone;
}

// The handshake deadline runs from here (the accept), whether the handshake starts now or waits
// for a slot of tls_max_handshakes_per_ip.
PostIoAction TlsSocket::on_connected(int fd, bool is_server) {
  fd_ = fd;
  if (is_server)
    domain_ = &domains_->server_for(local_);
  else if (!has_client_domain())
    return PostIoAction::kClose;
  handshake_timeout_ = domain_->config().settings.handshake_timeout;
  send_timeout_ = domain_->config().settings.send_timeout;
  if (limiter_ != nullptr) {
    if (!limiter_->acquire_or_wait(peer_, *this)) {
      // Unread, the ClientHello waits in the kernel; no TLS state exists until the slot comes.
      slot_ = Slot::kWaiting;
      stats_.handshake_waited();
      if (callbacks_ != nullptr) callbacks_->set_reading(false);
      SER_LOG_THROTTLED(stats_.log().waiting, LogLevel::kInfo, prefix(),
                        "waiting for a handshake slot (tls_max_handshakes_per_ip %u in progress)",
                        limiter_->limit());
      return PostIoAction::kKeepOpen;
    }
    slot_ = Slot::kHeld;
  }
  return begin_handshake(is_server);
}

void TlsSocket::slot_granted() {
  if (callbacks_ != nullptr) callbacks_->wake();
}

PostIoAction TlsSocket::on_wake() {
  if (slot_ != Slot::kWaiting || closed_ || !limiter_->take_granted(*this))
    return PostIoAction::kKeepOpen;
  slot_ = Slot::kHeld;
  if (callbacks_ != nullptr) callbacks_->set_reading(true);
  return begin_handshake(true);
}

PostIoAction TlsSocket::begin_handshake(bool is_server) {
  if (!start_engine(is_server)) {
    SER_LOG(LogLevel::kError, prefix(), "%s", engine_.error().c_str());
    stats_.handshake_failed(HandshakeFailure::kOther);
    release_slot();
    return PostIoAction::kClose;
  }
  // A client sends its ClientHello now. A server waits for the ClientHello (do_read drives the
  // handshake): SSL_do_handshake with nothing to read would make OpenSSL's handshake and record
  // buffers (about 50 kB) for a peer that may never send a byte.
  if (is_server) return PostIoAction::kKeepOpen;
  bool completed = false;
  return drive_handshake(completed);
}

bool TlsSocket::start_engine(bool is_server) {
  if (is_server) {
    // The socket's own domain until the client's SNI chooses another (on_client_hello).
    if (!engine_.init_server(*domains_, local_)) return false;
    domain_ = engine_.domain();
    return true;
  }
  assert(domain_ != nullptr);  // chosen in on_connected
  // The client domain's tls_server_name is the operator's word and wins; else the name the
  // proxy connects to (the next hop's URI host), checked against the certificate (RFC 5922).
  const std::string& configured = domain_->config().settings.server_name;
  if (!configured.empty()) server_name_ = configured;
  return engine_.init_client(*domain_, server_name_);
}

bool TlsSocket::has_client_domain() {
  if (domain_ != nullptr) return true;
  // Net::send checked the id against the set in service; this socket's set is older or newer.
  SER_LOG(LogLevel::kError, prefix(),
          "no client domain with the script's id in this domain set (a reload removed it): "
          "not connecting");
  stats_.handshake_failed(HandshakeFailure::kOther);
  return false;
}

PostIoAction TlsSocket::drive_handshake(bool& completed) {
  TlsResult r = engine_.handshake();
  // Send what the handshake produced, and on failure the alert, best effort.
  bool sent = flush_output();
  if (r == TlsResult::kError) {
    handshake_failed();
    return PostIoAction::kClose;
  }
  if (!sent) {
    SER_LOG_THROTTLED(stats_.log().handshake_failed, LogLevel::kInfo, prefix(),
                      "handshake failed: peer closed the connection");
    stats_.handshake_failed(HandshakeFailure::kPeerClosed);
    release_slot();
    return PostIoAction::kClose;
  }
  if (r == TlsResult::kOk) {
    handshake_finished();
    completed = true;
  }
  return PostIoAction::kKeepOpen;
}

void TlsSocket::handshake_finished() {
  facts_ = std::make_unique<TlsFacts>(collect_tls_facts(engine_));
  domain_ = engine_.domain();  // the client's SNI may have chosen another domain
  send_timeout_ = domain_->config().settings.send_timeout;
  security_ = core::net::ConnectionSecurity{
      facts_->version,       facts_->cipher,       facts_->peer_cn,
      facts_->peer_san_dns,  facts_->sni,          facts_->domain,
      facts_->peer_verified, facts_->peer_subject, facts_->peer_not_after};
  stats_.handshake_done();
  if (facts_->session_reused) stats_.handshake_resumed();
  release_slot();
  engine_.set_source(this);  // from now on OpenSSL reads the fd itself (source_read)
  if (!core::log_enabled(LogLevel::kInfo)) return;  // the escaping below is per handshake
  const TlsFacts& f = *facts_;
  const char* verified = f.peer_verified ? " (verified)" : " (NOT verified)";
  core::LogEscaped cn(f.peer_cn), sni(f.sni);  // the peer's words
  SER_LOG(LogLevel::kInfo, prefix(), "tls handshake done: %.*s %.*s%s, %s%s%s, %.*s%s%s%s",
          static_cast<int>(f.version.size()), f.version.data(), static_cast<int>(f.cipher.size()),
          f.cipher.data(), f.session_reused ? " (resumed)" : "",
          f.peer_certificate ? "peer CN=" : "no peer certificate", cn.c_str(),
          f.peer_certificate ? verified : "", static_cast<int>(f.domain.size()), f.domain.data(),
          f.sni.empty() ? "" : ", sni \"", sni.c_str(), f.sni.empty() ? "" : "\"");
}

void TlsSocket::handshake_failed() {
  HandshakeFailure kind = engine_.failure();
  stats_.handshake_failed(kind);
  release_slot();
  // A peer that just went away (a port probe, a scanner) is not the operator's problem.
  LogLevel level = kind == HandshakeFailure::kPeerClosed ? LogLevel::kInfo : LogLevel::kWarning;
  SER_LOG_THROTTLED(stats_.log().handshake_failed, level, prefix(), "%s", engine_.error().c_str());
}

// Ciphertext from the fd, once and bounded (the connection calls again on the next readable
// event: libevent's events are level-triggered). Null, or why the connection must close.
const char* TlsSocket::read_ciphertext() {
  std::span<char> space = engine_.input_space(kIoChunk);
  if (space.empty()) return "out of memory for TLS records";  // close rather than spin
  ssize_t n = ::recv(fd_, space.data(), space.size(), MSG_DONTWAIT);
  if (n > 0) {
    engine_.commit_input(static_cast<size_t>(n));
    return nullptr;
  }
  engine_.commit_input(0);
  if (n == 0) {
    engine_.feed_eof();
    return nullptr;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return nullptr;
  io_failed_ = true;
  return std::strerror(errno);
}

IoResult TlsSocket::do_read(core::net::ReadBuffer& buffer) {
  IoResult r;
  if (closed_ || io_failed_ || engine_.handshake_state() == HandshakeState::kFailed) {
    r.action = PostIoAction::kClose;
    return r;
  }
  if (slot_ == Slot::kWaiting) return r;  // not reading (set_reading(false)); nothing to do
  // After the handshake OpenSSL reads the fd itself (source_read), once per call.
  may_recv_ = handshake_done();
  if (!handshake_done()) {
    if (const char* error = read_ciphertext()) {
      SER_LOG_THROTTLED(stats_.log().handshake_failed, LogLevel::kInfo, prefix(),
                        "handshake failed: %s", error);
      stats_.handshake_failed(io_failed_ ? HandshakeFailure::kPeerClosed
                                         : HandshakeFailure::kOther);
      release_slot();
      r.action = PostIoAction::kClose;
      return r;
    }
    // A server's first bytes: the handshake (and OpenSSL's ~50 kB for it) starts only if the
    // shared memory guard admits it; refused, the connection closes before anything is made.
    if (engine_.role() == TlsRole::kServer &&
        engine_.handshake_state() == HandshakeState::kNotStarted && callbacks_ != nullptr &&
        !callbacks_->admit_handshake()) {
      release_slot();
      r.action = PostIoAction::kClose;
      return r;
    }
    if (drive_handshake(r.handshake_completed) == PostIoAction::kClose) {
      r.action = PostIoAction::kClose;
      return r;
    }
    if (!handshake_done()) return r;
  }
  r.action = read_plaintext(buffer, r);
  may_recv_ = false;
  if (io_failed_ && !r.end_of_stream) r.action = PostIoAction::kClose;  // the fd failed
  if (r.action == PostIoAction::kKeepOpen && !renegotiations_within_limit())
    r.action = PostIoAction::kClose;
  if (r.action == PostIoAction::kKeepOpen && !flush_output()) r.action = PostIoAction::kClose;
  return r;
}

long TlsSocket::source_read(char* out, size_t size) {
  if (!may_recv_ || io_failed_) return -1;
  may_recv_ = false;
  ssize_t n = ::recv(fd_, out, size, MSG_DONTWAIT);
  if (n >= 0) return static_cast<long>(n);
  if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) io_failed_ = true;
  return -1;
}

// RFC 8446 §4.6.3 lets a peer request a KeyUpdate at any time, and OpenSSL answers each with a
// record; a TLS 1.2 renegotiation attempt gets an alert. A peer that asks in a loop (and does not
// read the answers) is closed, counted, and logged (throttled with the other TLS lines).
bool TlsSocket::renegotiations_within_limit() {
  uint32_t seen = engine_.renegotiation_requests();
  if (seen == renegotiations_seen_) return true;
  Clock::time_point now = Clock::now();
  if (window_start_ == Clock::time_point{} || now - window_start_ >= kRenegotiationWindow) {
    window_start_ = now;
    window_base_ = renegotiations_seen_;
  }
  renegotiations_seen_ = seen;
  if (seen - window_base_ <= kMaxRenegotiations) return true;
  stats_.renegotiation_flood();
  SER_LOG_THROTTLED(stats_.log().renegotiation_flood, LogLevel::kWarning, prefix(),
                    "closing: %u KeyUpdate or renegotiation requests within %lld s (at most %u)",
                    seen - window_base_, static_cast<long long>(kRenegotiationWindow.count()),
                    kMaxRenegotiations);
  return false;
}

// Decrypts every whole record buffered; a record that needed reading (a TLS 1.3 ticket or key
// update) may also have produced output, flushed by the caller.
PostIoAction TlsSocket::read_plaintext(core::net::ReadBuffer& buffer, IoResult& r) {
  for (;;) {
    std::span<char> out = buffer.prepare(kIoChunk);
    if (out.empty()) return PostIoAction::kClose;
    size_t got = 0;
    TlsResult t = engine_.read(out, got);
    if (got > 0) {
      buffer.commit(got);
      r.bytes += got;
    }
    switch (t) {
      case TlsResult::kOk:
        // Nothing more buffered here or inside OpenSSL: another SSL_read would only say
        // want-read (an end of stream is still looked for).
        if (!engine_.partial_record() && !engine_.input_eof()) return PostIoAction::kKeepOpen;
        continue;
      case TlsResult::kWantRead:
      case TlsResult::kWantWrite:
        return PostIoAction::kKeepOpen;
      case TlsResult::kClosed:
        r.end_of_stream = true;
        return PostIoAction::kKeepOpen;
      case TlsResult::kTruncated:
        // RFC 8446 §6.1 allows it for a transport that ends the session; SIP does (§18.3).
        SER_LOG(LogLevel::kDebug, prefix(), "peer closed without close_notify");
        io_failed_ = true;
        r.end_of_stream = true;
        return PostIoAction::kKeepOpen;
      case TlsResult::kError:
        SER_LOG_THROTTLED(stats_.log().tls_error, LogLevel::kWarning, prefix(), "%s",
                          engine_.error().c_str());
        return PostIoAction::kClose;
    }
  }
}

IoResult TlsSocket::do_write(std::string_view data) {
  IoResult r;
  if (closed_ || !flush_output()) {
    r.action = PostIoAction::kClose;
    return r;
  }
  // Before the handshake is done the connection keeps the data; with records still waiting on
  // the peer no more are made, so nothing piles up here (the connection's buffer and its send
  // timeout deal with a peer that stops reading).
  if (!handshake_done() || engine_.has_output()) return r;
  if (engine_.queued_plaintext() > 0) {  // a write that needed a read, retried first
    TlsResult t = engine_.flush();
    if (t == TlsResult::kError || !flush_output()) {
      r.action = PostIoAction::kClose;
      return r;
    }
    if (engine_.has_output() || engine_.queued_plaintext() > 0) return r;
  }
  while (r.bytes < data.size()) {
    size_t taken = 0;
    TlsResult t = engine_.write(data.substr(r.bytes), taken);
    r.bytes += taken;
    if (t == TlsResult::kError || t == TlsResult::kClosed) {
      if (t == TlsResult::kError)
        SER_LOG_THROTTLED(stats_.log().tls_error, LogLevel::kWarning, prefix(), "%s",
                          engine_.error().c_str());
      r.action = PostIoAction::kClose;
      return r;
    }
    if (!flush_output()) {
      r.action = PostIoAction::kClose;
      return r;
    }
    if (engine_.has_output() || t == TlsResult::kWantRead) break;
  }
  return r;
}

// Sends what the engine holds; false when the fd failed. Asks for writability while bytes
// remain, and stops asking once they are gone.
bool TlsSocket::flush_output() {
  while (engine_.has_output() && !io_failed_) {
    std::string_view out = engine_.output();
    ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      engine_.consume_output(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    io_failed_ = true;
  }
  if (io_failed_) return false;
  set_want_write(engine_.has_output());
  return true;
}

void TlsSocket::set_want_write(bool want) {
  if (want == wants_write_ || callbacks_ == nullptr || closed_) return;
  wants_write_ = want;
  callbacks_->want_write(want);
}

void TlsSocket::close(core::net::CloseReason reason) {
  if (closed_) return;
  // The connection decided; the TLS figures count its timeouts once, from the reason.
  if (reason == core::net::CloseReason::kHandshakeTimeout) stats_.handshake_timeout();
  if (reason == core::net::CloseReason::kSendTimeout && handshake_done()) stats_.send_timeout();
  // Best effort (RFC 8446 §6.1): one non-blocking send, the fd closes right after. Not to a
  // peer whose stream failed or that is not reading what we already sent.
  if (fd_ >= 0 && handshake_done() && !io_failed_ && !engine_.has_output() &&
      !engine_.close_notify_sent() && engine_.start_close() == TlsResult::kOk) {
    std::string_view out = engine_.output();
    ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n == static_cast<ssize_t>(out.size())) stats_.close_notify_sent();
  }
  closed_ = true;
  release_slot();
}

}  // namespace tls
