#pragma once
// The sessions a server gave, for --resume: a TLS 1.2 session (id or ticket) is offered again
// and again; a TLS 1.3 ticket once only (RFC 8446 §C.4: clients should not reuse a ticket, and
// a server with single-use tickets answers a second use with a full handshake).
#include <openssl/ssl.h>

#include <cstddef>
#include <deque>

namespace sipbench {

class SessionPool {
 public:
  explicit SessionPool(size_t max_sessions = 1024) : max_(max_sessions) {}
  ~SessionPool();
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  // Takes the reference `session` carries; past the bound the oldest is dropped.
  void add(SSL_SESSION* session);
  // The session to offer (a new reference, for SSL_set_session then SSL_SESSION_free), newest
  // first; nullptr when there is none.
  SSL_SESSION* take();
  size_t size() const { return sessions_.size(); }

 private:
  size_t max_;
  std::deque<SSL_SESSION*> sessions_;  // owned, newest last
};

}  // namespace sipbench
