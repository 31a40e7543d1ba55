#pragma once
// TLS under a core connection (DESIGN.md principle 1): a TransportSocket that moves ciphertext
// between the connection's fd and a TlsEngine, and plaintext between the engine and the
// connection's buffers. The connection owns the timers (handshake deadline, send timeout): it
// reads their lengths from this socket and tells close() why it closes; this socket never
// blocks.
#include <chrono>
#include <memory>
#include <string>

#include "core/base/pool.h"
#include "core/net/socket_addr.h"
#include "core/net/transport_socket.h"
#include "tls/domain_set.h"
#include "tls/handshake_limiter.h"
#include "tls/tls_engine.h"

namespace tls {

class TlsStats;

// What the handshake established, for log lines and the script's $tls_* values. The names of
// the protocol, the cipher, the SNI and the domain are views of what outlives the connection's
// facts (OpenSSL's static names, the engine's SNI, the socket's domain set): each of 10,000
// idle connections would otherwise keep a copy of the domain's name.
struct TlsFacts {
  std::string_view version;    // "TLSv1.3"
  std::string_view cipher;     // "TLS_AES_256_GCM_SHA384"
  std::string peer_cn;         // subject CN of the peer certificate ("" without one)
  std::string peer_san_dns;    // the peer certificate's DNS subjectAltNames, comma-joined
  std::string peer_subject;    // its whole subject, one line ("CN=client.test,O=...")
  int64_t peer_not_after = 0;  // its notAfter, unix time
  std::string_view sni;        // server: the name the client asked for; client: the name sent
  std::string_view domain;     // the domain in effect (after SNI), e.g. `default server domain`
  bool peer_certificate = false;
  bool peer_verified = false;   // a certificate was presented and verified
  bool session_reused = false;  // resumed from a ticket or the session cache
};

// Reads the facts of `engine`'s finished handshake (views valid while the engine and its
// domain set live).
TlsFacts collect_tls_facts(const TlsEngine& engine);

class TlsSocket final : public core::net::TransportSocket,
                        private HandshakeLimiter::Waiter,
                        private CiphertextSource {
 public:
  using Clock = std::chrono::steady_clock;
  // Plaintext and ciphertext moved per call: one TLS record.
  static constexpr size_t kIoChunk = 16384 + 512;
  // A peer that asks for more KeyUpdates and renegotiations than this within the window is
  // closed: each costs us a record (and a key schedule), none is needed more than rarely.
  static constexpr uint32_t kMaxRenegotiations = 10;
  static constexpr std::chrono::seconds kRenegotiationWindow{10};

  // `limiter` (server side, may be null): once connected, the socket takes a handshake slot for
  // the peer's address or waits for one, and gives it back when the handshake ends or it dies.
  TlsSocket(std::shared_ptr<const DomainSet> domains, const core::net::TransportSocketOptions& opts,
            core::Pool& pool, TlsStats& stats, HandshakeLimiter* limiter);
  ~TlsSocket() override;

  void set_callbacks(core::net::TransportSocketCallbacks& callbacks) override {
    callbacks_ = &callbacks;
  }
  core::net::PostIoAction on_connected(int fd, bool is_server) override;
  core::net::IoResult do_read(core::net::ReadBuffer& buffer) override;
  core::net::IoResult do_write(std::string_view data) override;
  core::net::PostIoAction on_wake() override;
  void close(core::net::CloseReason reason) override;
  bool handshake_done() const override {
    return engine_.handshake_state() == HandshakeState::kDone;
  }
  // Views into facts(); null until the handshake is done.
  const core::net::ConnectionSecurity* security() const override {
    return facts_ ? &security_ : nullptr;
  }
  // The socket's own domain once connected, the SNI's after the ClientHello.
  std::string_view domain_name() const override;
  // tls_handshake_timeout and tls_send_timeout of the connection's domain (known once
  // connected).
  std::chrono::milliseconds handshake_timeout() const override { return handshake_timeout_; }
  std::chrono::milliseconds send_timeout() const override { return send_timeout_; }
  // Part of a record after the handshake (before it, the handshake deadline runs).
  bool partial_input() const override { return handshake_done() && engine_.partial_record(); }
  size_t pending_output() const override { return engine_.output().size(); }

  // Null until the handshake is done.
  const TlsFacts* facts() const { return facts_ ? facts_.get() : nullptr; }
  HandshakeState handshake_state() const { return engine_.handshake_state(); }
  const TlsEngine& engine() const { return engine_; }

 private:
  enum class Slot : uint8_t { kNone, kWaiting, kHeld };  // of tls_max_handshakes_per_ip

  void slot_granted() override;  // HandshakeLimiter::Waiter, any thread
  // CiphertextSource, once the handshake is done: one recv() per do_read() (libevent's events
  // are level-triggered: the connection calls again while the fd is readable).
  long source_read(char* out, size_t size) override;
  core::net::PostIoAction begin_handshake(bool is_server);
  bool start_engine(bool is_server);
  core::net::PostIoAction drive_handshake(bool& completed);
  void handshake_finished();
  void handshake_failed();
  const char* read_ciphertext();
  core::net::PostIoAction read_plaintext(core::net::ReadBuffer& buffer, core::net::IoResult& r);
  bool flush_output();
  void set_want_write(bool want);
  void release_slot();
  bool renegotiations_within_limit();
  const char* prefix() const;
  // Client: false (logged, counted) when no domain was found for the identity (its id named
  // none in this socket's domain set).
  bool has_client_domain();

  std::shared_ptr<const DomainSet> domains_;
  core::net::SocketAddr local_;
  core::net::SocketAddr peer_;
  std::string server_name_;  // client: SNI to send and name to verify
  TlsEngine engine_;
  TlsStats& stats_;
  HandshakeLimiter* limiter_;  // server side: tls_max_handshakes_per_ip
  Slot slot_ = Slot::kNone;
  core::net::TransportSocketCallbacks* callbacks_ = nullptr;
  const TlsDomain* domain_ = nullptr;
  std::unique_ptr<TlsFacts> facts_;
  core::net::ConnectionSecurity security_;
  std::chrono::milliseconds handshake_timeout_{0};
  std::chrono::milliseconds send_timeout_{0};
  Clock::time_point window_start_{};  // the renegotiation rate's current window
  uint32_t window_base_ = 0;          // engine_.renegotiation_requests() when it began
  uint32_t renegotiations_seen_ = 0;
  int fd_ = -1;
  bool wants_write_ = false;
  bool may_recv_ = false;   // do_read() has not read the fd yet
  bool io_failed_ = false;  // the fd failed or the peer's stream ended without close_notify
  bool closed_ = false;
};

}  // namespace tls
