#pragma once
// One connection of a run: non-blocking connect, TLS handshake (OpenSSL on the socket),
// optionally one OPTIONS and its answer, optionally waiting for a session ticket; then it is
// either held (idle: watched for the server closing it) or done. One libevent event per
// connection carries its I/O and its deadline; the Runner owns it and is told how it ended.
#include <event2/event.h>
#include <netinet/in.h>
#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "tools/sipbench/io_error.h"
#include "tools/sipbench/load_connection.h"
#include "tools/sipbench/run_stats.h"

namespace sipbench {

class Runner;

class BenchConnection {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State : uint8_t { kConnecting, kHandshaking, kSending, kAnswer, kTicket, kHeld };

  BenchConnection(Runner& runner, uint64_t serial, size_t slot);
  ~BenchConnection();
  BenchConnection(const BenchConnection&) = delete;
  BenchConnection& operator=(const BenchConnection&) = delete;

  // Opens the socket and starts connecting. False (error counted, nothing to clean) when it
  // could not: the Runner then frees it.
  bool start();
  size_t slot() const { return slot_; }
  // Gives the socket (and its SSL) of a connection set up away; this then owns nothing.
  OpenSocket hand_over();
  State state() const { return state_; }

 private:
  static void on_event(evutil_socket_t fd, short what, void* arg);
  void step(short what);
  // Each advances its phase; false when the connection ended (the Runner was told).
  bool connect_done();
  // The connection is (or may already be) up: the first flight, TLS or plain.
  bool connected();
  bool sends_requests() const;
  // A bare TLS handshake writes into a memory BIO and sends each flight itself: its last
  // flight, the close_notify and the FIN then leave as one segment (asked of TLS ones only).
  bool held_writes() const;
  // Arms for writability; while the connect is pending what waits is the connect (kConnecting).
  bool wait_writable();
  // `ongoing`, or "connect" while the connect is pending: the name a failure is given.
  const char* phase(const char* ongoing) const;
  bool handshake();
  bool send_request();
  bool read_answer();
  bool read_ticket();
  int read_some(char* buf, int size, const char* phase);
  void watch_held();
  bool setup_done();
  // Arms the event for `what` (EV_READ/EV_WRITE) until the setup deadline.
  void arm(short what);
  // The end of the connection: counted, and the Runner frees it. Nothing may follow.
  void fail(ErrorKind kind, const std::string& text);
  void fail(const IoEnd& end);
  // Maps an OpenSSL result to waiting (true, event armed) or to the end (false): a failure, or
  // the awaited session ticket followed by the server's close (set up).
  bool tls_wait_or_fail(int ret, const char* phase);
  // Held writes (a bare TLS handshake): sends what OpenSSL wrote into its memory BIO, with
  // `flags` (MSG_MORE for the last). kWait: the socket took not all of it (still connecting).
  enum class Flush : uint8_t { kSent, kWait, kFailed };
  Flush flush_tls(int flags);
  // Held writes: sends what SSL_do_handshake (result `ret`) wrote, with the close_notify after
  // the last flight. kGoOn: go on with `ret`; kWaiting: armed; kEnded: the Runner was told.
  enum class Step : uint8_t { kGoOn, kWaiting, kEnded };
  Step send_held(int ret);
  bool open_socket();

  Runner& runner_;
  uint64_t serial_;
  size_t slot_;
  State state_ = State::kConnecting;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  bool tls_up_ = false;  // the handshake completed
  // connect() said EINPROGRESS and nothing sent has proved the connection up yet: a write
  // refused with EAGAIN waits for it, and a failure is the connect's.
  bool connect_pending_ = false;
  bool tls_closed_ = false;  // our close_notify is written
  size_t held_sent_ = 0;     // of the held writes in the memory BIO, bytes already sent
  event* event_ = nullptr;
  Clock::time_point started_;
  Clock::time_point deadline_;
  sockaddr_in local_{};
  std::string out_;  // the request; sent from out_sent_
  size_t out_sent_ = 0;
  std::string in_;  // what came back so far
  std::string call_id_;
};

}  // namespace sipbench
