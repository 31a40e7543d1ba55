#pragma once
// OpenSSL failures turned into one log line and one counted reason (STYLE.md, after
// reSIProcate: "handshake failed: certificate verify failed: unable to get local issuer
// certificate (depth 0)"). The error queue is per thread: callers clear it before each SSL_*
// call and hand the failure here right after, so the line holds that call's errors only.
#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace tls {

// Why a handshake failed, as counted by TlsStats.
enum class HandshakeFailure : uint8_t {
  kNone,
  kVerify,         // our verification of the peer's certificate failed
  kNoCertificate,  // the peer sent no certificate and one is required
  kProtocol,       // version refused, not TLS at all (plain SIP on a TLS port), bad records
  kCipher,         // no shared cipher, group or signature algorithm
  kPeerClosed,     // the peer closed (or reset) the connection during the handshake
  kOther,
  kNoMemory,  // shm (-m / shm_mem_size) refused one of OpenSSL's allocations
};
inline constexpr size_t kHandshakeFailureKinds = 8;
const char* handshake_failure_name(HandshakeFailure f);  // "verify failed", "no certificate" ...

struct FailureInfo {
  HandshakeFailure kind = HandshakeFailure::kOther;
  std::string
      reason;  // "certificate verify failed: unable to get local issuer certificate (depth 0)"
};

// The first certificate verification error seen by the verify callback and its depth (the
// store context keeps only the last one); error X509_V_OK = none seen.
struct VerifyError {
  int error = 0;  // X509_V_OK
  int depth = -1;
};

// Call before an SSL_* call whose failure describe_failure() may explain: clears this thread's
// error queue (nginx does the same) and its count of refused OpenSSL allocations, so that a
// refusal OpenSSL tolerated earlier on this thread is not blamed for this call's failure.
void clear_errors();

// Drains this thread's error queue after an SSL_* call on `ssl` failed with SSL_get_error()
// == `ssl_error`. `verify` is what the verify callback saw (SSL_get_verify_result is used when
// it saw nothing); `peer_eof` says the transport reached end of stream.
FailureInfo describe_failure(const SSL* ssl, int ssl_error, VerifyError verify, bool peer_eof);

// Drains the queue into "reason; reason" (for failures outside a connection, e.g. SSL_new);
// `fallback` when the queue is empty.
std::string drain_error_queue(const char* fallback);

// True when `err` (from ERR_peek_error) means the peer closed the stream without close_notify.
bool is_unexpected_eof(unsigned long err);

}  // namespace tls
