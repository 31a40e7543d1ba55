#include "core/control/control_session.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/base/log.h"
#include "core/control/control_server.h"

namespace core::control {

ControlSession::ControlSession(ControlServer& server, bufferevent* bev)
    : server_(server), bev_(bev), framer_(server.limits_.max_request) {}

ControlSession::~ControlSession() {
  bufferevent_free(bev_);
}

void ControlSession::start() {
  bufferevent_setcb(bev_, on_read, on_write, on_event, this);
  // Reading stops while a whole request's worth is buffered and unanswered.
  bufferevent_setwatermark(bev_, EV_READ, 0, server_.limits_.max_request + 1);
  auto idle = server_.limits_.idle_timeout;
  timeval tv{static_cast<time_t>(idle.count() / 1000),
             static_cast<suseconds_t>(idle.count() % 1000 * 1000)};
  bufferevent_set_timeouts(bev_, &tv, &tv);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
}

void ControlSession::refuse(int fd, int code, const std::string& message) {
  std::string line = JsonRpc::error_text(code, message) + "\n";
  // Best effort, never blocking: the client gets the reason if its buffer has room.
  (void)::send(fd, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::close(fd);
}

void ControlSession::send(const std::string& line) {
  evbuffer* out = bufferevent_get_output(bev_);
  evbuffer_add(out, line.data(), line.size());
  evbuffer_add(out, "\n", 1);
}

void ControlSession::process() {
  evbuffer* in = bufferevent_get_input(bev_);
  evbuffer* out = bufferevent_get_output(bev_);
  while (!closing_) {
    if (evbuffer_get_length(out) >= server_.limits_.max_output) {
      // A client that sends and never reads: stop reading it until its answers are written.
      paused_ = true;
      bufferevent_disable(bev_, EV_READ);
      return;
    }
    size_t len = evbuffer_get_length(in);
    if (len == 0) return;
    const char* data = reinterpret_cast<const char*>(evbuffer_pullup(in, -1));
    RequestFramer::Frame f = framer_.next({data, len});
    switch (f.status) {
      case RequestFramer::Status::kNeedMore:
        evbuffer_drain(in, f.skip);
        return;
      case RequestFramer::Status::kRequest: {
        std::string answer = server_.rpc_.answer({data + f.begin, f.end - f.begin});
        evbuffer_drain(in, f.end);
        if (!answer.empty()) send(answer);
        break;
      }
      case RequestFramer::Status::kTooLarge:
        // The rest of the request cannot be told from the next one: answer, then close.
        send(JsonRpc::error_text(kInvalidRequest, "invalid request: larger than " +
                                                      std::to_string(server_.limits_.max_request) +
                                                      " bytes"));
        close_after_flush(/*drain_input=*/true);
        return;
    }
  }
}

void ControlSession::finish(const char* why) {
  evbuffer* in = bufferevent_get_input(bev_);
  size_t len = evbuffer_get_length(in);
  if (framer_.inside_value()) {
    // An object or array still open: say why it ends here rather than where parsing stopped.
    send(JsonRpc::error_text(kParseError,
                             std::string("parse error: incomplete request (") + why + ")"));
  } else if (framer_.has_partial() && len > 0) {
    // A last line without its newline is a request like any other.
    const char* data = reinterpret_cast<const char*>(evbuffer_pullup(in, -1));
    std::string answer = server_.rpc_.answer({data, len});
    if (!answer.empty()) send(answer);
  }
  evbuffer_drain(in, len);
  close_after_flush();
}

void ControlSession::close_after_flush(bool drain_input) {
  closing_ = true;
  drain_after_ = drain_input;
  bufferevent_disable(bev_, EV_READ);
  if (evbuffer_get_length(bufferevent_get_output(bev_)) == 0) {
    answers_written();
    return;
  }
  bufferevent_enable(bev_, EV_WRITE);
}

void ControlSession::answers_written() {
  if (drain_after_) {
    drain();
  } else {
    server_.close_session(this);
  }
}

// Closing with the rest of an oversized request unread would make the close a reset, and a
// reset can destroy the answer still in flight (the client's stack may discard it): half-close
// instead, and read and drop what the client still sends until it closes. The idle timeout and
// kMaxDrain bound how long and how much.
void ControlSession::drain() {
  constexpr size_t kMaxDrain = 1 << 20;
  if (!draining_) {
    draining_ = true;
    ::shutdown(bufferevent_getfd(bev_), SHUT_WR);
    bufferevent_enable(bev_, EV_READ);
  }
  evbuffer* in = bufferevent_get_input(bev_);
  size_t len = evbuffer_get_length(in);
  drained_ += len;
  evbuffer_drain(in, len);
  if (drained_ > kMaxDrain) server_.close_session(this);
}

void ControlSession::on_read(bufferevent*, void* arg) {
  auto* s = static_cast<ControlSession*>(arg);
  if (s->draining_) {
    s->drain();
    return;
  }
  s->process();
}

void ControlSession::on_write(bufferevent*, void* arg) {
  auto* s = static_cast<ControlSession*>(arg);
  if (s->closing_) {
    if (!s->draining_) s->answers_written();
    return;
  }
  if (s->paused_) {
    s->paused_ = false;
    bufferevent_enable(s->bev_, EV_READ);
    s->process();
  }
}

void ControlSession::on_event(bufferevent*, short what, void* arg) {
  auto* s = static_cast<ControlSession*>(arg);
  if (what & BEV_EVENT_ERROR || what & BEV_EVENT_WRITING || s->closing_) {
    s->server_.close_session(s);
    return;
  }
  if (what & BEV_EVENT_EOF) {
    // The client may have shut down only its sending side: it still reads our answers.
    s->process();
    if (!s->closing_) s->finish("end of stream");
  } else if (what & BEV_EVENT_TIMEOUT) {
    s->finish("no byte received within the idle time");
  }
}

}  // namespace core::control
