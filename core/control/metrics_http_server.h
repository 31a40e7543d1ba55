#pragma once
// `metrics_listen`: an HTTP endpoint answering GET /metrics with the Prometheus text format of
// ServerControl::metrics(), on a thread and event loop of its own so that a scrape never waits
// for a worker and no worker waits for a scrape.
//
// It serves one request per connection (`Connection: close`; a scrape every few seconds does
// not need keep-alive) and bounds what a client can hold: a few clients at once (more are
// closed at accept), a request head of a few KiB, and a deadline from accept to close.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/control/server_control.h"
#include "core/net/socket_addr.h"

struct event_base;
struct event;
struct evconnlistener;
struct bufferevent;

namespace core::control {

struct MetricsHttpLimits {
  size_t max_clients = 16;
  size_t max_request_head = 8192;                    // request line + headers
  std::chrono::milliseconds client_deadline{10000};  // from accept to close
};

// What happened to clients so far (read from any thread).
struct MetricsHttpStats {
  std::atomic<uint64_t> scrapes{0};    // 200 answers
  std::atomic<uint64_t> rejected{0};   // 400, 404, 405, 431 answers
  std::atomic<uint64_t> refused{0};    // closed at accept: max_clients reached
  std::atomic<uint64_t> timed_out{0};  // closed by the deadline
};

class MetricsHttpServer {
 public:
  explicit MetricsHttpServer(ServerControl& control, MetricsHttpLimits limits = {});
  ~MetricsHttpServer();  // stops
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  // Binds and listens on `address` (before privileges are dropped, like the SIP sockets).
  // False with `error` ("cannot listen on 127.0.0.1:9090: Address already in use").
  bool listen(const core::net::SocketAddr& address, std::string* error);
  // The bound address (its port when 0 was asked).
  core::net::SocketAddr address() const { return address_; }
  // Starts the thread serving the bound socket. False with `error` when libevent cannot.
  bool start(std::string* error);
  // Closes the listener and every client, and joins the thread. Idempotent.
  void stop();
  const MetricsHttpStats& stats() const { return stats_; }

 private:
  struct Client;
  enum class Answer { kMetrics, kHead, kNotFound, kBadMethod, kBadRequest, kTooLarge };

  static void on_accept(evconnlistener*, int fd, sockaddr*, int, void* arg);
  static void on_stop(int fd, short, void* arg);
  static void on_read(bufferevent* bev, void* arg);
  static void on_written(bufferevent* bev, void* arg);
  static void on_drain(bufferevent* bev, void* arg);
  static void on_event(bufferevent* bev, short what, void* arg);
  static void on_deadline(int fd, short, void* arg);
  void accept_client(int fd);
  void on_request(Client* client);
  Answer route(std::string_view request_line) const;
  void reply(Client* client, Answer answer);
  void append_own_metrics(std::vector<Metric>& out) const;
  void close_client(Client* client);

  ServerControl& control_;
  MetricsHttpLimits limits_;
  MetricsHttpStats stats_;
  core::net::SocketAddr address_;
  event_base* base_ = nullptr;
  evconnlistener* listener_ = nullptr;
  int listen_fd_ = -1;  // bound by listen(), the listener's once started
  int stop_fd_ = -1;    // eventfd: stop() wakes the loop with it
  event* stop_event_ = nullptr;
  std::list<Client> clients_;  // the loop thread's, until stop() has joined it
  std::thread thread_;
};

}  // namespace core::control
