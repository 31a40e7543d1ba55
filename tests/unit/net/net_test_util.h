#pragma once
// Helpers for the loopback tests of core/net: a recording handler and blocking client sockets
// with receive timeouts, so that no test can hang.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "core/net/net.h"

namespace core::net::testing {

constexpr std::chrono::seconds kWait{5};

struct Received {
  Transport transport;
  SocketAddr src;
  SocketAddr dst;
  uint64_t conn_id;
  int listener_id;
  int worker;
  std::string data;
};

class RecordingHandler : public MessageHandler {
 public:
  // Called on the worker after recording (e.g. to echo).
  std::function<void(const ReceivedMessage&)> on_receive;
  std::function<void(const ReceivedMessage&, StreamError)> on_error;

  void on_message(const ReceivedMessage& m) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      got_.push_back(Received{m.transport, m.src, m.dst, m.conn_id, m.listener_id, m.worker,
                              std::string(m.data)});
    }
    if (on_receive) on_receive(m);
    cv_.notify_all();
  }
  void on_stream_error(const ReceivedMessage& m, StreamError e, std::string_view) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      errors_.push_back(e);
    }
    if (on_error) on_error(m, e);
    cv_.notify_all();
  }
  bool wait_for(size_t count) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return got_.size() >= count; });
  }
  bool wait_for_errors(size_t count) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return errors_.size() >= count; });
  }
  std::vector<Received> messages() {
    std::lock_guard<std::mutex> lock(mu_);
    return got_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Received> got_;
  std::vector<StreamError> errors_;
};

// Polls `pred` until true or kWait passes (for counters updated on worker threads).
inline bool eventually(const std::function<bool()>& pred) {
  auto end = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

inline void set_recv_timeout(int fd, std::chrono::milliseconds ms) {
  timeval tv{static_cast<time_t>(ms.count() / 1000),
             static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

// A blocking TCP client with a receive timeout; rcvbuf > 0 shrinks SO_RCVBUF before connect.
inline int tcp_client(const SocketAddr& to, int rcvbuf = 0) {
  int fd = ::socket(to.af(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  set_recv_timeout(fd, std::chrono::milliseconds(5000));
  if (::connect(fd, to.sa(), to.len()) != 0) {
    ::close(fd);
    return -1;
  }
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  return fd;
}

// tcp_client with the source address `ip` (any 127/8 address works on Linux loopback).
inline int tcp_client_from(const char* ip, const SocketAddr& to) {
  int fd = ::socket(to.af(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  SocketAddr from = *SocketAddr::parse(ip, 0);
  set_recv_timeout(fd, std::chrono::milliseconds(5000));
  if (::bind(fd, from.sa(), from.len()) != 0 || ::connect(fd, to.sa(), to.len()) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads until `want` bytes arrived, EOF, or the receive timeout.
inline std::string read_n(int fd, size_t want) {
  std::string out;
  char buf[4096];
  while (out.size() < want) {
    ssize_t n = ::recv(fd, buf, std::min(sizeof(buf), want - out.size()), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// True when the peer closed the connection (EOF or reset) before the receive timeout.
inline bool closed_by_peer(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

inline std::string sip_message(const std::string& tag, const std::string& body = "") {
  return "OPTIONS sip:" + tag +
         "@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK" + tag +
         "\r\nCall-ID: " + tag +
         "\r\nCSeq: 1 OPTIONS\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
}

// Makes the test's own transport socket S (default-constructible) for every connection.
template <typename S>
class SocketFactoryOf final : public TransportSocketFactory {
 public:
  PoolPtr<TransportSocket> create(const TransportSocketOptions& /*options*/, Pool& pool) override {
    PoolPtr<S> s = make_in_pool<S>(pool);
    return PoolPtr<TransportSocket>(s.release(), PoolDeleter{&pool});
  }
};

inline NetSettings test_settings(int children = 2) {
  NetSettings s;
  s.children = children;
  s.shutdown_flush = std::chrono::milliseconds(500);
  return s;
}

inline bool has_ipv6_loopback() {
  int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  SocketAddr a = *SocketAddr::parse("::1", 0);
  bool ok = ::bind(fd, a.sa(), a.len()) == 0;
  ::close(fd);
  return ok;
}

}  // namespace core::net::testing

namespace core::net {
// Readable gtest output for addresses.
inline void PrintTo(const SocketAddr& a, std::ostream* os) {
  *os << a.to_string();
}
}  // namespace core::net

namespace core::net::testing {
inline SocketAddr local_address_of(int fd) {
  SocketAddr a;
  socklen_t len = SocketAddr::capacity();
  ::getsockname(fd, a.sa(), &len);
  a.set_len(len);
  return a;
}
}  // namespace core::net::testing

namespace core::net::testing {
// A TCP listener on 127.0.0.1 that answers each message with "ok:" and its first 12 bytes.
struct EchoServer {
  explicit EchoServer(NetSettings s) : net(s, handler) {
    lid = net.add_listener({Transport::kTcp, *SocketAddr::parse("127.0.0.1", 0), nullptr});
    handler.on_receive = [this](const ReceivedMessage& m) {
      net.send(m.transport, m.src, "ok:" + std::string(m.data.substr(0, 12)), m.conn_id);
    };
    started = lid >= 0 && net.start();
    addr = net.listen_address(lid);
  }
  ~EchoServer() { net.stop(); }
  // Sends a message on fd and expects the echo back.
  bool round_trip(int fd, const std::string& tag) {
    std::string m = sip_message(tag);
    return fd >= 0 && write_all(fd, m) && read_n(fd, 15) == "ok:" + m.substr(0, 12);
  }
  RecordingHandler handler;
  Net net;
  int lid = -1;
  bool started = false;
  SocketAddr addr;
};
}  // namespace core::net::testing

namespace core::net::testing {
// Holds one worker in a task until destroyed, so that new connections go to the other workers
// (they all watch the one listening socket). The state is shared with the task, which may
// outlive a hold that gave up waiting for it.
class WorkerHold {
 public:
  WorkerHold(Net& net, int worker) : state_(std::make_shared<State>()) {
    std::shared_ptr<State> s = state_;
    bool posted = net.post(worker, [s] {
      std::unique_lock<std::mutex> lock(s->mu);
      s->busy = true;
      s->cv.notify_all();
      s->cv.wait_for(lock, 3 * kWait, [&] { return s->released; });
    });
    std::unique_lock<std::mutex> lock(s->mu);
    holding_ = posted && s->cv.wait_for(lock, kWait, [&] { return s->busy; });
  }
  ~WorkerHold() {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->released = true;
    state_->cv.notify_all();
  }
  WorkerHold(const WorkerHold&) = delete;
  WorkerHold& operator=(const WorkerHold&) = delete;
  bool holding() const { return holding_; }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool busy = false, released = false;
  };
  std::shared_ptr<State> state_;
  bool holding_ = false;
};

// TCP_USER_TIMEOUT (ms) of the server's end of `client_fd`'s connection, found among this
// process's fds (the server runs in it) as the socket whose peer is the client; -1 when none is.
inline int server_end_user_timeout(int client_fd) {
  SocketAddr client = local_address_of(client_fd);
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    int fd = std::atoi(e.path().filename().c_str());
    SocketAddr peer;
    socklen_t len = SocketAddr::capacity();
    if (fd == client_fd || ::getpeername(fd, peer.sa(), &len) != 0) continue;
    peer.set_len(len);
    if (!(peer == client)) continue;
    unsigned int ms = 0;
    len = sizeof(ms);
    if (::getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, &len) != 0) return -1;
    return static_cast<int>(ms);
  }
  return -1;
}
}  // namespace core::net::testing
