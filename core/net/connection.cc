#include "core/net/connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>

#include "core/base/log.h"
#include "core/net/net.h"
#include "core/net/net_context.h"
#include "core/net/net_worker.h"
#include "core/net/socket_util.h"
#include "core/sip/stream_framer.h"

namespace core::net {

#define CONN_LOG(level, ...) SER_LOG(level, log_prefix(), __VA_ARGS__)
// A line the peer can cause at will: through the Net's throttle of its kind (NetLog).
#define CONN_LOG_THROTTLED(kind, level, ...) \
  SER_LOG_THROTTLED(net_.log.kind, level, log_prefix(), __VA_ARGS__)

const char* close_reason_name(CloseReason reason) {
  switch (reason) {
    case CloseReason::kEof:
      return "closed by peer";
    case CloseReason::kError:
      return "i/o error";
    case CloseReason::kIdle:
      return "idle lifetime expired";
    case CloseReason::kSendTimeout:
      return "send timeout";
    case CloseReason::kConnectTimeout:
      return "connect timeout";
    case CloseReason::kConnectFailed:
      return "connect failed";
    case CloseReason::kHandshakeTimeout:
      return "handshake timeout";
    case CloseReason::kMessageReadTimeout:
      return "message read timeout";
    case CloseReason::kFraming:
      return "framing error";
    case CloseReason::kNoMemory:
      return "out of memory";
    case CloseReason::kReadShare:
      return "read buffer share exhausted";
    case CloseReason::kShutdown:
      return "shutdown";
  }
  return "?";
}

Connection::Connection(NetContext& net, NetWorker& owner, const ConnectionParams& params,
                       PoolPtr<TransportSocket> socket)
    : net_(net),
      owner_(owner),
      params_(params),
      socket_(std::move(socket)),
      rbuf_(owner.worker.pool()),
      wbuf_(owner.worker.pool()),
      io_(owner.worker.base(), params_.fd, &Connection::on_io, this),
      timer_(owner.worker.base(), [this] { timer_fired(); }),
      user_timeout_ms_(params.user_timeout_ms) {
  socket_->set_callbacks(*this);
}

Connection::~Connection() {
  if (params_.fd >= 0) ::close(params_.fd);
}

const char* Connection::log_prefix() const {
  thread_local char prefix[176];
  char local[64];
  char peer[64];
  params_.local.format(local, sizeof(local));
  params_.peer.format(peer, sizeof(peer));
  std::snprintf(prefix, sizeof(prefix), "[c#%llu %s %s%s%s]",
                static_cast<unsigned long long>(params_.id), params_.transport.name(), local,
                params_.outbound ? "->" : "<-", peer);
  return prefix;
}

bool Connection::start_accepted() {
  if (!io_.valid() || !timer_.valid()) {
    close(CloseReason::kNoMemory);
    return false;
  }
  open();
  return !closed();
}

bool Connection::start_connecting(bool connected) {
  if (!io_.valid() || !timer_.valid()) {
    close(CloseReason::kNoMemory);
    return false;
  }
  if (connected) {
    open();
  } else {
    state_ = State::kConnecting;
    set_deadline(DeadlineKind::kConnect, net_.settings.connect_timeout);
    update_write_interest();
  }
  return !closed();
}

void Connection::open() {
  state_ = State::kOpen;
  deadlines_.clear(DeadlineKind::kConnect);
  if (socket_->on_connected(params_.fd, !params_.outbound) == PostIoAction::kClose) {
    close(CloseReason::kError);
    return;
  }
  if (!socket_->handshake_done())
    set_deadline(DeadlineKind::kHandshake, socket_->handshake_timeout());
  apply_user_timeout();
  reading_ = true;
  watch_io();
  touch();
  arm_timer();
  CONN_LOG(LogLevel::kDebug, "connection open");
  flush();
  if (!closed() && socket_->handshake_done()) connect_outcome(true);
}

bool Connection::watch_connect(uint64_t token) {
  if (closed() || (state_ == State::kOpen && socket_->handshake_done())) return false;
  connect_token_ = token;
  return true;
}

void Connection::connect_outcome(bool connected) {
  if (connect_token_ == 0) return;
  net_.report_connect(std::exchange(connect_token_, 0), connected);
}

void Connection::finish_connect() {
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(params_.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) {
    CONN_LOG_THROTTLED(connect_failed, LogLevel::kWarning, "connect failed: %s", strerror(err));
    bump(net_.counters.connect_failed);
    close(CloseReason::kConnectFailed);
    return;
  }
  params_.local = local_address(params_.fd);
  open();
}

void Connection::on_io(evutil_socket_t, short what, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  c->io_.fired();
  if ((what & EV_READ) != 0 && !c->closed()) c->on_readable();
  if ((what & EV_WRITE) != 0 && !c->closed()) c->on_writable();
}

// Reads go to the worker's scratch buffer; only the rest of a partial message is kept in rbuf_,
// so what a connection holds is the partial message itself (counted in the read share).
void Connection::on_readable() {
  ByteBuffer& scratch = owner_.worker.scratch();
  IoResult r = socket_->do_read(scratch);
  bytes_in_ += r.bytes;
  if (r.bytes > 0) touch();
  if (r.handshake_completed && r.action == PostIoAction::kKeepOpen) handshake_completed();
  bool consumed = false;
  // Replies to the messages of this read wait in wbuf_ and leave together once all are handled:
  // one send (one TLS record up to 16 KiB) for a pipelined batch instead of one per reply.
  in_read_batch_ = true;
  if (rbuf_.empty()) {
    consumed = !scratch.empty() && process(scratch);
  } else {
    // Also with nothing new: a connection resumed after backpressure has requests waiting.
    bool kept = keep(scratch.view());
    scratch.clear();
    consumed = kept && process(rbuf_);
  }
  in_read_batch_ = false;
  if (!wbuf_.empty()) flush();
  if (closed()) return;
  if (r.action == PostIoAction::kClose) {
    close(CloseReason::kError);
  } else if (r.end_of_stream) {
    // A half-close still gets the replies already queued for it.
    close_when_flushed(CloseReason::kEof);
  } else {
    watch_partial_message(consumed);
    // Reading may have made the socket write by itself (TLS answers a KeyUpdate).
    if (socket_->pending_output() > 0) {
      apply_backpressure();
      watch_send_progress();
    }
  }
}

// Kamailio's tcp_msg_read_timeout: a peer that trickles a message a byte at a time would
// otherwise hold the connection and its buffer for as long as it likes (each byte counts as
// activity for the idle lifetime). The deadline starts with the first byte of a message and is
// cleared when no message is partly buffered; a paused connection holds whole messages only.
void Connection::watch_partial_message(bool frame_consumed) {
  bool partial = reading_ && !paused_ && (!rbuf_.empty() || socket_->partial_input());
  if (!partial) {
    deadlines_.clear(DeadlineKind::kMessageRead);
  } else if (frame_consumed || !deadlines_.armed(DeadlineKind::kMessageRead)) {
    set_deadline(DeadlineKind::kMessageRead, net_.settings.msg_read_timeout);
  }
}

bool Connection::process(ByteBuffer& buffer) {
  ByteBuffer& scratch = owner_.worker.scratch();
  std::string_view all = buffer.view();
  size_t off = 0;
  // A paused connection keeps what it read, unhandled, until its replies drain.
  while (off < all.size() && reading_ && !paused_ && !closed()) {
    size_t consumed = 0;
    if (!dispatch(all.substr(off), consumed)) break;
    off += consumed;
  }
  std::string_view rest = all.substr(off);
  if (&buffer == &scratch) {
    // Keep the partial message in a buffer of our own; the scratch is for the next socket.
    if (!closed() && reading_) keep(rest);
    scratch.clear();
  } else {
    rbuf_.consume(off);
    if (rbuf_.empty()) {
      rbuf_.release();
      charge_rbuf();
    }
  }
  if (!closed() && reading_ && !paused_ && rbuf_.size() > net_.settings.max_message_size)
    stream_error(rbuf_.view(), true, "message over max_message_size");
  if (closed()) rbuf_.release();  // kept while a handler read from it (close())
  return off > 0;
}

// Keeps `bytes` of a partial message in rbuf_, within the worker's read share (closing the
// largest holder, or this connection when it is the one); false when this connection closed.
bool Connection::keep(std::string_view bytes) {
  size_t cap = rbuf_.capacity_for(bytes.size());
  if (cap > rbuf_charged_ && !owner_.make_read_room(*this, cap - rbuf_charged_)) {
    close(CloseReason::kReadShare);
    return false;
  }
  if (!rbuf_.append(bytes)) {
    close(CloseReason::kNoMemory);
    return false;
  }
  charge_rbuf();
  return true;
}

void Connection::charge_rbuf() {
  owner_.read_held = owner_.read_held - rbuf_charged_ + rbuf_.capacity();
  rbuf_charged_ = rbuf_.capacity();
}

// Handles the frame at the start of `data`; false when more bytes are needed or the stream broke.
bool Connection::dispatch(std::string_view data, size_t& consumed) {
  sip::Frame f = sip::find_frame(data, net_.settings.max_message_size, scan_);
  if (f.kind != sip::Frame::Kind::kNeedMore) scan_.reset();
  switch (f.kind) {
    case sip::Frame::Kind::kNeedMore:
      return false;
    case sip::Frame::Kind::kSkip:
      consumed = f.length;
      return f.length > 0;
    case sip::Frame::Kind::kPing:
      // RFC 5626 §4.4.1: a double CRLF ping is answered with a single CRLF pong.
      bump(net_.counters.pings);
      consumed = f.length;
      if (net_.settings.crlf_pong) send("\r\n");
      return f.length > 0;
    case sip::Frame::Kind::kMessage: {
      bump(net_.counters.received[params_.transport.index()]);
      consumed = f.length;
      ReceivedMessage msg{params_.transport,
                          params_.peer,
                          params_.local,
                          params_.id,
                          params_.listener_id,
                          owner_.worker.index(),
                          data.substr(0, f.length),
                          socket_->security()};
      in_handler_ = true;
      net_.handler.on_message(msg);
      in_handler_ = false;
      return f.length > 0;
    }
    case sip::Frame::Kind::kError:
      stream_error(data, false, f.reason);
      return false;
    case sip::Frame::Kind::kTooBig:
      stream_error(data, true, f.reason.empty() ? "message over max_message_size" : f.reason);
      return false;
  }
  return false;
}

void Connection::stream_error(std::string_view buffered, bool too_big, std::string_view reason) {
  bump(too_big ? net_.counters.too_big : net_.counters.framing_errors);
  CONN_LOG_THROTTLED(framing, LogLevel::kWarning, "%s: %.*s; closing",
                     too_big ? "message too big" : "bad framing", static_cast<int>(reason.size()),
                     reason.data());
  // Stop reading first: the handler may queue a 400/513 that is flushed before the close.
  reading_ = false;
  watch_io();
  deadlines_.clear(DeadlineKind::kMessageRead);
  ReceivedMessage msg{params_.transport, params_.peer,        params_.local,
                      params_.id,        params_.listener_id, owner_.worker.index(),
                      buffered,          socket_->security()};
  in_handler_ = true;
  net_.handler.on_stream_error(msg, too_big ? StreamError::kTooBig : StreamError::kBadFraming,
                               reason);
  in_handler_ = false;
  close_when_flushed(CloseReason::kFraming);
}

namespace {
// Pending reply bytes at which a connection stops being read, and at which it resumes.
constexpr size_t kWriteHighWater = size_t{1} << 20;
constexpr size_t kWriteLowWater = size_t{256} << 10;
// The same for output the transport socket makes by itself while reading (TLS answers a
// KeyUpdate or a renegotiation attempt with a record): a peer that asks and never reads must not
// grow it without bound.
constexpr size_t kSocketHighWater = size_t{32} << 10;
constexpr size_t kSocketLowWater = size_t{8} << 10;
// What one connection may hold unsent. Sends to it come from every peer (requests forwarded to
// it): one that reads slowly, or a next hop that never accepts the connect, would otherwise
// hold the worker's whole pool, and every other connection of the worker would close for want
// of memory.
constexpr size_t kWriteQueueLimit = size_t{4} << 20;
}  // namespace

void Connection::apply_backpressure() {
  if (closed() || !reading_) return;
  size_t own = socket_->pending_output();
  if (!paused_ && (wbuf_.size() > kWriteHighWater || own > kSocketHighWater)) {
    paused_ = true;
    watch_io();
    deadlines_.clear(DeadlineKind::kMessageRead);  // unread bytes wait for us, not the peer
    CONN_LOG_THROTTLED(backpressure, LogLevel::kInfo,
                       "peer not reading its replies (%zu bytes pending): reading paused",
                       wbuf_.size() + own);
  } else if (paused_ && wbuf_.size() < kWriteLowWater && own < kSocketLowWater) {
    paused_ = false;
    watch_io();
    // Requests read before the pause wait in rbuf_: handle them now, from the event loop.
    if (!rbuf_.empty()) io_.activate(EV_READ);
  }
}

bool Connection::send(std::string_view data) {
  if (closed()) return false;
  if (!wbuf_.empty() && wbuf_.size() + data.size() > kWriteQueueLimit) {
    // Dropped, the connection kept: its queue drains as the peer reads (or the send timeout
    // closes it). The message is lost as on a broken connection: its sender's transaction
    // times out (RFC 3261 §17.1.1.2, §17.1.2.2).
    bump(net_.counters.queue_full);
    CONN_LOG_THROTTLED(queue_full, LogLevel::kWarning,
                       "send dropped: %zu bytes already queued for this peer (at most %zu)",
                       wbuf_.size(), kWriteQueueLimit);
    return false;
  }
  if (!wbuf_.append(data)) {
    close(CloseReason::kNoMemory);
    return false;
  }
  // The replies to one read leave when on_readable() is done with it; others (a response that
  // came over UDP, a send posted from another worker) when the loop's turn ends, with whatever
  // else this turn queued for the peer: one write and one TLS record for a burst, not one each.
  if (state_ == State::kOpen && !in_read_batch_ && !flush_deferred_) {
    flush_deferred_ = true;
    owner_.defer_flush(this);
  }
  apply_backpressure();
  return !closed();
}

void Connection::flush_deferred() {
  flush_deferred_ = false;
  if (!wbuf_.empty()) flush();
}

std::chrono::milliseconds Connection::send_timeout() const {
  auto own = socket_->send_timeout();
  return own.count() > 0 ? own : net_.settings.send_timeout;
}

// The kernel's own bound on unacknowledged data, zero-window probes included: a backstop to the
// send deadline, and the bound once the fd is closed with replies still queued in it.
void Connection::apply_user_timeout() {
  uint32_t ms = tcp_user_timeout_for(send_timeout());
  if (ms == user_timeout_ms_) return;  // usually: an accepted fd has its listener's
  if (set_tcp_user_timeout(params_.fd, std::chrono::milliseconds(ms))) user_timeout_ms_ = ms;
}

namespace {
// How often a connection with output pending looks at the peer's progress: a quarter of the send
// timeout, so a stalled reader is closed within 1.25 send timeouts of its last acknowledgement.
std::chrono::milliseconds progress_tick(std::chrono::milliseconds send_timeout) {
  return std::max(send_timeout / 4, std::chrono::milliseconds(10));
}
}  // namespace

// A write that does not block proves nothing: the kernel grows a socket's send buffer to
// megabytes, so a peer that stops reading while replies trickle in would never make a write
// block. The peer's progress is what it acknowledges (the kernel's count), looked at on ticks.
void Connection::watch_send_progress() {
  if (send_watch_ || closed() || !socket_->handshake_done()) return;
  send_watch_ = true;
  acked_known_ = false;
  progress_at_ = Clock::now();
  deadlines_.set(DeadlineKind::kSend, progress_at_ + progress_tick(send_timeout()));
  arm_timer();
}

void Connection::check_send_progress() {
  Clock::time_point now = Clock::now();
  TcpOutput out;
  bool known = tcp_output(params_.fd, out);
  size_t pending = wbuf_.size() + socket_->pending_output() + (known ? out.queued : 0);
  if (pending == 0) {
    send_watch_ = false;
    deadlines_.clear(DeadlineKind::kSend);
    return;
  }
  bool moved = known ? acked_known_ && out.acked != acked_ : wrote_since_check_;
  acked_known_ = known;
  acked_ = out.acked;
  wrote_since_check_ = false;
  if (moved) progress_at_ = now;
  std::chrono::milliseconds timeout = send_timeout();
  if (now - progress_at_ < timeout) {
    deadlines_.set(DeadlineKind::kSend,
                   std::min(now + progress_tick(timeout), progress_at_ + timeout));
    return;
  }
  bump(net_.counters.send_timeouts);
  CONN_LOG_THROTTLED(send_timeout, LogLevel::kWarning,
                     "send timeout: peer not reading, nothing acknowledged for %lld ms, %zu bytes "
                     "pending (%zu in the kernel)",
                     static_cast<long long>(timeout.count()), pending,
                     known ? out.queued : size_t{0});
  close(CloseReason::kSendTimeout);
}

void Connection::on_writable() {
  if (state_ == State::kConnecting) {
    finish_connect();
  } else {
    flush();
  }
}

void Connection::flush() {
  if (closed() || state_ != State::kOpen) return;
  bool app_data = socket_->handshake_done() && !wbuf_.empty();
  IoResult r = socket_->do_write(app_data ? wbuf_.view() : std::string_view());
  if (r.action == PostIoAction::kClose) {
    close(CloseReason::kError);
    return;
  }
  if (app_data && r.bytes > 0) {
    bytes_out_ += r.bytes;
    wbuf_.consume(r.bytes);
    touch();
    wrote_since_check_ = true;
  }
  apply_backpressure();
  if (socket_->handshake_done()) watch_send_progress();
  if (wbuf_.empty()) {
    wbuf_.release();
    if (close_after_flush_) {
      close(flush_reason_);
      return;
    }
  }
  update_write_interest();
}

void Connection::update_write_interest() {
  if (closed()) return;
  bool want = state_ == State::kConnecting || socket_wants_write_ ||
              (!wbuf_.empty() && socket_->handshake_done());
  if (want == write_enabled_) return;
  write_enabled_ = want;
  watch_io();
}

void Connection::watch_io() {
  short what = 0;
  if (!closed() && wants_input()) what |= EV_READ;
  if (!closed() && write_enabled_) what |= EV_WRITE;
  io_.watch(what);
}

bool Connection::admit_handshake() {
  return net_.admission.admit_handshake(*this);
}

void Connection::want_write(bool enable) {
  socket_wants_write_ = enable;
  update_write_interest();
}

void Connection::set_reading(bool enable) {
  socket_holds_input_ = !enable;
  watch_io();
}

// Called from any thread: the connection may be gone by the time the worker runs the task, so
// the task finds it by id.
void Connection::wake() {
  NetWorker* nw = &owner_;
  uint64_t id = params_.id;
  owner_.worker.post([nw, id] {
    if (Connection* conn = nw->find(id)) conn->socket_woke();
  });
}

void Connection::socket_woke() {
  if (closed()) return;
  if (socket_->on_wake() == PostIoAction::kClose) close(CloseReason::kError);
}

void Connection::handshake_completed() {
  deadlines_.clear(DeadlineKind::kHandshake);
  apply_user_timeout();
  net_.admission.release(take_admission());
  flush();
  if (!closed()) connect_outcome(true);
}

void Connection::touch() {
  auto lifetime = net_.settings.connection_lifetime;
  if (state_ == State::kOpen && lifetime.count() > 0)
    deadlines_.set(DeadlineKind::kIdle, Clock::now() + lifetime);
}

void Connection::set_deadline(DeadlineKind kind, std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) return;
  deadlines_.set(kind, Clock::now() + timeout);
  arm_timer();
}

void Connection::arm_timer() {
  Clock::time_point at = deadlines_.next();
  if (at == Clock::time_point::max()) return;
  if (timer_.armed() && timer_at_ <= at) return;
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(at - Clock::now());
  if (delay.count() < 0) delay = std::chrono::milliseconds(0);
  timer_at_ = at;
  timer_.arm(delay + std::chrono::milliseconds(1));
}

void Connection::timer_fired() {
  if (closed()) return;
  std::optional<DeadlineKind> kind = deadlines_.expired(Clock::now());
  if (kind) {
    deadline_passed(*kind);
    if (closed()) return;
  }
  arm_timer();
}

void Connection::deadline_passed(DeadlineKind kind) {
  switch (kind) {
    case DeadlineKind::kConnect:
      bump(net_.counters.connect_timeouts);
      CONN_LOG_THROTTLED(connect_timeout, LogLevel::kWarning, "connect timeout");
      close(CloseReason::kConnectTimeout);
      return;
    case DeadlineKind::kHandshake:
      bump(net_.counters.handshake_timeouts);
      CONN_LOG_THROTTLED(handshake_timeout, LogLevel::kWarning, "handshake timeout");
      close(CloseReason::kHandshakeTimeout);
      return;
    case DeadlineKind::kSend:
      check_send_progress();
      return;
    case DeadlineKind::kMessageRead:
      bump(net_.counters.msg_read_timeouts);
      CONN_LOG_THROTTLED(msg_read_timeout, LogLevel::kWarning,
                         "message read timeout: a message still incomplete after %lld ms (%zu "
                         "bytes buffered; tcp_msg_read_timeout)",
                         static_cast<long long>(net_.settings.msg_read_timeout.count()),
                         rbuf_.size());
      close(CloseReason::kMessageReadTimeout);
      return;
    case DeadlineKind::kIdle:
      bump(net_.counters.closed_idle);
      close(CloseReason::kIdle);
      return;
  }
}

ConnectionState Connection::state() const {
  if (state_ == State::kConnecting) return ConnectionState::kConnecting;
  if (close_after_flush_ || state_ == State::kClosed) return ConnectionState::kClosing;
  return socket_->handshake_done() ? ConnectionState::kOpen : ConnectionState::kHandshake;
}

ConnectionSnapshot Connection::snapshot() const {
  ConnectionSnapshot s;
  s.id = params_.id;
  s.transport = params_.transport;
  s.local = params_.local;
  s.peer = params_.peer;
  s.outbound = params_.outbound;
  s.state = state();
  s.created = created_;
  s.bytes_in = bytes_in_;
  s.bytes_out = bytes_out_;
  if (const ConnectionSecurity* sec = socket_->security()) {
    s.secure = true;
    s.domain = sec->domain;
    s.sni = sec->sni;
    s.version = sec->version;
    s.cipher = sec->cipher;
    s.peer_subject = sec->peer_subject;
    s.peer_not_after = sec->peer_not_after;
    s.peer_verified = sec->peer_verified;
  } else {
    s.domain = socket_->domain_name();
  }
  return s;
}

void Connection::close_when_flushed(CloseReason reason) {
  if (closed()) return;
  if (wbuf_.empty() || state_ != State::kOpen) {
    close(reason);
    return;
  }
  close_after_flush_ = true;
  flush_reason_ = reason;
  reading_ = false;
  watch_io();
  deadlines_.clear(DeadlineKind::kMessageRead);
}

void Connection::close(CloseReason reason) {
  if (closed()) return;
  bool was_open = state_ == State::kOpen;
  state_ = State::kClosed;
  io_.stop();
  timer_.cancel();
  deadlines_.clear_all();
  if (was_open) socket_->close(reason);
  // No shutdown(2) here: the worker frees the connection, closing its fd (the FIN, or the RST
  // when unread data is left), at the start of its next loop turn (NetWorker::reap), so a
  // shutdown first sends nothing sooner and costs a system call per connection (most of them
  // failing with ENOTCONN, the peer gone first).
  if (reason == CloseReason::kEof) bump(net_.counters.closed_eof);
  if (reason == CloseReason::kError || reason == CloseReason::kNoMemory)
    bump(net_.counters.closed_error);
  if (reason == CloseReason::kNoMemory) count_allocation_drop();
  if (reason == CloseReason::kReadShare) {
    bump(net_.counters.closed_read_share);
    CONN_LOG_THROTTLED(
        read_share, LogLevel::kInfo,
        "connection closed: its partial message (%zu bytes held) is the largest when the "
        "worker's read buffers are full (half of %s pool: %zu bytes; raise -M / "
        "pkg_mem_size)",
        rbuf_charged_, owner_.worker.pool().name().c_str(), owner_.worker.pool().budget() / 2);
  } else if (reason == CloseReason::kNoMemory) {
    Pool& pool = owner_.worker.pool();
    CONN_LOG_THROTTLED(
        closed, LogLevel::kWarning,
        "connection closed: out of memory (%s pool %zu of %zu bytes in use; raise -M / "
        "pkg_mem_size, or -m / shm_mem_size)",
        pool.name().c_str(), pool.stats().in_use, pool.budget());
  } else {
    bool usual = reason == CloseReason::kEof || reason == CloseReason::kShutdown ||
                 reason == CloseReason::kIdle;
    CONN_LOG_THROTTLED(closed, usual ? LogLevel::kDebug : LogLevel::kInfo, "connection closed: %s",
                       close_reason_name(reason));
  }
  // A handler may be reading a message in rbuf_ right now (its reply over this connection
  // failed and closed it): then process() frees rbuf_ once the handler returns. The read share
  // is given back at once either way (make_read_room counts on it).
  if (!in_handler_) rbuf_.release();
  owner_.read_held -= rbuf_charged_;
  rbuf_charged_ = 0;
  wbuf_.release();
  uint64_t token = std::exchange(connect_token_, 0);
  owner_.connection_gone(this);
  // Closed before it could carry the message (refused, timed out, the handshake failed): the
  // sender may try its next target, now that this one is out of the tables.
  if (token != 0) net_.report_connect(token, false);
}

}  // namespace core::net
