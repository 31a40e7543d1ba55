#include "tls/tls_errors.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include "tls/openssl_memory.h"

namespace tls {

namespace {

HandshakeFailure classify(unsigned long err) {
  if (ERR_GET_LIB(err) != ERR_LIB_SSL) return HandshakeFailure::kOther;
  switch (ERR_GET_REASON(err)) {
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
      return HandshakeFailure::kVerify;
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
      return HandshakeFailure::kNoCertificate;
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_UNSUPPORTED_SSL_VERSION:
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
    case SSL_R_NO_PROTOCOLS_AVAILABLE:
    case SSL_R_HTTP_REQUEST:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_RECORD_LENGTH_MISMATCH:
      return HandshakeFailure::kProtocol;
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_NO_CIPHERS_AVAILABLE:
    case SSL_R_NO_SHARED_GROUPS:
    case SSL_R_NO_SUITABLE_KEY_SHARE:
    case SSL_R_NO_SHARED_SIGNATURE_ALGORITHMS:
    case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
    case SSL_R_TLSV1_ALERT_INSUFFICIENT_SECURITY:
      return HandshakeFailure::kCipher;
    default:
      return HandshakeFailure::kOther;
  }
}

constexpr const char* kOutOfMemory = "out of memory (shm_mem_size / -m refused OpenSSL)";

bool is_malloc_failure(unsigned long err) {
  return ERR_GET_REASON(err) == ERR_R_MALLOC_FAILURE;
}

void append_reason(std::string& line, unsigned long err) {
  const char* text = is_malloc_failure(err) ? kOutOfMemory : ERR_reason_error_string(err);
  char buf[256];
  if (text == nullptr) {
    ERR_error_string_n(err, buf, sizeof(buf));
    text = buf;
  }
  // The same reason is often queued twice (once per state-machine level): say it once.
  if (line.find(text) != std::string::npos) return;
  if (!line.empty()) line += "; ";
  line += text;
}

void append_verify_result(std::string& line, const SSL* ssl, VerifyError verify) {
  long result = verify.error != X509_V_OK ? verify.error : SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return;
  line += ": ";
  line += X509_verify_cert_error_string(result);
  if (verify.depth >= 0) line += " (depth " + std::to_string(verify.depth) + ")";
}

}  // namespace

const char* handshake_failure_name(HandshakeFailure f) {
  switch (f) {
    case HandshakeFailure::kNone:
      return "none";
    case HandshakeFailure::kVerify:
      return "verify failed";
    case HandshakeFailure::kNoCertificate:
      return "no certificate";
    case HandshakeFailure::kProtocol:
      return "protocol";
    case HandshakeFailure::kCipher:
      return "cipher mismatch";
    case HandshakeFailure::kPeerClosed:
      return "closed by peer";
    case HandshakeFailure::kOther:
      return "other";
    case HandshakeFailure::kNoMemory:
      return "out of memory";
  }
  return "?";
}

bool is_unexpected_eof(unsigned long err) {
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
  return ERR_GET_LIB(err) == ERR_LIB_SSL &&
         ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
#else
  (void)err;
  return false;
#endif
}

// Called before every SSL_read/SSL_write: ERR_clear_error walks all of the thread's error slots
// (~300 ns on OpenSSL 3.0), a peek at an empty queue costs a sixth of that, and the queue is
// almost always empty here (every failure drains it).
void clear_errors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
  openssl_refusals_on_this_thread(true);
}

FailureInfo describe_failure(const SSL* ssl, int ssl_error, VerifyError verify, bool peer_eof) {
  FailureInfo info;
  bool first = true;
  bool verify_failed = false;
  while (unsigned long err = ERR_get_error()) {
    if (is_unexpected_eof(err)) {
      info.kind = HandshakeFailure::kPeerClosed;
      continue;
    }
    HandshakeFailure kind = classify(err);
    if (first || info.kind == HandshakeFailure::kOther) info.kind = kind;
    first = false;
    if (kind == HandshakeFailure::kVerify) {
      if (!verify_failed) {
        append_reason(info.reason, err);
        append_verify_result(info.reason, ssl, verify);
      }
      verify_failed = true;
      continue;
    }
    append_reason(info.reason, err);
  }
  // A refused allocation is often reported as something else (a verify failure, a bad
  // signature, an internal error): the hooks saw it since clear_errors(), so say what it was.
  if (openssl_refusals_on_this_thread(true) != 0) {
    info.kind = HandshakeFailure::kNoMemory;
    if (info.reason.find(kOutOfMemory) == std::string::npos)
      info.reason =
          info.reason.empty() ? kOutOfMemory : std::string(kOutOfMemory) + "; " + info.reason;
  }
  if (!info.reason.empty()) return info;
  // An empty queue: the transport ended (OpenSSL 1.1.1 reports EOF as SSL_ERROR_SYSCALL with
  // nothing queued; 3.0 queues SSL_R_UNEXPECTED_EOF_WHILE_READING) or the BIO failed.
  if (info.kind == HandshakeFailure::kPeerClosed || peer_eof) {
    info.kind = HandshakeFailure::kPeerClosed;
    info.reason = "peer closed the connection";
  } else if (ssl_error == SSL_ERROR_SYSCALL) {
    info.reason = "transport error (out of memory for TLS records?)";
  } else {
    info.reason = "unknown TLS error (SSL_get_error " + std::to_string(ssl_error) + ")";
  }
  return info;
}

std::string drain_error_queue(const char* fallback) {
  std::string line;
  while (unsigned long err = ERR_get_error()) append_reason(line, err);
  if (line.empty()) line = fallback;
  return line;
}

}  // namespace tls
