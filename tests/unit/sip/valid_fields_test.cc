// Valid requests that the validation added for RFC 4475 must still let through: a stateless
// proxy that refuses a well-formed Contact or Date breaks registrations and calls.
#include <gtest/gtest.h>

#include <string>

#include "core/sip/sip_message.h"
#include "tests/unit/sip/test_messages.h"

namespace core::sip {
namespace {

std::string request_with(std::string_view header) {
  return test::crlf({"REGISTER sip:example.com SIP/2.0",
                     "Via: SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bK776asdhds",
                     "Max-Forwards: 70", "To: <sip:bob@example.com>",
                     "From: <sip:bob@example.com>;tag=1928301774", "Call-ID: a84b4c76e66710",
                     "CSeq: 1 REGISTER", header, "Content-Length: 0"});
}

class ValidFieldTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ValidFieldTest, IsAccepted) {
  const std::string text = request_with(GetParam());
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok()) << GetParam();
  const ParseError v = msg.validate();
  EXPECT_TRUE(v.ok()) << GetParam() << ": " << v.reason;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc3261, ValidFieldTest,
    ::testing::Values(
        "Contact: *", "Contact: <sip:a@h.example;transport=tcp>;expires=60",
        "Contact: <sip:a@h.example>;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";reg-id=1",
        "Contact: sip:a@h.example;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\"",
        "Contact: sip:a@h.example;expires=60, <sip:b@h.example>;q=0.5",
        "Contact: \"Bob, Jr.\" <sip:bob@h.example>", "Contact: <sip:a@h.example>;methods=\"INVITE, BYE\"",
        "Contact: <tel:+15551234>", "Contact: <sip:[2001:db8::1]:5060>",
        "Contact: \"\" <sip:a@h.example>", "Contact: Bob <sip:bob@h.example> ;expires=60",
        "Contact: Bob <sip:bob@h.example>\r\n ;expires=60",
        "Contact: <sip:a@h.example>;expires=60,<sip:b@h.example>",
        "Contact: <sip:a@h.example>;audio;video;+g.oma.sip-im",
        "Contact: \"B\\\"o\\\"b\" <sip:a@h.example>",
        "Contact: <sip:a@h.example>;expires=60 , <sip:b@h.example>",
        "Contact: <sip:a@h.example;ob>", "Contact: <sips:a@h.example>",
        "Contact: <sip:a@h.example>;+sip.ice",
        "Contact: <sip:a@h.example>;q=1.0;expires=3600;+sip.instance=\"<urn:uuid:1>\"",
        "Date: Sat, 13 Nov 2010 23:29:00 GMT", "Date: Mon, 01 Jan 2024 00:00:00 GMT",
        "Contact: <sip:a@h.example?Subject=x>",
        "Contact: <sip:%61@h.example>", "Contact: <sip:a@h.example>;expires=\"60\""));

}  // namespace
}  // namespace core::sip
