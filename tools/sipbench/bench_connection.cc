#include "tools/sipbench/bench_connection.h"

#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>

#include "tools/sipbench/io_error.h"
#include "tools/sipbench/request_template.h"
#include "tools/sipbench/runner.h"
#include "tools/sipbench/sip_exchange.h"
#include "tools/sipbench/tls_client.h"

namespace sipbench {

namespace {

const char* phase_of(BenchConnection::State state) {
  switch (state) {
    case BenchConnection::State::kConnecting:
      return "connect";
    case BenchConnection::State::kHandshaking:
      return "handshake";
    case BenchConnection::State::kSending:
      return "send";
    case BenchConnection::State::kAnswer:
      return "answer";
    case BenchConnection::State::kTicket:
      return "session ticket";
    case BenchConnection::State::kHeld:
      return "held";
  }
  return "?";
}

}  // namespace

BenchConnection::BenchConnection(Runner& runner, uint64_t serial, size_t slot)
    : runner_(runner), serial_(serial), slot_(slot) {}

BenchConnection::~BenchConnection() {
  if (event_) event_free(event_);
  if (ssl_) {
    // A close_notify (if the socket takes it at once; the server's is not awaited): without it
    // OpenSSL takes the session for a broken one and will not resume it (SSL_free(3)).
    if (tls_up_ && !tls_closed_) {
      SSL_shutdown(ssl_);
      if (held_writes()) flush_tls(MSG_MORE);  // it leaves with the FIN
    }
    SSL_free(ssl_);
  }
  if (fd_ >= 0) close(fd_);
}

OpenSocket BenchConnection::hand_over() {
  assert(state_ == State::kHeld);
  event_del(event_);
  OpenSocket out{fd_, ssl_, local_};
  fd_ = -1;
  ssl_ = nullptr;
  return out;
}

bool BenchConnection::open_socket() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    int err = errno;
    if (err == EMFILE || err == ENFILE) runner_.out_of_fds();
    runner_.stats().count_error(
        err == EMFILE || err == ENFILE ? ErrorKind::kFdLimit : ErrorKind::kConnectFailed,
        std::string("socket: ") + std::strerror(err));
    return false;
  }
  int one = 1;
  // Requests need it (a pipelined one must not wait for the previous one's ACK); a bare
  // handshake does not: each flight of ours answers one of the server's, which carried the ACK,
  // and the close_notify leaves with the FIN.
  if (sends_requests()) setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (const in_addr* ip = runner_.local_ip(serial_)) {
    // The port is chosen at connect, per destination: 127.0.0.x sources each get their own
    // ephemeral range instead of exhausting one at bind time.
    setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    src.sin_addr = *ip;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
      runner_.stats().count_error(ErrorKind::kConnectFailed,
                                  std::string("bind --local-ip: ") + std::strerror(errno));
      return false;
    }
  }
  return true;
}

bool BenchConnection::start() {
  started_ = Clock::now();
  deadline_ = started_ + runner_.options().timeout;
  if (!open_socket()) return false;
  event_ = event_new(runner_.base(), fd_, 0, &BenchConnection::on_event, this);
  if (!event_) {
    runner_.stats().count_error(ErrorKind::kConnectFailed, "event_new failed");
    return false;
  }
  const auto& target = runner_.options().target;
  if (connect(fd_, reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0 &&
      errno != EINPROGRESS) {
    auto end = socket_io_end(-1, errno, "connect");
    runner_.stats().count_error(end.kind, end.text);
    return false;
  }
  if (!runner_.options().send_options && runner_.options().transport == Transport::kTcp) {
    arm(EV_WRITE);  // nothing to send: only writability says the connection is up
    return true;
  }
  // On loopback the TCP handshake is usually over when connect() returns (the kernel runs
  // both ends within the call): the first flight is tried at once, without the wait for
  // writability and getsockopt(SO_ERROR) (3 system calls of ~16 per resumed handshake). A
  // socket still connecting refuses the write (EAGAIN) and is waited for then. Tried from
  // the loop, not from here: the Runner counts the connection in flight first, and an end
  // within the first flight must not re-enter it.
  connect_pending_ = true;
  event_active(event_, EV_WRITE, 1);
  return true;
}

void BenchConnection::arm(short what) {
  timeval tv{};
  if (state_ != State::kHeld) {
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline_ - Clock::now());
    if (left.count() < 0) left = {};
    tv.tv_sec = static_cast<time_t>(left.count() / 1000000);
    tv.tv_usec = static_cast<suseconds_t>(left.count() % 1000000);
  }
  event_del(event_);
  event_assign(event_, runner_.base(), fd_, what | (state_ == State::kHeld ? EV_PERSIST : 0),
               &BenchConnection::on_event, this);
  event_add(event_, state_ == State::kHeld ? nullptr : &tv);
}

void BenchConnection::on_event(evutil_socket_t, short what, void* arg) {
  static_cast<BenchConnection*>(arg)->step(what);
}

void BenchConnection::step(short what) {
  if (what & EV_TIMEOUT) {
    fail(ErrorKind::kTimeout, state_ == State::kTicket
                                  ? std::string("no session ticket within --timeout after the ") +
                                        (SSL_session_reused(ssl_) ? "resumed" : "full") +
                                        " handshake"
                                  : std::string(phase_of(state_)) + " not done within --timeout");
    return;
  }
  switch (state_) {
    case State::kConnecting:
      // A pending connect needs no getsockopt(SO_ERROR): the first write says how it went.
      connect_pending_ ? connected() : connect_done();
      return;
    case State::kHandshaking:
      handshake();
      return;
    case State::kSending:
      send_request();
      return;
    case State::kAnswer:
      read_answer();
      return;
    case State::kTicket:
      read_ticket();
      return;
    case State::kHeld:
      watch_held();
      return;
  }
}

void BenchConnection::fail(const IoEnd& end) {
  fail(end.kind, end.text);
}

void BenchConnection::fail(ErrorKind kind, const std::string& text) {
  bool was_held = state_ == State::kHeld;
  runner_.connection_failed(*this, kind, text, was_held);  // frees this
}

bool BenchConnection::sends_requests() const {
  return runner_.options().send_options || runner_.options().mode != Mode::kHandshake;
}

bool BenchConnection::held_writes() const {
  return !sends_requests();
}

bool BenchConnection::wait_writable() {
  if (connect_pending_) state_ = State::kConnecting;  // what is to be sent waits for it
  arm(EV_WRITE);
  return true;
}

const char* BenchConnection::phase(const char* ongoing) const {
  return connect_pending_ ? "connect" : ongoing;
}

bool BenchConnection::connect_done() {
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    fail(socket_io_end(-1, err, "connect"));
    return false;
  }
  connect_pending_ = false;
  return connected();
}

bool BenchConnection::connected() {
  if (sends_requests() && local_.sin_port == 0) {
    // Our address is in the Via of every OPTIONS sent over the connection, here or after
    // hand_over(); only bare handshakes do without it. The port is bound by connect().
    socklen_t local_len = sizeof local_;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&local_), &local_len);
  }
  if (runner_.options().transport == Transport::kTcp) {
    if (!runner_.options().send_options) return setup_done();
    state_ = State::kSending;
    return send_request();
  }
  if (!ssl_) ssl_ = runner_.tls()->new_ssl(fd_, held_writes());
  if (!ssl_) {
    fail(ErrorKind::kHandshakeFailed, "SSL_new failed");
    return false;
  }
  state_ = State::kHandshaking;
  return handshake();
}

bool BenchConnection::tls_wait_or_fail(int ret, const char* phase) {
  int err = SSL_get_error(ssl_, ret);
  if (connect_pending_ && BIO_number_written(SSL_get_wbio(ssl_)) == 0) {
    if (err == SSL_ERROR_WANT_WRITE) return wait_writable();  // the ClientHello waits
    if (err == SSL_ERROR_SYSCALL && errno != 0) {
      fail(socket_io_end(-1, errno, "connect"));
      return false;
    }
  }
  connect_pending_ = false;  // the ClientHello went out: what follows is the handshake's
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    arm(err == SSL_ERROR_WANT_READ ? EV_READ : EV_WRITE);
    return true;
  }
  if (state_ == State::kTicket && TlsClient::got_session(ssl_)) {
    // The ticket came, then the server closed: the session is what was waited for.
    ERR_clear_error();
    setup_done();
    return false;
  }
  fail(tls_io_end(ssl_, ret, errno, phase, state_ == State::kHandshaking));
  return false;
}

BenchConnection::Flush BenchConnection::flush_tls(int flags) {
  // Sent straight from the BIO's buffer; what the socket did not take stays there (OpenSSL
  // only appends) until it does.
  BIO* wbio = SSL_get_wbio(ssl_);
  char* data = nullptr;
  const size_t n = static_cast<size_t>(std::max(BIO_get_mem_data(wbio, &data), 0L));
  while (held_sent_ < n) {
    ssize_t w = send(fd_, data + held_sent_, n - held_sent_, MSG_NOSIGNAL | flags);
    if (w < 0) return errno == EAGAIN || errno == EINTR ? Flush::kWait : Flush::kFailed;
    held_sent_ += static_cast<size_t>(w);
    connect_pending_ = false;  // bytes left: the connection is up
  }
  if (n > 0) (void)BIO_reset(wbio);
  held_sent_ = 0;
  return Flush::kSent;
}

BenchConnection::Step BenchConnection::send_held(int ret) {
  int ssl_errno = errno;
  // The socket's error is reported once: to OpenSSL's read when that came first.
  if (ret != 1 && SSL_get_error(ssl_, ret) == SSL_ERROR_SYSCALL && ssl_errno != 0) {
    fail(socket_io_end(-1, ssl_errno, phase("handshake")));
    return Step::kEnded;
  }
  // After its last flight a bare handshake has only its goodbye to say: the close_notify
  // joins the flight, and MSG_MORE keeps both for the FIN of close() (one segment and one
  // send instead of two of each).
  bool last = ret == 1 && !runner_.wants_ticket(ssl_);
  if (last && !tls_closed_) tls_closed_ = SSL_shutdown(ssl_) >= 0;
  switch (flush_tls(last ? MSG_MORE : 0)) {
    case Flush::kSent:
      errno = ssl_errno;
      return Step::kGoOn;
    case Flush::kWait:
      wait_writable();
      return Step::kWaiting;
    case Flush::kFailed:
      break;
  }
  fail(socket_io_end(-1, errno, phase("handshake")));
  return Step::kEnded;
}

bool BenchConnection::handshake() {
  ERR_clear_error();
  errno = 0;
  int ret = SSL_do_handshake(ssl_);
  if (held_writes()) {
    Step step = send_held(ret);
    if (step != Step::kGoOn) return step == Step::kWaiting;
  }
  if (ret != 1) return tls_wait_or_fail(ret, "handshake");
  tls_up_ = true;
  if (runner_.options().send_options) {
    state_ = State::kSending;
    return send_request();
  }
  if (runner_.wants_ticket(ssl_)) {
    state_ = State::kTicket;
    return read_ticket();
  }
  return setup_done();
}

bool BenchConnection::send_request() {
  if (out_.empty()) {
    const Options& o = runner_.options();
    RequestId id = setup_request_id(serial_);
    RequestTemplate request(o.transport, o.target, local_, o.ruri, runner_.run_id(), id.connection);
    request.append_to(out_, id.slot, id.seq);
    call_id_ = request.call_id(id.slot, id.seq);
  }
  while (out_sent_ < out_.size()) {
    const char* p = out_.data() + out_sent_;
    int left = static_cast<int>(out_.size() - out_sent_);
    if (ssl_) {
      ERR_clear_error();
      errno = 0;
      int n = SSL_write(ssl_, p, left);
      if (n <= 0) return tls_wait_or_fail(n, "send");
      out_sent_ += static_cast<size_t>(n);
      continue;
    }
    ssize_t n = send(fd_, p, static_cast<size_t>(left), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return wait_writable();
    if (n < 0) {
      fail(socket_io_end(n, errno, phase("send")));
      return false;
    }
    connect_pending_ = false;
    out_sent_ += static_cast<size_t>(n);
  }
  state_ = State::kAnswer;
  return read_answer();
}

// >0: bytes read into buf; 0: nothing yet (event armed); -1: the connection ended (counted).
// `phase` names what was awaited, for the error text.
int BenchConnection::read_some(char* buf, int size, const char* phase) {
  if (ssl_) {
    ERR_clear_error();
    errno = 0;
    int n = SSL_read(ssl_, buf, size);
    if (n > 0) return n;
    return tls_wait_or_fail(n, phase) ? 0 : -1;
  }
  ssize_t n = recv(fd_, buf, static_cast<size_t>(size), 0);
  if (n > 0) return static_cast<int>(n);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
    arm(EV_READ);
    return 0;
  }
  fail(socket_io_end(n, errno, phase));
  return -1;
}

bool BenchConnection::read_answer() {
  char buf[4096];
  for (;;) {
    int n = read_some(buf, sizeof buf, "answer");
    if (n <= 0) return n == 0;
    in_.append(buf, static_cast<size_t>(n));
    auto check = check_answer(in_, call_id_);
    if (check.result == AnswerCheck::Result::kNeedMore) continue;
    if (check.result == AnswerCheck::Result::kBad) {
      fail(ErrorKind::kBadResponse, check.reason);
      return false;
    }
    in_.erase(0, check.consumed);
    if (runner_.wants_ticket(ssl_)) {
      state_ = State::kTicket;
      return read_ticket();
    }
    return setup_done();
  }
}

bool BenchConnection::read_ticket() {
  char buf[512];
  for (;;) {
    if (TlsClient::got_session(ssl_)) return setup_done();
    // A NewSessionTicket is handled inside SSL_read, which then waits for more (RFC 8446 §4.6.1).
    int n = read_some(buf, sizeof buf, "session ticket");
    if (n < 0) return false;
    if (n == 0) return TlsClient::got_session(ssl_) ? setup_done() : true;
  }
}

bool BenchConnection::setup_done() {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
  bool resumed = ssl_ && SSL_session_reused(ssl_);
  if (!runner_.connection_set_up(*this, static_cast<uint64_t>(micros.count()), resumed))
    return false;  // freed: done with it
  state_ = State::kHeld;
  std::string().swap(in_);
  std::string().swap(out_);
  std::string().swap(call_id_);
  arm(EV_READ);
  return true;
}

void BenchConnection::watch_held() {
  char buf[512];
  // Whatever the server sends (CRLF keep-alives) is read and dropped; only its close matters.
  for (;;) {
    int n = read_some(buf, sizeof buf, "held");
    if (n <= 0) return;
  }
}

}  // namespace sipbench
