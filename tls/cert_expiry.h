#pragma once
// The one certificate expiry policy (issue #8 point 5): which band a certificate's notAfter
// puts it in, the words for it, and when the running server says so. The configuration check
// (`ser -c`, start-up, reload: check_chain) and the running server (ExpiryWatch, serctl tls
// info, the not-after metric) use these, so the diagnostic, the log line and serctl agree.
//
// Bands: more than 30 days left is fine; then a warning at 30, 7 and 1 days before notAfter;
// an error once it has passed (peers refuse the certificate: RFC 5280 §4.1.2.5).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/control/server_control.h"

namespace tls {

// Certificates expiring within this many days are warned about.
inline constexpr int kExpiryWarningDays = 30;

enum class ExpiryBand : uint8_t { kFine, kDays30, kDays7, kDays1, kExpired };

// The band of a certificate whose notAfter is `not_after` (unix seconds) at time `now`.
ExpiryBand expiry_band(int64_t not_after, int64_t now);
// "" when fine; "expires on 2026-12-11 10:00:00 UTC (in 9 days)"; "expired on 2020-02-01
// 00:00:00 UTC". Days are whole days left, rounded down.
std::string expiry_text(int64_t not_after, int64_t now);
// Days left as a fraction (negative once expired).
double days_left(int64_t not_after, int64_t now);

// Logs the expiry of each domain's certificate at most once per band it enters: the warning
// when a certificate crosses 30, 7 and 1 days before its notAfter (one line each, not one a
// day), the error when it expires, repeated once a day while an expired certificate is in
// service (every new handshake with it fails). At start-up and after a reload the
// configuration check has just said it (check_chain's diagnostic, logged as a warning, in the
// same words): `just_checked` records each certificate's band without a second line. A
// renewed certificate (another notAfter) starts afresh. Not thread-safe: one caller (the
// control thread).
class ExpiryWatch {
 public:
  // Returns the lines logged (for tests); each went to the log at warning or error level.
  std::vector<std::string> check(const std::vector<core::control::DomainInfo>& domains, int64_t now,
                                 bool announce);

 private:
  struct Seen {
    ExpiryBand band = ExpiryBand::kFine;
    int64_t logged_at = 0;
  };
  std::map<std::string, Seen> seen_;  // by domain name, certificate file and notAfter
};

}  // namespace tls
