#pragma once
// sipbench's client side of TLS: one SSL_CTX for the run (version, CA, client certificate)
// and, with --resume, the sessions the server gave (SessionPool), offered by new connections.
#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "tools/sipbench/options.h"
#include "tools/sipbench/session_pool.h"

namespace sipbench {

class TlsClient {
 public:
  // nullptr and `error` set when a file cannot be loaded or the settings are refused.
  static std::unique_ptr<TlsClient> create(const Options& options, std::string* error);
  ~TlsClient() = default;
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // A client SSL on the connected socket `fd`, with SNI and (with --resume) the session to offer.
  // With `held_writes` it reads the socket but writes into a memory BIO (SSL_get_wbio) that the
  // caller sends from itself.
  SSL* new_ssl(int fd, bool held_writes = false);
  // True once the server gave `ssl` a session it can be resumed with (with --resume only).
  static bool got_session(const SSL* ssl);

 private:
  explicit TlsClient(const Options& options) : options_(options) {}
  static int on_new_session(SSL* ssl, SSL_SESSION* session);
  static int accept_chain_unchecked(X509_STORE_CTX* store, void* arg);

  const Options& options_;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx_{nullptr, &SSL_CTX_free};
  SessionPool sessions_;  // freed before ctx_
};

// The reason of the last OpenSSL failure on `ssl` in words, e.g. "certificate verify failed:
// unable to get local issuer certificate"; drains the error queue.
std::string tls_failure_text(const SSL* ssl);

}  // namespace sipbench
