#pragma once
// How a socket or TLS call that failed ended a connection, as an error kind and a reason, for
// every mode's connections alike.
#include <openssl/ssl.h>

#include <string>

#include "tools/sipbench/run_stats.h"

namespace sipbench {

struct IoEnd {
  ErrorKind kind;
  std::string text;
};

// The end of a connection whose socket call (connect, send, recv...) failed: `ret` 0 is the
// server's close, a reset; otherwise `err` (errno right after the call) says: ECONNREFUSED
// refused, ECONNRESET/EPIPE reset, ETIMEDOUT timeout, others connect failed. `phase` names what
// was awaited ("read", "connect"...).
IoEnd socket_io_end(long ret, int err, const char* phase);

// The end of a TLS connection whose SSL_* call returned `ret` (SSL_get_error not WANT_*), with
// `saved_errno` the errno right after the call; `phase` names what was awaited ("read",
// "handshake"...). The server's close (close_notify or a bare EOF) is a reset; a failure while
// `handshaking` is a handshake failure. Drains OpenSSL's error queue.
IoEnd tls_io_end(const SSL* ssl, int ret, int saved_errno, const char* phase, bool handshaking);

}  // namespace sipbench
