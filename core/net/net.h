#pragma once
// The API the proxy uses: start listeners and workers from plain settings, receive framed SIP
// messages through a MessageHandler on the receiving worker, and send from any worker thread
// over UDP or over a (reused, or new) stream connection. cfg/ is not a dependency: the core
// wiring converts cfg::Config into NetSettings and ListenSpecs.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/memory_guard.h"
#include "core/base/pool.h"
#include "core/net/socket_addr.h"
#include "core/net/tls_identity.h"
#include "core/net/transport_socket.h"

namespace core::net {

// The server fills every field from the configuration model (core/settings.h), whose defaults
// (cfg::CoreParams) are the documented ones; these initial values equal them so that a Net
// built directly (tests, tools) behaves as a default ser.cfg does (settings_test checks it).
struct NetSettings {
  int children = 4;                        // worker threads (ser.cfg default: one per CPU)
  size_t max_connections = 65536;          // tcp_max_connections (all workers)
  uint32_t max_connections_per_ip = 1024;  // tcp_max_connections_per_ip (inbound; see IpKey)
  std::chrono::milliseconds connection_lifetime{120000};  // tcp_connection_lifetime (idle close)
  std::chrono::milliseconds connect_timeout{5000};        // tcp_connect_timeout
  std::chrono::milliseconds send_timeout{10000};          // tcp_send_timeout
  std::chrono::milliseconds msg_read_timeout{20000};      // tcp_msg_read_timeout
  std::chrono::milliseconds shutdown_flush{2000};         // bound on flushing writes at stop()
  bool crlf_pong = true;                                  // tcp_crlf_pong
  size_t max_message_size = 65535;                        // bytes, streams and datagrams
  size_t pkg_budget = 16u << 20;                          // per-worker pool budget (0 = none)
  // udp_rcvbuf / udp_sndbuf: bytes asked for each UDP socket's buffers (0 = kernel default).
  size_t udp_rcvbuf = 4u << 20;
  size_t udp_sndbuf = 4u << 20;
  // shm_high_water / shm_low_water: percents of shm's budget for the MemoryGuard.
  unsigned shm_high_water = MemoryGuard::kDefaultHighPercent;
  unsigned shm_low_water = MemoryGuard::kDefaultLowPercent;
};

// One received message. Everything here is valid only during the handler call.
struct ReceivedMessage {
  Transport transport;
  const SocketAddr& src;
  const SocketAddr& dst;  // the local address it arrived on
  uint64_t conn_id;       // 0 for UDP
  int listener_id;        // the listen socket it arrived on (-1 for outbound connections)
  int worker;             // index of the receiving worker
  std::string_view data;  // exactly one framed message (or the bytes buffered, on an error)
  const ConnectionSecurity* security = nullptr;  // TLS facts; null for UDP and plain TCP
};

enum class StreamError : uint8_t { kBadFraming, kTooBig };

class MessageHandler {
 public:
  virtual ~MessageHandler() = default;
  virtual void on_message(const ReceivedMessage& msg) = 0;
  // The stream broke (RFC 3261 §18.3: Content-Length is mandatory on streams) or a message went
  // over max_message_size. The connection stops reading and closes after this returns, once any
  // reply sent now with msg.conn_id (a 400 or 513) is flushed.
  virtual void on_stream_error(const ReceivedMessage& /*msg*/, StreamError /*error*/,
                               std::string_view /*reason*/) {}
  // A datagram about to be handed to a worker: the id of the stream connection its handling
  // will send over (a response's connection hint), or 0. The worker owning that connection
  // handles it, so the relay needs no second hand-over; without one the Call-ID decides. A
  // guess, not a check: called on the reading worker, before on_message.
  virtual uint64_t connection_hint(std::string_view /*datagram*/) const { return 0; }
};

struct ListenSpec {
  Transport transport = Transport::kUdp;
  SocketAddr address;                         // port 0 picks one; see Net::listen_address()
  TransportSocketFactory* factory = nullptr;  // streams; null = plain TCP
};

enum class SendResult : uint8_t {
  kSent,    // written to the socket, or queued on a connection of this worker
  kPosted,  // handed to the worker that owns the connection (or that will connect)
  kFailed,  // no socket for it, connect refused at once, the limit reached, or no memory
  // Only with a connect_token: queued on a new connection of this worker whose connect (and
  // handshake) is in progress; the ConnectObserver is told how it ends.
  kConnecting,
};

// Told, on the worker that made it, how the connect of a new connection that a send with a
// connect_token opened ended: `connected` once it can carry the message (TCP connected, TLS
// handshake done), else false when it closed before (refused, timed out, handshake failed):
// nothing of the message was sent, and the sender may try another target (RFC 3263 §4.3).
using ConnectObserver = void (*)(void* context, uint64_t token, bool connected);

// Counters, summed over all workers.
struct NetStats {
  uint64_t accepted = 0;
  uint64_t refused = 0;            // over max_connections
  uint64_t refused_per_ip = 0;     // over max_connections_per_ip
  uint64_t refused_memory = 0;     // a pool refused the connection's memory
  uint64_t refused_transport = 0;  // the transport socket refused it (tls_max_handshakes_per_ip)
  uint64_t connects = 0;           // outbound connects started
  uint64_t connect_failed = 0;
  uint64_t connect_timeouts = 0;
  uint64_t closed_eof = 0;
  uint64_t closed_error = 0;
  uint64_t closed_idle = 0;
  uint64_t closed_read_share = 0;  // partial message the largest when the read share ran out
  uint64_t send_timeouts = 0;
  uint64_t handshake_timeouts = 0;
  uint64_t msg_read_timeouts = 0;  // a partial message did not complete in tcp_msg_read_timeout
  uint64_t framing_errors = 0;
  uint64_t too_big = 0;
  uint64_t pings = 0;
  uint64_t udp_received = 0;
  uint64_t stream_received = 0;
  uint64_t send_failed = 0;
  uint64_t queue_full = 0;  // sends dropped: the connection's queue was at its bound
  // Messages by Transport (indexed by its value): received (framed, handed to the handler) and
  // sent (written, or queued on a connection; a send that failed is in send_failed).
  uint64_t received[Transport::kCount] = {};
  uint64_t sent[Transport::kCount] = {};
};

// What a stream connection is doing (the control plane's view of it).
enum class ConnectionState : uint8_t {
  kConnecting,  // outbound connect() in progress
  kHandshake,   // connected, the transport socket's handshake not done (or waiting for a slot)
  kOpen,
  kClosing,  // flushing its last replies before the close
};
inline constexpr size_t kConnectionStates = 4;
const char* connection_state_name(ConnectionState s);  // "connecting", "handshake", ...

// One live connection as its worker saw it (Net::snapshot_worker): copies, valid anywhere.
struct ConnectionSnapshot {
  uint64_t id = 0;
  Transport transport = Transport::kTcp;
  SocketAddr local;
  SocketAddr peer;
  bool outbound = false;
  ConnectionState state = ConnectionState::kOpen;
  std::chrono::steady_clock::time_point created{};
  uint64_t bytes_in = 0;  // application bytes (plaintext for TLS) read and written
  uint64_t bytes_out = 0;
  bool secure = false;  // the TLS facts below are filled (handshake done)
  std::string domain;
  std::string sni;
  std::string version;
  std::string cipher;
  std::string peer_subject;
  int64_t peer_not_after = 0;
  bool peer_verified = false;
};

// One worker's connections: counts by transport and state (always), each connection (when
// asked for).
struct WorkerSnapshot {
  int index = -1;
  size_t connections = 0;
  uint32_t by_state[Transport::kCount][kConnectionStates] = {};  // [Transport][ConnectionState]
  std::vector<ConnectionSnapshot> list;
};

struct NetContext;
struct NetWorker;
class Acceptor;
class Connector;
class Listeners;
class StreamSender;
class UdpEndpoint;

class Net {
 public:
  Net(const NetSettings& settings, MessageHandler& handler, Pool& shm = Pool::shm());
  ~Net();
  Net(const Net&) = delete;
  Net& operator=(const Net&) = delete;

  // Binds now (before start; -1 after start, so privileges can be dropped afterwards): one socket
  // per worker with SO_REUSEPORT. Returns the listener id, or -1 (logged) on failure.
  int add_listener(const ListenSpec& spec);
  // The address a listener is bound to (with the port the kernel chose for port 0).
  SocketAddr listen_address(int listener_id) const;
  // Factory for outbound connections of `transport` (plain TCP by default; TLS has none by
  // default: a TLS send without one fails rather than go out in the clear).
  void set_client_factory(Transport transport, TransportSocketFactory* factory);

  bool start();
  // Stops listeners, flushes pending writes up to settings.shutdown_flush, joins the workers.
  // Call from a thread that is not one of the workers.
  void stop();

  // Callable from any thread. UDP: sendto from the listener socket (listener_hint if it fits).
  // Streams: the connection conn_hint if alive, else a live connection to dst of that
  // transport, else a new connection; work for another worker's connection is posted there.
  // identity (TLS): the client domain and the server name of a new connection; only an
  // outbound connection opened for the same destination and identity is reused (an accepted
  // connection only through conn_hint). A client domain id the TLS runtime does not know
  // fails the send at once (logged).
  // connect_token (non-zero): when the send opens a new connection on the calling worker, the
  // result is kConnecting and the observer is told the connect's outcome with this token.
  SendResult send(Transport transport, const SocketAddr& dst, std::string_view data,
                  uint64_t conn_hint = 0, int listener_hint = -1, const TlsIdentity& identity = {},
                  uint64_t connect_token = 0);
  // Set before start(): who hears of connects made for a connect_token.
  void set_connect_observer(ConnectObserver observer, void* context);

  // Over connection `id` of `transport` and no other, never a new one (an RFC 5626 flow): kFailed
  // when it is gone (a posted send finds it gone: dropped, counted in send_failed).
  SendResult send_on_connection(Transport transport, uint64_t id, std::string_view data);
  // RFC 5923: connection `id` is reachable at `alias` too; send() to that address reuses it
  // (over TLS only for the same `server_name`). Any thread.
  void add_alias(Transport transport, uint64_t id, const SocketAddr& alias,
                 std::string_view server_name);

  NetStats stats() const;
  size_t connection_count() const;
  // Live stream connections of `transport` (set up, not yet closed), from any thread.
  size_t live_connections(Transport transport) const;
  // The admission of new connections against shm's budget (MemoryGuard).
  const MemoryGuard& guard() const;
  // What a live TLS connection holds of shm on average, from what shm gained since the last
  // time no stream connection was open (the baseline: contexts, caches, the workers' buffers):
  // OpenSSL's gain divided by the live TLS connections (only they make OpenSSL allocate), plus
  // the rest of the gain (connection objects, libevent's events, buffers) divided by all live
  // stream connections, so plain TCP connections beside them do not inflate it. Handshakes in
  // progress and the TLS session cache count, so it is an upper bound of the steady
  // per-connection figure; 0 without TLS connections.
  size_t avg_tls_connection_bytes() const;
  const NetSettings& settings() const;
  int worker_count() const { return static_cast<int>(workers_.size()); }
  // UDP datagrams worker `index` read, from any thread.
  uint64_t worker_udp_received(int index) const;
  // UDP datagrams worker `index` handled: those it read and kept, and those other workers
  // handed it by their Call-ID (one peer spread over the workers); from any thread.
  uint64_t worker_udp_handled(int index) const;
  // The receive and send buffers the kernel granted a UDP listener's sockets (getsockopt's
  // figures: twice the bytes asked), or -1 each when `listener_id` is no UDP listener.
  std::pair<int, int> udp_buffers(int listener_id) const;
  // Worker `index`'s private pool (read and write buffers): its budget and counters.
  Pool& worker_pool(int index);
  // Runs `task` on worker `index` (tests, and the core's per-worker work).
  bool post(int worker_index, std::function<void()> task);
  // What worker `index` holds now; `with_list` copies each connection's facts. Call only on
  // that worker's thread (from a task given to post()): its connections are its own.
  WorkerSnapshot snapshot_worker(int index, bool with_list) const;

 private:
  NetWorker* current_worker() const;

  // Declared in the order they are built; destroyed in reverse, so the listeners' events,
  // the acceptor's timers and the connections go before the workers' event bases.
  std::unique_ptr<NetContext> net_;
  std::vector<std::unique_ptr<NetWorker>> workers_;
  std::unique_ptr<Listeners> listeners_;
  std::unique_ptr<Acceptor> acceptor_;
  std::unique_ptr<UdpEndpoint> udp_;
  std::unique_ptr<Connector> connector_;
  std::unique_ptr<StreamSender> streams_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace core::net
