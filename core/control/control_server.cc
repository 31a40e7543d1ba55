#include "core/control/control_server.h"

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>

#include "core/base/log.h"
#include "core/control/control_methods.h"
#include "core/control/control_session.h"

namespace core::control {

namespace {

// Refused clients are a peer's doing: their lines are throttled.
LogThrottle g_refused_log("control socket: client refused", 10000, 5);

}  // namespace

ControlServer::ControlServer(ServerControl& control, ControlLimits limits) : limits_(limits) {
  add_control_methods(rpc_, control, std::chrono::system_clock::now());
}

ControlServer::~ControlServer() {
  stop();
}

bool ControlServer::open(const cfg::ControlAddress& address, const SocketOwner& owner,
                         std::string* error) {
  assert(!socket_ && !base_);
  socket_ = ControlSocket::open(address, owner, error);
  if (!socket_) return false;
  name_ = socket_->name();
  return true;
}

bool ControlServer::start(std::string* error) {
  assert(socket_ && !base_);
  base_ = event_base_new();
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (!base_ || wake_fd_ < 0) {
    *error = std::string("control socket: cannot start its event loop: ") + std::strerror(errno);
    return false;
  }
  wake_event_ = event_new(base_, wake_fd_, EV_READ | EV_PERSIST, on_wake, this);
  listener_ =
      evconnlistener_new(base_, on_accept, this, LEV_OPT_CLOSE_ON_FREE, 0, socket_->release_fd());
  if (!wake_event_ || !listener_ || event_add(wake_event_, nullptr) != 0) {
    *error = "control socket: cannot start its event loop";
    return false;
  }
  // libevent writes with writev(2): a client gone mid-answer must be EPIPE, not a signal that
  // kills ser (which ignores it too; tests and other hosts of this class may not).
  signal(SIGPIPE, SIG_IGN);
  thread_ = std::thread([this] { event_base_dispatch(base_); });
  LOG_NOTICE("control socket listening on %s", name_.c_str());
  return true;
}

void ControlServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (thread_.joinable()) {
    uint64_t one = 1;
    // The loop reads the eventfd and breaks; the write cannot fail with a counter this small.
    (void)!write(wake_fd_, &one, sizeof(one));
    thread_.join();
  }
  // The thread is gone: its objects are ours to free.
  for (ControlSession* s : sessions_) delete s;
  sessions_.clear();
  client_count_ = 0;
  if (listener_) evconnlistener_free(listener_);
  if (wake_event_) event_free(wake_event_);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (base_) event_base_free(base_);
  listener_ = nullptr;
  wake_event_ = nullptr;
  wake_fd_ = -1;
  base_ = nullptr;
  socket_.reset();  // removes the unix socket's file
}

void ControlServer::on_wake(int, short, void* arg) {
  auto* self = static_cast<ControlServer*>(arg);
  event_base_loopbreak(self->base_);
}

void ControlServer::on_accept(evconnlistener*, int fd, sockaddr*, int, void* arg) {
  static_cast<ControlServer*>(arg)->accept_client(fd);
}

void ControlServer::accept_client(int fd) {
  if (sessions_.size() >= limits_.max_clients) {
    if (g_refused_log.allow())
      LOG_WARN("control socket: %zu clients connected, the most allowed: one more refused",
               sessions_.size());
    ControlSession::refuse(fd, kTooManyClients,
                           "too many control clients (" + std::to_string(limits_.max_clients) +
                               " connected): try again later");
    return;
  }
  bufferevent* bev = bufferevent_socket_new(base_, fd, BEV_OPT_CLOSE_ON_FREE);
  if (!bev) {
    close(fd);
    return;
  }
  auto* session = new ControlSession(*this, bev);
  sessions_.insert(session);
  client_count_ = sessions_.size();
  session->start();
}

void ControlServer::close_session(ControlSession* session) {
  size_t erased = sessions_.erase(session);
  assert(erased == 1);
  (void)erased;
  delete session;
  client_count_ = sessions_.size();
}

}  // namespace core::control
