#pragma once
// One client of the control socket: reads requests (RequestFramer), answers each with one line
// (JsonRpc), and closes itself on EOF, error, idle timeout or an oversized request, after the
// answers already queued have been written. Lives on the control thread only.
#include <string>

#include "core/control/request_framer.h"

struct bufferevent;

namespace core::control {

class ControlServer;

class ControlSession {
 public:
  ControlSession(ControlServer& server, bufferevent* bev);
  ~ControlSession();  // frees the bufferevent (closing the socket)
  ControlSession(const ControlSession&) = delete;
  ControlSession& operator=(const ControlSession&) = delete;

  void start();
  // Sends one error line to a client refused at accept (no session made for it).
  static void refuse(int fd, int code, const std::string& message);

 private:
  static void on_read(bufferevent* bev, void* arg);
  static void on_write(bufferevent* bev, void* arg);
  static void on_event(bufferevent* bev, short what, void* arg);
  void process();
  void send(const std::string& line);
  // Answers what is left of a request cut short (end of stream, idle), then closes.
  void finish(const char* why);
  // Stops reading; closes once the queued answers are written. With `drain_input`, half-closes
  // instead and drops what the client still sends until it closes (drain()).
  void close_after_flush(bool drain_input = false);
  // The last answers are out: close, or half-close and drain (close_after_flush's choice).
  void answers_written();
  void drain();

  ControlServer& server_;
  bufferevent* bev_;
  RequestFramer framer_;
  bool paused_ = false;       // reading paused until the queued answers are written
  bool closing_ = false;      // no more reading; freed once the output is written
  bool drain_after_ = false;  // closing_: half-close and drain instead of closing
  bool draining_ = false;     // half-closed, dropping input until the client closes
  size_t drained_ = 0;
};

}  // namespace core::control
