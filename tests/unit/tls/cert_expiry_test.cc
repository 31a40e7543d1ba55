// The certificate expiry policy (issue #8 point 5): bands at 30, 7 and 1 days and once
// expired, the words the log and serctl share, and an ExpiryWatch that says each band once.
#include "tls/cert_expiry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tls {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kDay = 86400;
constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15 08:00:00 UTC

core::control::DomainInfo domain(const std::string& name, int64_t not_after,
                                 const std::string& file = "/etc/ser/server.pem") {
  core::control::DomainInfo d;
  d.name = name;
  d.kind = "server";
  d.certificate_file = file;
  d.subject = "CN=sip.example.org";
  d.not_after = not_after;
  return d;
}

TEST(CertExpiryTest, BandsStartAtThirtySevenAndOneDaysAndAtTheNotAfter) {
  EXPECT_EQ(expiry_band(kNow + 31 * kDay, kNow), ExpiryBand::kFine);
  EXPECT_EQ(expiry_band(kNow + 30 * kDay + 1, kNow), ExpiryBand::kFine);
  EXPECT_EQ(expiry_band(kNow + 30 * kDay, kNow), ExpiryBand::kDays30);
  EXPECT_EQ(expiry_band(kNow + 7 * kDay + 1, kNow), ExpiryBand::kDays30);
  EXPECT_EQ(expiry_band(kNow + 7 * kDay, kNow), ExpiryBand::kDays7);
  EXPECT_EQ(expiry_band(kNow + kDay + 1, kNow), ExpiryBand::kDays7);
  EXPECT_EQ(expiry_band(kNow + kDay, kNow), ExpiryBand::kDays1);
  EXPECT_EQ(expiry_band(kNow + 1, kNow), ExpiryBand::kDays1);
  EXPECT_EQ(expiry_band(kNow, kNow), ExpiryBand::kExpired);
  EXPECT_EQ(expiry_band(kNow - 400 * kDay, kNow), ExpiryBand::kExpired);
}

TEST(CertExpiryTest, TheTextNamesTheDateAndWholeDaysLeft) {
  EXPECT_EQ(expiry_text(kNow + 60 * kDay, kNow), "");
  EXPECT_EQ(expiry_text(kNow + 6 * kDay + 3600, kNow),
            "expires on 2027-01-21 09:00:00 UTC (in 6 days)");
  EXPECT_EQ(expiry_text(kNow + kDay, kNow), "expires on 2027-01-16 08:00:00 UTC (in 1 day)");
  EXPECT_EQ(expiry_text(kNow + 3600, kNow),
            "expires on 2027-01-15 09:00:00 UTC (in less than a day)");
  EXPECT_EQ(expiry_text(kNow - 2 * kDay, kNow), "expired on 2027-01-13 08:00:00 UTC");
  EXPECT_DOUBLE_EQ(days_left(kNow + kDay / 2, kNow), 0.5);
  EXPECT_DOUBLE_EQ(days_left(kNow - 2 * kDay, kNow), -2.0);
}

TEST(CertExpiryTest, WhatTheConfigurationCheckJustSaidIsNotSaidTwice) {
  ExpiryWatch watch;
  std::vector<core::control::DomainInfo> set = {
      domain("tls_domain[127.0.0.1:5061]", kNow + 100 * kDay),
      domain("default server domain", kNow + 10 * kDay), domain("default client domain", 0)};
  // Start-up: check_chain's warning was logged; the watch records the band.
  EXPECT_THAT(watch.check(set, kNow, /*just_checked=*/true), IsEmpty());
  EXPECT_THAT(watch.check(set, kNow + 3600, false), IsEmpty());
  // Three days later the 10-day certificate crosses 7 days: one line, with the words of the
  // configuration check.
  EXPECT_THAT(watch.check(set, kNow + 3 * kDay + 3600, false),
              ElementsAre("default server domain: certificate CN=sip.example.org "
                          "(/etc/ser/server.pem) expires on 2027-01-25 08:00:00 UTC (in 6 days): "
                          "renew it and reload"));
  EXPECT_THAT(watch.check(set, kNow + 3 * kDay + 7200, false), IsEmpty());
}

TEST(CertExpiryTest, EachThresholdIsLoggedOnceWhenCrossedNotEveryDay) {
  ExpiryWatch watch;
  const int64_t not_after = kNow + 40 * kDay;
  std::vector<std::string> all;
  // Hourly checks over 45 days, as the control service makes them.
  for (int64_t t = kNow; t < kNow + 45 * kDay; t += 3600) {
    for (auto& l : watch.check({domain("d", not_after)}, t, /*just_checked=*/t == kNow))
      all.push_back(l);
  }
  // 30, 7 and 1 days before, then once expired and again each day it stays in service.
  ASSERT_EQ(all.size(), 3u + 5u);
  EXPECT_THAT(all[0], HasSubstr("(in 30 days)"));
  EXPECT_THAT(all[1], HasSubstr("(in 7 days)"));
  EXPECT_THAT(all[2], HasSubstr("(in 1 day)"));
  for (size_t i = 3; i < all.size(); ++i)
    EXPECT_THAT(all[i], HasSubstr("expired on 2027-02-24 08:00:00 UTC: peers refuse it"));
}

TEST(CertExpiryTest, ARenewedCertificateStartsAfresh) {
  ExpiryWatch watch;
  EXPECT_THAT(watch.check({domain("d", kNow + 5 * kDay)}, kNow, true), IsEmpty());
  EXPECT_THAT(watch.check({domain("d", kNow + 5 * kDay)}, kNow + 3600, false), IsEmpty());
  // Reloaded with a renewed certificate: 90 days left, nothing to say until its own 30 days.
  EXPECT_THAT(watch.check({domain("d", kNow + 90 * kDay)}, kNow + 7200, true), IsEmpty());
  EXPECT_THAT(watch.check({domain("d", kNow + 90 * kDay)}, kNow + 59 * kDay, false), IsEmpty());
  EXPECT_THAT(watch.check({domain("d", kNow + 90 * kDay)}, kNow + 61 * kDay, false),
              ElementsAre(HasSubstr("(in 29 days)")));
  // Renewed without a reload through the control service (the set swapped elsewhere): a new
  // certificate already in a band is said at the next check.
  EXPECT_THAT(watch.check({domain("d", kNow + 65 * kDay)}, kNow + 62 * kDay, false),
              ElementsAre(HasSubstr("(in 3 days)")));
}

}  // namespace
}  // namespace tls
