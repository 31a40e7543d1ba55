#pragma once
// sipbench's client side of TLS: one SSL_CTX for the run (version, CA, client certificate)
// and, with --resume, the sessions the server gave, offered by new connections: a TLS 1.2
// session (id or ticket) is offered again and again, a TLS 1.3 ticket once only (RFC 8446
// §C.4: clients should not reuse a ticket; a server with single-use tickets would answer a
// second use with a full handshake).
#include <openssl/ssl.h>

#include <deque>
#include <memory>
#include <string>

#include "tools/sipbench/options.h"

namespace sipbench {

class TlsClient {
 public:
  // nullptr and `error` set when a file cannot be loaded or the settings are refused.
  static std::unique_ptr<TlsClient> create(const Options& options, std::string* error);
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // A client SSL on the connected socket `fd`, with SNI and (with --resume) the session to offer.
  SSL* new_ssl(int fd);
  // True once the server gave `ssl` a session it can be resumed with (with --resume only).
  static bool got_session(const SSL* ssl);

 private:
  explicit TlsClient(const Options& options) : options_(options) {}
  static int on_new_session(SSL* ssl, SSL_SESSION* session);

  const Options& options_;
  SSL_CTX* ctx_ = nullptr;
  // Owned, newest last; at most kMaxSessions (the oldest go first).
  static constexpr size_t kMaxSessions = 1024;
  std::deque<SSL_SESSION*> sessions_;
};

// The reason of the last OpenSSL failure on `ssl` in words, e.g. "certificate verify failed:
// unable to get local issuer certificate"; drains the error queue.
std::string tls_failure_text(const SSL* ssl);

}  // namespace sipbench
