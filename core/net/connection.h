#pragma once
// One stream connection (TCP, later TLS), owned by one worker for its whole life: every method
// runs on that worker's thread, so nothing here takes a lock. The read buffer exists only while
// a message is partially received, the write buffer only while a write is pending (DESIGN.md
// principle 6); complete messages are framed straight out of the worker's scratch buffer.
#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <string_view>
#include <utility>

#include "core/base/byte_buffer.h"
#include "core/net/deadlines.h"
#include "core/net/net.h"
#include "core/net/socket_addr.h"
#include "core/net/transport_socket.h"
#include "core/net/worker.h"
#include "core/sip/stream_framer.h"

namespace core::net {

struct NetContext;
struct NetWorker;

struct ConnectionParams {
  uint64_t id = 0;
  int fd = -1;
  Transport transport = Transport::kTcp;
  bool outbound = false;
  int listener_id = -1;
  SocketAddr local;
  SocketAddr peer;
  uint32_t user_timeout_ms = 0;  // TCP_USER_TIMEOUT the fd has already (from its listener); 0: none
};

class Connection final : public TransportSocketCallbacks {
 public:
  Connection(NetContext& net, NetWorker& owner, const ConnectionParams& params,
             PoolPtr<TransportSocket> socket);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Accepted: the socket is told and reading starts. False: closed already (refused).
  bool start_accepted();
  // Outbound: the non-blocking connect() is in progress (or done when `connected`).
  bool start_connecting(bool connected);
  // Queues `data`; it leaves with the other messages queued for this peer during the loop's
  // current turn (see NetWorker::defer_flush). False when the connection is closed or closes
  // now, or when its queue is at its bound (the data is dropped).
  bool send(std::string_view data);
  // NetWorker::flush_deferred: writes what send() queued during the loop's turn.
  void flush_deferred();
  // Tears the connection down at once; it is freed later by the worker.
  void close(CloseReason reason);
  // Stop: close now if nothing is pending, else after the pending writes are flushed.
  void close_when_flushed(CloseReason reason);

  uint64_t id() const { return params_.id; }
  bool closed() const { return state_ == State::kClosed; }
  const SocketAddr& peer() const { return params_.peer; }
  Transport transport() const { return params_.transport; }
  bool outbound() const { return params_.outbound; }
  // Bytes of the worker's pool its partial message holds (counted in the worker's read share).
  size_t read_held() const { return rbuf_charged_; }
  ConnectionState state() const;
  // Its facts for the control plane (copies: the TLS facts are views into the socket).
  ConnectionSnapshot snapshot() const;
  // The memory guard's reservation for its handshake (Net::admit): taken back once, when the
  // handshake completes or the connection goes.
  void hold_admission(size_t bytes) { admission_ = static_cast<uint32_t>(bytes); }
  size_t take_admission() { return std::exchange(admission_, 0); }
  // A send with a connect token opened this connection: Net's ConnectObserver hears whether it
  // came to carry messages or closed before. False (nothing to report) when it already can.
  bool watch_connect(uint64_t token);

  // TransportSocketCallbacks
  void want_write(bool enable) override;
  bool admit_handshake() override;
  void set_reading(bool enable) override;
  void wake() override;
  // Formatted when a line is logged, into a buffer of the calling thread: valid until that
  // thread's next call. An idle connection keeps no text of its own (DESIGN.md principle 6).
  const char* log_prefix() const override;

 private:
  using Clock = std::chrono::steady_clock;
  enum class State : uint8_t { kConnecting, kOpen, kClosed };

  static void on_io(evutil_socket_t fd, short what, void* arg);
  void on_readable();
  void socket_woke();
  // Reads are watched: open, still taking input, not paused by either side.
  bool wants_input() const { return reading_ && !paused_ && !socket_holds_input_; }
  // Watches the fd for what the connection wants now: input, and writability while
  // write_enabled_; nothing once closed. Called after each change of either.
  void watch_io();
  void handshake_completed();
  // The connect watched by watch_connect() ended: reported once.
  void connect_outcome(bool connected);
  void on_writable();
  void finish_connect();
  void open();
  // Handles the whole frames in `buffer`; true when at least one was consumed.
  bool process(ByteBuffer& buffer);
  bool keep(std::string_view bytes);
  void charge_rbuf();
  // tcp_msg_read_timeout: arms the deadline of a message that has begun, clears it when none.
  void watch_partial_message(bool frame_consumed);
  bool dispatch(std::string_view data, size_t& consumed);
  void stream_error(std::string_view buffered, bool too_big, std::string_view reason);
  void flush();
  void update_write_interest();
  void set_deadline(DeadlineKind kind, std::chrono::milliseconds timeout);
  // Stops reading a peer whose replies pile up (it would otherwise fill the worker's pool with
  // answers it never reads); reading resumes once the queue drains.
  void apply_backpressure();
  // The transport socket's own send timeout (tls_send_timeout), else tcp_send_timeout.
  std::chrono::milliseconds send_timeout() const;
  // TCP_USER_TIMEOUT = 2 x send_timeout(): at open, and again when the handshake settles the
  // domain (an SNI switch brings the chosen domain's tls_send_timeout).
  void apply_user_timeout();
  // The send deadline: while output is pending (ours, the socket's or in the kernel) the peer
  // must acknowledge some within the send timeout. Started by every write; checked on ticks.
  void watch_send_progress();
  void check_send_progress();
  // Arms the timer for the earliest deadline (only when that is earlier than it is armed for:
  // touch() on every message moves the idle deadline without an event_add).
  void arm_timer();
  void timer_fired();
  void deadline_passed(DeadlineKind kind);
  void touch();

  NetContext& net_;
  NetWorker& owner_;
  ConnectionParams params_;
  PoolPtr<TransportSocket> socket_;
  ByteBuffer rbuf_;
  size_t rbuf_charged_ = 0;  // rbuf_'s capacity as counted in the worker's read_held
  bool in_handler_ = false;  // the handler is reading a message that may lie in rbuf_
  // Handling the messages of one read: send() queues in wbuf_, on_readable() flushes once.
  bool in_read_batch_ = false;
  bool flush_deferred_ = false;  // in the owner's list of connections to flush this turn
  sip::FrameScan scan_;          // what the framer learnt of the partial message at rbuf_'s start
  ByteBuffer wbuf_;
  IoEvent io_;  // read and write interest: watch_io()
  Timer timer_;
  Deadlines deadlines_;
  State state_ = State::kConnecting;
  bool write_enabled_ = false;
  bool reading_ = false;
  bool paused_ = false;              // reading stopped while the peer does not read our replies
  bool socket_holds_input_ = false;  // the transport socket cannot take input yet
  bool socket_wants_write_ = false;
  bool close_after_flush_ = false;
  bool send_watch_ = false;
  bool acked_known_ = false;
  bool wrote_since_check_ = false;  // progress when the kernel cannot tell acknowledgements
  uint64_t acked_ = 0;              // the kernel's acknowledged count at the last check
  Clock::time_point progress_at_{};
  CloseReason flush_reason_ = CloseReason::kShutdown;
  Clock::time_point timer_at_{};
  Clock::time_point created_ = Clock::now();
  uint64_t bytes_in_ = 0;  // application bytes read and written (plaintext under TLS)
  uint64_t bytes_out_ = 0;
  uint32_t admission_ = 0;        // bytes the guard holds for its handshake
  uint32_t user_timeout_ms_ = 0;  // TCP_USER_TIMEOUT as set on the fd; 0 = not set
  uint64_t connect_token_ = 0;    // watch_connect(); 0 once reported
};

}  // namespace core::net
