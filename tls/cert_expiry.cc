#include "tls/cert_expiry.h"

#include <ctime>

#include "core/base/log.h"

namespace tls {

namespace {

constexpr int64_t kDay = 86400;

std::string format_unix_time(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  if (gmtime_r(&tt, &tm) == nullptr) return "an unreadable date";
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string key_of(const core::control::DomainInfo& d) {
  return d.name + '\n' + d.certificate_file + '\n' + std::to_string(d.not_after);
}

}  // namespace

ExpiryBand expiry_band(int64_t not_after, int64_t now) {
  int64_t left = not_after - now;
  if (left <= 0) return ExpiryBand::kExpired;
  if (left <= 1 * kDay) return ExpiryBand::kDays1;
  if (left <= 7 * kDay) return ExpiryBand::kDays7;
  if (left <= kExpiryWarningDays * kDay) return ExpiryBand::kDays30;
  return ExpiryBand::kFine;
}

std::string expiry_text(int64_t not_after, int64_t now) {
  switch (expiry_band(not_after, now)) {
    case ExpiryBand::kFine:
      return "";
    case ExpiryBand::kExpired:
      return "expired on " + format_unix_time(not_after);
    default: {
      int64_t days = (not_after - now) / kDay;
      std::string in = days == 0   ? "less than a day"
                       : days == 1 ? "1 day"
                                   : std::to_string(days) + " days";
      return "expires on " + format_unix_time(not_after) + " (in " + in + ")";
    }
  }
}

double days_left(int64_t not_after, int64_t now) {
  return static_cast<double>(not_after - now) / static_cast<double>(kDay);
}

std::vector<std::string> ExpiryWatch::check(const std::vector<core::control::DomainInfo>& domains,
                                            int64_t now, bool just_checked) {
  std::map<std::string, Seen> next;
  std::vector<std::string> lines;
  for (const auto& d : domains) {
    if (d.not_after == 0) continue;  // no certificate (a client domain without one)
    std::string key = key_of(d);
    auto old = seen_.find(key);
    Seen seen = old != seen_.end() ? old->second : Seen{};
    ExpiryBand band = expiry_band(d.not_after, now);
    bool entered = band > seen.band;
    bool daily = band == ExpiryBand::kExpired && now - seen.logged_at >= kDay;
    if (just_checked) {
      seen.logged_at = now;
    } else if (entered || daily) {
      std::string line = d.name + ": certificate " + d.subject + " (" + d.certificate_file + ") " +
                         expiry_text(d.not_after, now) +
                         (band == ExpiryBand::kExpired ? ": peers refuse it; renew it and reload"
                                                       : ": renew it and reload");
      if (band == ExpiryBand::kExpired)
        LOG_ERR("%s", line.c_str());
      else
        LOG_WARN("%s", line.c_str());
      lines.push_back(std::move(line));
      seen.logged_at = now;
    }
    seen.band = band;
    next[key] = seen;
  }
  seen_ = std::move(next);  // domains gone (reloaded away, renewed) are forgotten
  return lines;
}

}  // namespace tls
