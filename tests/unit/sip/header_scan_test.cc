// A look at one header before parsing (the UDP worker choice): the first header of a type by
// its long or compact name, and a parameter of a Via value's first via-parm.
#include "core/sip/header_scan.h"

#include <gtest/gtest.h>

namespace core::sip {
namespace {

constexpr std::string_view kResponse =
    "SIP/2.0 200 OK\r\n"
    "v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKser.1;i=42.ABCDEFGHIJKLM, SIP/2.0/TLS "
    "198.51.100.7;branch=z9hG4bKother;i=7\r\n"
    "Via: SIP/2.0/TLS 198.51.100.8;branch=z9hG4bKthird\r\n"
    "Call-ID: abc@host\r\n"
    "\r\n"
    "Via: not a header, the body\r\n";

TEST(HeaderScan, TheFirstHeaderOfATypeByEitherNameTrimmed) {
  EXPECT_EQ(first_header_value(kResponse, HeaderType::kCallId), "abc@host");
  EXPECT_TRUE(first_header_value(kResponse, HeaderType::kVia).starts_with("SIP/2.0/UDP 192"));
  EXPECT_EQ(first_header_value(kResponse, HeaderType::kContact), "");
}

TEST(HeaderScan, AViaParameterComesFromTheFirstViaParmOnly) {
  std::string_view via = first_header_value(kResponse, HeaderType::kVia);
  EXPECT_EQ(first_via_param(via, "i"), "42.ABCDEFGHIJKLM");
  EXPECT_EQ(first_via_param(via, "BRANCH"), "z9hG4bKser.1");
  EXPECT_EQ(first_via_param(via, "received"), "");
  EXPECT_EQ(first_via_param("SIP/2.0/UDP host, SIP/2.0/UDP other;i=7", "i"), "");
  EXPECT_EQ(first_via_param("SIP/2.0/UDP host ; branch = z9hG4bKx ;rport", "branch"), "z9hG4bKx");
}

}  // namespace
}  // namespace core::sip
