#include "core/control/metrics_http_server.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>

#include "core/base/log.h"
#include "core/control/prometheus_text.h"
#include "core/net/socket_util.h"

namespace core::control {

struct MetricsHttpServer::Client {
  MetricsHttpServer* server = nullptr;
  bufferevent* bev = nullptr;
  event* deadline = nullptr;
  std::list<Client>::iterator self;
};

namespace {

LogThrottle g_client_log("metrics endpoint client");

// The end of the request head: CRLF CRLF, or LF LF from a lenient client (RFC 9112 §2.2).
ssize_t head_end(evbuffer* in) {
  evbuffer_ptr p = evbuffer_search(in, "\r\n\r\n", 4, nullptr);
  if (p.pos >= 0) return p.pos + 4;
  p = evbuffer_search(in, "\n\n", 2, nullptr);
  return p.pos >= 0 ? p.pos + 2 : -1;
}

const char* status_line(int code) {
  switch (code) {
    case 200:
      return "200 OK";
    case 400:
      return "400 Bad Request";
    case 404:
      return "404 Not Found";
    case 405:
      return "405 Method Not Allowed";
    default:
      return "431 Request Header Fields Too Large";
  }
}

}  // namespace

MetricsHttpServer::MetricsHttpServer(ServerControl& control, MetricsHttpLimits limits)
    : control_(control), limits_(limits) {}

MetricsHttpServer::~MetricsHttpServer() {
  stop();
  if (listener_ != nullptr) evconnlistener_free(listener_);
  if (stop_event_ != nullptr) event_free(stop_event_);
  if (base_ != nullptr) event_base_free(base_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

bool MetricsHttpServer::listen(const core::net::SocketAddr& address, std::string* error) {
  assert(listen_fd_ < 0 && base_ == nullptr);
  listen_fd_ = core::net::open_listen_socket(address, true, false);
  if (listen_fd_ < 0) {
    *error =
        "metrics_listen: cannot listen on " + address.to_string() + ": " + std::strerror(errno);
    return false;
  }
  address_ = core::net::local_address(listen_fd_);
  return true;
}

// The event loop is made here, not in listen(): ser may fork into the background between the
// two, and an event base does not survive a fork (event_reinit(3)).
bool MetricsHttpServer::start(std::string* error) {
  assert(listen_fd_ >= 0 && !thread_.joinable());
  base_ = event_base_new();
  stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (base_ != nullptr && stop_fd_ >= 0)
    stop_event_ = event_new(base_, stop_fd_, EV_READ, &MetricsHttpServer::on_stop, this);
  if (stop_event_ != nullptr) {
    listener_ = evconnlistener_new(base_, &MetricsHttpServer::on_accept, this,
                                   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, listen_fd_);
  }
  if (listener_ == nullptr) {
    *error = "metrics_listen: cannot set up the event loop for " + address_.to_string();
    return false;
  }
  listen_fd_ = -1;  // the listener's now
  event_add(stop_event_, nullptr);
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ser-metrics");
    event_base_dispatch(base_);
    // Frees (and closes) what on_stop released: libevent finalizes bufferevents in the loop.
    event_base_loop(base_, EVLOOP_NONBLOCK);
  });
  return true;
}

void MetricsHttpServer::stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  ssize_t n = ::write(stop_fd_, &one, sizeof one);
  (void)n;  // an eventfd write only fails when the counter is full: then it is readable anyway
  thread_.join();
}

void MetricsHttpServer::on_stop(int, short, void* arg) {
  auto* self = static_cast<MetricsHttpServer*>(arg);
  while (!self->clients_.empty()) self->close_client(&self->clients_.front());
  evconnlistener_free(self->listener_);  // the port is free once stop() returns
  self->listener_ = nullptr;
  event_base_loopexit(self->base_, nullptr);
}

void MetricsHttpServer::on_accept(evconnlistener*, int fd, sockaddr*, int, void* arg) {
  static_cast<MetricsHttpServer*>(arg)->accept_client(fd);
}

void MetricsHttpServer::accept_client(int fd) {
  if (clients_.size() >= limits_.max_clients) {
    // Counted before the close: a client seeing its end of file finds itself counted.
    stats_.refused.fetch_add(1, std::memory_order_relaxed);
    ::close(fd);
    SER_LOG_THROTTLED(g_client_log, LogLevel::kWarning, nullptr,
                      "metrics endpoint: %zu clients already connected, one more closed",
                      clients_.size());
    return;
  }
  Client& c = clients_.emplace_back();
  c.self = std::prev(clients_.end());
  c.server = this;
  c.bev = bufferevent_socket_new(base_, fd, BEV_OPT_CLOSE_ON_FREE);
  c.deadline = evtimer_new(base_, &MetricsHttpServer::on_deadline, &c);
  if (c.bev == nullptr || c.deadline == nullptr) {
    if (c.bev == nullptr) ::close(fd);
    close_client(&c);
    return;
  }
  timeval tv{static_cast<time_t>(limits_.client_deadline.count() / 1000),
             static_cast<suseconds_t>(limits_.client_deadline.count() % 1000 * 1000)};
  evtimer_add(c.deadline, &tv);
  bufferevent_setcb(c.bev, &MetricsHttpServer::on_read, nullptr, &MetricsHttpServer::on_event, &c);
  // Reading pauses past the head limit: on_request then answers 431.
  bufferevent_setwatermark(c.bev, EV_READ, 0, limits_.max_request_head + 1);
  bufferevent_enable(c.bev, EV_READ);
}

void MetricsHttpServer::on_read(bufferevent*, void* arg) {
  auto* c = static_cast<Client*>(arg);
  c->server->on_request(c);
}

void MetricsHttpServer::on_request(Client* c) {
  evbuffer* in = bufferevent_get_input(c->bev);
  ssize_t end = head_end(in);
  if (end < 0) {
    if (evbuffer_get_length(in) > limits_.max_request_head) reply(c, Answer::kTooLarge);
    return;  // wait for the rest of the head
  }
  if (static_cast<size_t>(end) > limits_.max_request_head) return reply(c, Answer::kTooLarge);
  const char* head = reinterpret_cast<const char*>(evbuffer_pullup(in, end));
  std::string_view text(head, static_cast<size_t>(end));
  reply(c, route(text.substr(0, text.find('\n'))));
}

// `METHOD SP request-target SP HTTP-version` (RFC 9112 §3).
MetricsHttpServer::Answer MetricsHttpServer::route(std::string_view line) const {
  if (line.ends_with('\r')) line.remove_suffix(1);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || !line.substr(sp2 + 1).starts_with("HTTP/1."))
    return Answer::kBadRequest;
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  target = target.substr(0, target.find('?'));  // a query changes nothing here
  if (target != "/metrics") return Answer::kNotFound;
  if (method == "GET") return Answer::kMetrics;
  if (method == "HEAD") return Answer::kHead;
  return Answer::kBadMethod;
}

void MetricsHttpServer::reply(Client* c, Answer answer) {
  int code = 200;
  std::string body;
  if (answer == Answer::kMetrics || answer == Answer::kHead) {
    stats_.scrapes.fetch_add(1, std::memory_order_relaxed);
    std::vector<Metric> metrics = control_.metrics();
    append_own_metrics(metrics);
    body = prometheus_text(metrics);
  } else {
    code = answer == Answer::kNotFound    ? 404
           : answer == Answer::kBadMethod ? 405
           : answer == Answer::kTooLarge  ? 431
                                          : 400;
    body = std::string(status_line(code)).substr(4) + (code == 404 ? ": try /metrics\n" : "\n");
    stats_.rejected.fetch_add(1, std::memory_order_relaxed);
  }
  evbuffer* out = bufferevent_get_output(c->bev);
  evbuffer_add_printf(out,
                      "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                      "Connection: close\r\n\r\n",
                      status_line(code), code == 200 ? kPrometheusContentType : "text/plain",
                      body.size(), code == 405 ? "Allow: GET, HEAD\r\n" : "");
  if (answer != Answer::kHead) evbuffer_add(out, body.data(), body.size());
  // Nothing more is read as a request; the write callback fires once the answer is sent.
  bufferevent_setcb(c->bev, nullptr, &MetricsHttpServer::on_written, &MetricsHttpServer::on_event,
                    c);
  bufferevent_disable(c->bev, EV_READ);
}

// The answer is sent: half-close, then read (and drop) what the client still sends until it
// closes, so that unread input does not turn our close into a reset that could destroy the
// answer in flight (RFC 9112 §9.6). The deadline still bounds this.
// The endpoint's own clients, counted like every other peer's.
void MetricsHttpServer::append_own_metrics(std::vector<Metric>& out) const {
  auto count = [&out](const char* name, const std::atomic<uint64_t>& n, const char* help) {
    out.push_back(counter(name, n.load(std::memory_order_relaxed), help));
  };
  count("metrics_scrapes_total", stats_.scrapes, "Scrapes of /metrics answered, this one included");
  count("metrics_requests_rejected_total", stats_.rejected,
        "Requests to the metrics endpoint answered 400, 404, 405 or 431");
  count("metrics_clients_refused_total", stats_.refused,
        "Metrics endpoint clients closed at accept: too many at once");
  count("metrics_clients_timed_out_total", stats_.timed_out,
        "Metrics endpoint clients closed by the deadline");
}

void MetricsHttpServer::on_written(bufferevent* bev, void* arg) {
  ::shutdown(bufferevent_getfd(bev), SHUT_WR);
  bufferevent_setcb(bev, &MetricsHttpServer::on_drain, nullptr, &MetricsHttpServer::on_event, arg);
  bufferevent_enable(bev, EV_READ);
  on_drain(bev, arg);
}

void MetricsHttpServer::on_drain(bufferevent* bev, void*) {
  evbuffer* in = bufferevent_get_input(bev);
  evbuffer_drain(in, evbuffer_get_length(in));
}

void MetricsHttpServer::on_event(bufferevent*, short, void* arg) {
  auto* c = static_cast<Client*>(arg);
  c->server->close_client(c);  // EOF or error: in any state there is nothing more to do
}

void MetricsHttpServer::on_deadline(int, short, void* arg) {
  auto* c = static_cast<Client*>(arg);
  c->server->stats_.timed_out.fetch_add(1, std::memory_order_relaxed);
  SER_LOG_THROTTLED(g_client_log, LogLevel::kInfo, nullptr,
                    "metrics endpoint: a client still connected after %lld ms closed",
                    static_cast<long long>(c->server->limits_.client_deadline.count()));
  c->server->close_client(c);
}

void MetricsHttpServer::close_client(Client* c) {
  if (c->bev != nullptr) bufferevent_free(c->bev);
  if (c->deadline != nullptr) event_free(c->deadline);
  clients_.erase(c->self);
}

}  // namespace core::control
