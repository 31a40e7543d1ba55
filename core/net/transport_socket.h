#pragma once
// The seam between the connection manager and what runs over a stream socket (DESIGN.md
// principle 1, modelled on Envoy's envoy/network/transport_socket.h). A Connection owns one
// TransportSocket and never knows whether it is plain TCP or TLS; the TLS subsystem (a later
// issue, tls/) implements this interface with a sans-I/O engine. No OpenSSL header here.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/byte_buffer.h"
#include "core/base/pool.h"
#include "core/base/transport.h"
#include "core/net/socket_addr.h"
#include "core/net/tls_identity.h"

namespace core::net {

using core::Transport;

// What a secured transport knows of its peer once the handshake is done: the facts the
// routing script reads ($tls_version, $tls_cipher, $tls_peer_subject_cn, $tls_peer_san_dns,
// $tls_sni, $tls_domain, is_peer_verified()). Views stay valid as long as the connection.
struct ConnectionSecurity {
  std::string_view version;
  std::string_view cipher;
  std::string_view peer_subject_cn;
  std::string_view peer_san_dns;
  std::string_view sni;
  std::string_view domain;        // the TLS domain in effect, e.g. `tls_domain[192.0.2.1:5061]`
  bool peer_verified = false;     // verified against that domain's CA list
  std::string_view peer_subject;  // the peer certificate's whole subject, one line ("" = none)
  int64_t peer_not_after = 0;     // its notAfter, unix time (0 = no peer certificate)
};

// What the connection must do after an I/O call (Envoy's PostIoAction).
enum class PostIoAction : uint8_t { kKeepOpen, kClose };

struct IoResult {
  PostIoAction action = PostIoAction::kKeepOpen;
  size_t bytes = 0;            // read: bytes appended to the buffer; write: bytes consumed
  bool end_of_stream = false;  // read: the peer closed its side
  // read: the handshake finished in this call; the connection cancels its handshake deadline
  // and flushes what it queued meanwhile.
  bool handshake_completed = false;
};

// Why a connection closes. The connection decides (it owns every timer); the transport socket
// is told, so that its own figures count each timeout once.
enum class CloseReason : uint8_t {
  kEof,
  kError,
  kIdle,
  kSendTimeout,
  kConnectTimeout,
  kConnectFailed,
  kHandshakeTimeout,
  kMessageReadTimeout,
  kFraming,
  kNoMemory,
  kReadShare,  // its partial message was the largest when the worker's read share ran out
  kShutdown,
};
const char* close_reason_name(CloseReason reason);

// Read buffer: the socket appends plaintext with prepare()/commit().
using ReadBuffer = ByteBuffer;

// What a transport socket may ask of the connection that owns it. All calls happen on the
// connection's worker thread.
class TransportSocketCallbacks {
 public:
  virtual ~TransportSocketCallbacks() = default;
  // The socket needs the fd to become writable even when the connection itself has nothing to
  // write (TLS records of its own: handshake, alerts, KeyUpdate answers).
  virtual void want_write(bool enable) = 0;
  // The socket cannot take input now (a TLS handshake waiting for its slot): the connection
  // stops watching the fd for reads until set_reading(true); what the peer sends waits in the
  // kernel. Deadlines keep running.
  virtual void set_reading(bool enable) = 0;
  // Thread-safe: the connection calls the socket's on_wake() on its own worker, soon (unless it
  // has closed meanwhile).
  virtual void wake() = 0;
  // A server's handshake is about to start: the peer's first bytes (its ClientHello) have
  // arrived. False refuses it (the shared memory guard) and the socket closes. Asked here, not at
  // the accept, so that peers which connect and send nothing hold no handshake reservation.
  virtual bool admit_handshake() { return true; }
  // The connection's log prefix, e.g. "[c#42 tls 10.0.0.1:5061<-203.0.113.9:40000]".
  virtual const char* log_prefix() const = 0;
};

class TransportSocket {
 public:
  virtual ~TransportSocket() = default;
  virtual void set_callbacks(TransportSocketCallbacks& callbacks) = 0;
  // The fd is connected (accepted when is_server, or an outbound connect that completed).
  // Returning kClose refuses the connection.
  virtual PostIoAction on_connected(int fd, bool is_server) = 0;
  // Reads what is available (once; the connection calls again on the next readable event).
  virtual IoResult do_read(ReadBuffer& buffer) = 0;
  // Writes as much of `data` as possible; bytes = how much of `data` was taken (may be less than
  // data.size(); the rest stays queued in the connection). Called with empty data to let the
  // socket flush its own pending bytes (e.g. TLS records) after want_write().
  virtual IoResult do_write(std::string_view data) = 0;
  // After wake(), on the connection's worker. Returning kClose closes the connection.
  virtual PostIoAction on_wake() { return PostIoAction::kKeepOpen; }
  // Graceful close (a TLS close_notify); the fd is closed by the connection afterwards.
  virtual void close(CloseReason reason) = 0;
  // Application data may flow (always true for plain TCP).
  virtual bool handshake_done() const = 0;
  // The peer's TLS facts after the handshake; null for plain TCP.
  virtual const ConnectionSecurity* security() const { return nullptr; }
  // The TLS domain in effect so far (before the handshake is done too, for the control plane:
  // a connection stuck in its handshake names the domain it hit); empty for plain TCP.
  virtual std::string_view domain_name() const { return {}; }
  // Read once on_connected() returned: how long the handshake may take (tls_handshake_timeout
  // of the domain; zero = no handshake), and how long the peer may make no progress reading
  // what is sent (tls_send_timeout; zero = the connection manager's tcp_send_timeout).
  virtual std::chrono::milliseconds handshake_timeout() const { return {}; }
  virtual std::chrono::milliseconds send_timeout() const { return {}; }
  // Bytes were received that do not make plaintext yet (part of a TLS record): a message has
  // begun.
  virtual bool partial_input() const { return false; }
  // Output of the socket's own the kernel has not taken yet (TLS records): the connection
  // watches the peer's progress while there is some, and stops reading while there is much.
  virtual size_t pending_output() const { return 0; }
};

// Parameters of a new transport socket.
struct TransportSocketOptions {
  bool is_server = true;
  SocketAddr local;
  SocketAddr peer;
  uint64_t connection_id = 0;
  // Outbound TLS: the client domain to use and the name to send as SNI and verify (empty for
  // plain TCP and accepted connections).
  TlsIdentity identity;
};

// One per listener (accepted connections) and one per outbound transport. Objects are made in
// `pool` (the shared pool) so their bytes are accounted; a null pointer refuses the connection.
class TransportSocketFactory {
 public:
  virtual ~TransportSocketFactory() = default;
  virtual PoolPtr<TransportSocket> create(const TransportSocketOptions& options, Pool& pool) = 0;
  // Outbound TLS: whether a client domain with this id exists (TlsIdentity::client_domain).
  virtual bool knows_client_domain(std::string_view /*id*/) const { return false; }
};

}  // namespace core::net
