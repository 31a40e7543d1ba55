#include "tools/sipbench/session_pool.h"

namespace sipbench {

SessionPool::~SessionPool() {
  for (SSL_SESSION* s : sessions_) SSL_SESSION_free(s);
}

void SessionPool::add(SSL_SESSION* session) {
  sessions_.push_back(session);
  if (sessions_.size() > max_) {
    SSL_SESSION_free(sessions_.front());
    sessions_.pop_front();
  }
}

SSL_SESSION* SessionPool::take() {
  if (sessions_.empty()) return nullptr;
  SSL_SESSION* session = sessions_.back();
  if (SSL_SESSION_get_protocol_version(session) == TLS1_3_VERSION) {
    sessions_.pop_back();  // our reference becomes the caller's
  } else {
    SSL_SESSION_up_ref(session);
  }
  return session;
}

}  // namespace sipbench
