#pragma once
// The control socket's server: JSON-RPC 2.0 (json_rpc.h) over a stream socket (unix or TCP),
// on a thread of its own with its own event_base, so that a slow client or a long reload never
// holds a worker. One request per JSON value, one answer per line; several requests per
// connection. Every client is bounded: request size, pending answers, idle time; and so is
// their number. It knows the server only through ServerControl.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "cfg/control_address.h"
#include "core/control/control_socket.h"
#include "core/control/json_rpc.h"
#include "core/control/server_control.h"

struct event_base;
struct event;
struct evconnlistener;
struct sockaddr;

namespace core::control {

struct ControlLimits {
  size_t max_request = 64 * 1024;  // bytes of one request (a batch counts as one)
  size_t max_clients = 16;         // connections at once; more are answered -32001 and closed
  size_t max_output = 4 << 20;     // answers queued to one client before its reading pauses
  std::chrono::milliseconds idle_timeout{30000};  // no byte read or written: closed
};

class ControlSession;

class ControlServer {
 public:
  explicit ControlServer(ServerControl& control, ControlLimits limits = {});
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds `address` (as root, before privileges are dropped: see ControlSocket). False with
  // `error` naming the address and the cause.
  bool open(const cfg::ControlAddress& address, const SocketOwner& owner, std::string* error);
  // Starts the thread serving the socket opened.
  bool start(std::string* error);
  // Closes every client and the socket (removing a unix socket's file); idempotent.
  void stop();

  const std::string& name() const { return name_; }  // the bound address, "" before open()
  size_t client_count() const { return client_count_.load(); }

 private:
  friend class ControlSession;
  static void on_accept(evconnlistener* listener, int fd, ::sockaddr* sa, int len, void* arg);
  static void on_wake(int fd, short what, void* arg);
  void accept_client(int fd);
  void close_session(ControlSession* session);

  JsonRpc rpc_;
  ControlLimits limits_;
  std::unique_ptr<ControlSocket> socket_;
  std::string name_;
  event_base* base_ = nullptr;
  evconnlistener* listener_ = nullptr;
  event* wake_event_ = nullptr;
  int wake_fd_ = -1;
  std::thread thread_;
  std::set<ControlSession*> sessions_;  // control thread only
  std::atomic<size_t> client_count_{0};
  bool stopped_ = false;
};

}  // namespace core::control
