#pragma once
// One connection of the options mode (a TCP or TLS connection set up by the Runner, or a UDP
// socket connected to the target): it keeps up to `window` OPTIONS outstanding, sends every
// request queued by one callback in one write (one SSL_write, one send, or one sendmmsg), reads
// until the socket has nothing more each time it is readable, and matches each response to its
// request. Its LoadRun counts what happens and decides what to queue.
#include <event2/event.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/sipbench/pending_table.h"
#include "tools/sipbench/request_template.h"
#include "tools/sipbench/run_stats.h"
#include "tools/sipbench/stream_reader.h"

namespace sipbench {

class LoadRun;

// A socket handed over: owned by whoever holds it (fd closed, ssl freed).
struct OpenSocket {
  int fd = -1;
  SSL* ssl = nullptr;  // TLS only, its handshake done
  sockaddr_in local{};
};

class LoadConnection {
 public:
  using Clock = std::chrono::steady_clock;
  LoadConnection(LoadRun& run, uint32_t index, OpenSocket socket, RequestTemplate request);
  ~LoadConnection();
  LoadConnection(const LoadConnection&) = delete;
  LoadConnection& operator=(const LoadConnection&) = delete;

  // Starts watching the socket; false (nothing to clean) when libevent refuses.
  bool start();
  bool alive() const { return fd_ >= 0; }
  uint32_t index() const { return index_; }
  bool full() const { return pending_.full(); }

  // Queues one request sent `now` (counted or not); there must be room (!full()).
  void queue(Clock::time_point now, bool counted);
  // Queues requests until the window is full.
  void fill(Clock::time_point now, bool counted);
  // Writes what is queued; false when the connection ended (counted, closed).
  bool flush();
  // Frees the requests sent before `before`: each counted one is lost.
  void expire(Clock::time_point before);

 private:
  static void on_read(evutil_socket_t, short, void* arg);
  static void on_write(evutil_socket_t, short, void* arg);
  void readable();
  bool read_stream(Clock::time_point* now);
  bool read_udp(Clock::time_point* now);
  void take(std::string_view message, Clock::time_point now);
  bool write_stream();
  bool write_udp();
  // The end of the connection: `kind` counted, its outstanding requests lost, socket closed.
  void end(ErrorKind kind, const std::string& text);
  // errno or the TLS result as an error kind and text, then end().
  void end_io(int ret, const char* what);
  void wait_writable();

  LoadRun& run_;
  uint32_t index_;
  int fd_;
  SSL* ssl_;
  bool udp_;
  RequestTemplate request_;
  PendingTable pending_;
  StreamReader reader_;
  std::string out_;  // queued requests, each request_.size() bytes; written from out_sent_
  size_t out_sent_ = 0;
  uint64_t seq_ = 0;
  event* read_event_ = nullptr;
  event* write_event_ = nullptr;
  bool write_waiting_ = false;
  std::vector<mmsghdr> send_headers_;  // UDP: one per queued datagram, sized once
  std::vector<iovec> send_iov_;
};

}  // namespace sipbench
