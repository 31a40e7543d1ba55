#include "tools/sipbench/io_error.h"

#include <openssl/err.h>

#include <cerrno>
#include <cstring>

#include "tools/sipbench/tls_client.h"

namespace sipbench {

namespace {

ErrorKind kind_of_errno(int err) {
  switch (err) {
    case ECONNREFUSED:
      return ErrorKind::kConnectRefused;
    case ECONNRESET:
    case EPIPE:
      return ErrorKind::kReset;
    case ETIMEDOUT:
      return ErrorKind::kTimeout;
    default:
      return ErrorKind::kConnectFailed;
  }
}

}  // namespace

IoEnd socket_io_end(long ret, int err, const char* phase) {
  if (ret == 0) return {ErrorKind::kReset, std::string(phase) + ": closed by the server"};
  return {kind_of_errno(err), std::string(phase) + ": " + std::strerror(err)};
}

IoEnd tls_io_end(const SSL* ssl, int ret, int saved_errno, const char* phase, bool handshaking) {
  int err = SSL_get_error(ssl, ret);
  unsigned long lib = ERR_peek_error();
  bool eof = err == SSL_ERROR_ZERO_RETURN ||
             (err == SSL_ERROR_SYSCALL && lib == 0 && saved_errno == 0) ||
             (err == SSL_ERROR_SSL && ERR_GET_REASON(lib) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
  if (eof || err == SSL_ERROR_SYSCALL) {
    ERR_clear_error();
    return socket_io_end(eof ? 0 : -1, saved_errno, phase);
  }
  if (handshaking)
    return {ErrorKind::kHandshakeFailed, "handshake failed: " + tls_failure_text(ssl)};
  return {ErrorKind::kReset, std::string(phase) + ": " + tls_failure_text(ssl)};
}

}  // namespace sipbench
