// Hostile and malformed messages: each gives a specific error value with a reason, never a
// crash. parse() catches framing and syntax; validate() catches missing or bad mandatory
// headers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/sip/sip_message.h"
#include "tests/unit/sip/test_messages.h"

namespace core::sip {
namespace {

constexpr const char* kGoodHeaders =
    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
    "From: <sip:a@example.com>;tag=1\r\n"
    "To: <sip:b@example.com>\r\n"
    "Call-ID: c1\r\n"
    "CSeq: 1 OPTIONS\r\n";

std::string req(std::string_view extra_headers,
                std::string_view start = "OPTIONS sip:b@example.com SIP/2.0",
                std::string_view base = kGoodHeaders) {
  std::string s(start);
  s += "\r\n";
  s += base;
  s += extra_headers;
  s += "\r\n";
  return s;
}

std::string without(std::string_view header_prefix) {
  std::string base = kGoodHeaders;
  const size_t at = base.find(header_prefix);
  base.erase(at, base.find("\r\n", at) + 2 - at);
  return req("", "OPTIONS sip:b@example.com SIP/2.0", base);
}

struct Case {
  const char* name;
  std::string text;
  SipError expected;
  bool at_validate;  // false: parse() fails; true: parse() succeeds and validate() fails
};

std::vector<Case> cases() {
  const std::string long_value(9000, 'a');
  std::string many;
  for (int i = 0; i < 200; ++i) many += "X-A: 1\r\n";
  std::string with_nul = req("X-Nul: a");
  with_nul.insert(with_nul.find("X-Nul: a") + 7, 1, '\0');
  std::string nul_in_start = req("");
  nul_in_start[3] = '\0';
  return {
      {"empty", "", SipError::kEmpty, false},
      {"only_crlf", "\r\n\r\n", SipError::kEmpty, false},
      {"garbage_start_line", req("", "HELLO"), SipError::kBadStartLine, false},
      {"start_line_one_token_uri", req("", "INVITE sip:a@b"), SipError::kBadStartLine, false},
      {"method_with_bad_char", req("", "INV@ITE sip:a@b SIP/2.0"), SipError::kBadMethod, false},
      {"empty_method", req("", " sip:a@b SIP/2.0"), SipError::kBadMethod, false},
      {"empty_request_uri", req("", "INVITE  SIP/2.0"), SipError::kBadRequestUri, false},
      {"request_uri_with_tab", req("", "INVITE sip:a\t@b SIP/2.0"), SipError::kBadRequestUri,
       false},
      {"request_version_3", req("", "INVITE sip:a@b SIP/3.0"), SipError::kBadVersion, false},
      {"request_version_http", req("", "GET / HTTP/1.1"), SipError::kBadStartLine, false},
      {"request_extra_token", req("", "INVITE sip:a@b SIP/2.0 extra"), SipError::kBadStartLine,
       false},
      {"response_version_1", req("", "SIP/1.0 200 OK"), SipError::kBadVersion, false},
      {"response_no_code", req("", "SIP/2.0"), SipError::kBadStatusCode, false},
      {"response_code_letters", req("", "SIP/2.0 2x0 OK"), SipError::kBadStatusCode, false},
      {"response_code_4_digits", req("", "SIP/2.0 2000 OK"), SipError::kBadStatusCode, false},
      {"response_code_099", req("", "SIP/2.0 099 Low"), SipError::kBadStatusCode, false},
      {"response_code_700", req("", "SIP/2.0 700 High"), SipError::kBadStatusCode, false},
      {"header_without_colon", req("NoColonHere\r\n"), SipError::kHeaderWithoutColon, false},
      {"header_empty_name", req(": value\r\n"), SipError::kBadHeaderName, false},
      {"header_name_with_space", req("Bad Name: v\r\n"), SipError::kBadHeaderName, false},
      {"header_name_with_at", req("Bad@Name: v\r\n"), SipError::kBadHeaderName, false},
      {"fold_before_any_header", "OPTIONS sip:a@b SIP/2.0\r\n folded: x\r\n\r\n",
       SipError::kFoldBeforeHeader, false},
      {"nul_in_header", with_nul, SipError::kNulByte, false},
      {"nul_in_start_line", nul_in_start, SipError::kNulByte, false},
      {"bare_cr_in_header", req("X-A: a\rb\r\n"), SipError::kBadLineEnding, false},
      {"no_end_of_headers", "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n",
       SipError::kNoEndOfHeaders, false},
      {"truncated_in_line", "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/U", SipError::kNoEndOfHeaders,
       false},
      {"long_header_line", req("X-Long: " + long_value + "\r\n"), SipError::kLineTooLong, false},
      {"long_start_line", req("", "INVITE sip:" + long_value + " SIP/2.0"), SipError::kLineTooLong,
       false},
      {"long_folded_header", req("X-Long: a\r\n " + long_value + "\r\n"), SipError::kLineTooLong,
       false},
      {"too_many_headers", req(many), SipError::kTooManyHeaders, false},
      {"content_length_negative", req("Content-Length: -1\r\n"), SipError::kBadContentLength,
       false},
      {"content_length_letters", req("Content-Length: ten\r\n"), SipError::kBadContentLength,
       false},
      {"content_length_huge", req("l: 99999999999999999999\r\n"), SipError::kBadContentLength,
       false},
      {"content_length_over_32_bits", req("l: 4294967296\r\n"), SipError::kBadContentLength, false},
      {"content_length_empty", req("Content-Length:\r\n"), SipError::kBadContentLength, false},
      {"content_length_conflict", req("l: 0\r\nContent-Length: 5\r\n"), SipError::kBadContentLength,
       false},
      {"content_length_beyond_body", req("Content-Length: 10\r\n") + "short",
       SipError::kBodyTruncated, false},
      {"missing_via", without("Via:"), SipError::kMissingHeader, true},
      {"missing_from", without("From:"), SipError::kMissingHeader, true},
      {"missing_to", without("To:"), SipError::kMissingHeader, true},
      {"missing_call_id", without("Call-ID:"), SipError::kMissingHeader, true},
      {"missing_cseq", without("CSeq:"), SipError::kMissingHeader, true},
      {"duplicate_call_id", req("i: c2\r\n"), SipError::kDuplicateHeader, true},
      {"duplicate_from", req("f: <sip:x@y>\r\n"), SipError::kDuplicateHeader, true},
      {"duplicate_max_forwards", req("Max-Forwards: 1\r\nMax-Forwards: 2\r\n"),
       SipError::kDuplicateHeader, true},
      {"empty_call_id",
       req("", "OPTIONS sip:b@example.com SIP/2.0",
           "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>\r\n"
           "To: <sip:b@c>\r\nCall-ID:\r\nCSeq: 1 OPTIONS\r\n"),
       SipError::kBadCallId, true},
      {"cseq_no_method",
       req("", "OPTIONS sip:b@example.com SIP/2.0",
           "Via: SIP/2.0/UDP h\r\nFrom: <sip:a@b>\r\nTo: <sip:b@c>\r\n"
           "Call-ID: 1\r\nCSeq: 1\r\n"),
       SipError::kBadCSeq, true},
      {"cseq_not_a_number",
       req("", "OPTIONS sip:b@example.com SIP/2.0",
           "Via: SIP/2.0/UDP h\r\nFrom: <sip:a@b>\r\nTo: <sip:b@c>\r\n"
           "Call-ID: 1\r\nCSeq: x OPTIONS\r\n"),
       SipError::kBadCSeq, true},
      {"cseq_too_big",
       req("", "OPTIONS sip:b@example.com SIP/2.0",
           "Via: SIP/2.0/UDP h\r\nFrom: <sip:a@b>\r\nTo: <sip:b@c>\r\n"
           "Call-ID: 1\r\nCSeq: 2147483648 OPTIONS\r\n"),
       SipError::kBadCSeq, true},
      {"cseq_method_mismatch", req("", "INVITE sip:b@example.com SIP/2.0"), SipError::kBadCSeq,
       true},
      {"max_forwards_letters", req("Max-Forwards: many\r\n"), SipError::kBadMaxForwards, true},
      {"max_forwards_256", req("Max-Forwards: 256\r\n"), SipError::kBadMaxForwards, true},
      {"max_forwards_negative", req("Max-Forwards: -1\r\n"), SipError::kBadMaxForwards, true},
      {"via_not_sip",
       req("", "OPTIONS sip:b@example.com SIP/2.0",
           "Via: HTTP/1.1 h\r\nFrom: <sip:a@b>\r\nTo: <sip:b@c>\r\n"
           "Call-ID: 1\r\nCSeq: 1 OPTIONS\r\n"),
       SipError::kBadVia, true},
      {"via_no_host",
       req("", "OPTIONS sip:b@example.com SIP/2.0",
           "Via: SIP/2.0/UDP\r\nFrom: <sip:a@b>\r\nTo: <sip:b@c>\r\n"
           "Call-ID: 1\r\nCSeq: 1 OPTIONS\r\n"),
       SipError::kBadVia, true},
      {"via_bad_port",
       req("", "OPTIONS sip:b@example.com SIP/2.0",
           "Via: SIP/2.0/UDP h:99999\r\nFrom: <sip:a@b>\r\nTo: <sip:b@c>\r\n"
           "Call-ID: 1\r\nCSeq: 1 OPTIONS\r\n"),
       SipError::kBadVia, true},
      {"via_empty",
       req("", "OPTIONS sip:b@example.com SIP/2.0",
           "Via: ,\r\nFrom: <sip:a@b>\r\nTo: <sip:b@c>\r\n"
           "Call-ID: 1\r\nCSeq: 1 OPTIONS\r\n"),
       SipError::kBadVia, true},
      {"from_unterminated_bracket",
       req("", "OPTIONS sip:b@example.com SIP/2.0",
           "Via: SIP/2.0/UDP h\r\nFrom: <sip:a@b\r\nTo: <sip:b@c>\r\n"
           "Call-ID: 1\r\nCSeq: 1 OPTIONS\r\n"),
       SipError::kBadNameAddr, true},
      {"to_no_uri",
       req("", "OPTIONS sip:b@example.com SIP/2.0",
           "Via: SIP/2.0/UDP h\r\nFrom: <sip:a@b>\r\nTo: Bob\r\n"
           "Call-ID: 1\r\nCSeq: 1 OPTIONS\r\n"),
       SipError::kBadNameAddr, true},
      {"request_uri_bad_host", req("", "OPTIONS sip:b@exa$mple.com SIP/2.0"), SipError::kBadUri,
       true},
      {"request_uri_bad_escape", req("", "OPTIONS sip:b%zz@example.com SIP/2.0"), SipError::kBadUri,
       true},
      {"request_uri_bad_ipv6", req("", "OPTIONS sip:b@[2001:db8::1::2] SIP/2.0"), SipError::kBadUri,
       true},
      {"request_uri_no_scheme", req("", "OPTIONS example.com SIP/2.0"), SipError::kBadRequestUri,
       true},
  };
}

TEST(MalformedTest, EachInputGivesItsError) {
  const std::vector<Case> all = cases();
  EXPECT_GE(all.size(), 40u);
  for (const Case& c : all) {
    SCOPED_TRACE(c.name);
    SipMessage msg;
    const ParseError parsed = msg.parse(c.text);
    if (!c.at_validate) {
      EXPECT_EQ(parsed.code, c.expected) << parsed.reason;
      EXPECT_FALSE(parsed.reason.empty());
      continue;
    }
    ASSERT_TRUE(parsed.ok()) << parsed.reason;
    const ParseError validated = msg.validate();
    EXPECT_EQ(validated.code, c.expected) << validated.reason;
    EXPECT_FALSE(validated.reason.empty());
  }
}

TEST(MalformedTest, ReasonsNameTheProblem) {
  SipMessage msg;
  ASSERT_TRUE(msg.parse(without("Call-ID:")).ok());
  EXPECT_EQ(msg.validate().reason, "missing Call-ID");
  EXPECT_EQ(msg.parse(req("Content-Length: -1\r\n")).reason, "malformed Content-Length");
  EXPECT_EQ(msg.parse(req("", "INVITE sip:a@b SIP/3.0")).reason, "unsupported SIP version");
}

TEST(MalformedTest, SuggestedStatusForReplies) {
  EXPECT_EQ(suggested_status(SipError::kBadVersion), 505);
  EXPECT_EQ(suggested_status(SipError::kUnsupportedScheme), 416);
  EXPECT_EQ(suggested_status(SipError::kLineTooLong), 513);
  EXPECT_EQ(suggested_status(SipError::kMissingHeader), 400);
  EXPECT_EQ(suggested_status(SipError::kNone), 0);
}

}  // namespace
}  // namespace core::sip
