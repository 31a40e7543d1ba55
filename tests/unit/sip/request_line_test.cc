// A request line that ends in a SIP version is a request even when the rest of it is wrong:
// parse() then still reads the headers, so that the proxy can answer (RFC 4475 §3.1.2.7-9,
// §3.1.2.15) instead of dropping; the error names what is wrong.
#include <gtest/gtest.h>

#include <string>

#include "core/sip/sip_message.h"
#include "core/sip/via.h"

namespace core::sip {
namespace {

std::string request(const std::string& start_line) {
  return start_line +
         "\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\n"
         "To: <sip:b@example.com>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
}

struct Case {
  const char* start_line;
  SipError code;
  const char* reason;
};

TEST(RequestLineTest, RecognisedRequestLinesReportTheirDefectWithHeadersParsed) {
  const Case cases[] = {
      {"OPTIONS sip:b@example.com SIP/7.0", SipError::kBadVersion, "unsupported SIP version"},
      {"OPTIONS sip:b@example.com SIP/2.0  ", SipError::kBadStartLine,
       "white space after the SIP version"},
      {"OPTIONS sip:b@example.com; lr SIP/2.0", SipError::kBadRequestUri,
       "white space in the Request-URI"},
      {"OPTIONS  sip:b@example.com  SIP/2.0", SipError::kBadRequestUri,
       "white space in the Request-URI"},
  };
  for (const Case& c : cases) {
    const std::string text = request(c.start_line);  // the message keeps views into it
    SipMessage msg;
    const ParseError err = msg.parse(text);
    EXPECT_EQ(err.code, c.code) << c.start_line;
    EXPECT_EQ(err.reason, c.reason) << c.start_line;
    EXPECT_TRUE(msg.is_request()) << c.start_line;
    EXPECT_EQ(msg.call_id(), "c1") << c.start_line;
    Via top;
    EXPECT_TRUE(msg.top_via(top).ok()) << c.start_line;
  }
}

TEST(RequestLineTest, LinesThatEndInNoSipVersionAreNoRequests) {
  for (const char* line : {"GET / HTTP/1.1", "INVITE sip:a@b", "INVITE sip:a@b SIP/2.0 extra"}) {
    SipMessage msg;
    EXPECT_EQ(msg.parse(request(line)).code, SipError::kBadStartLine) << line;
    EXPECT_FALSE(msg.is_request()) << line;
  }
}

// RFC 3261 §25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F); a NUL elsewhere is refused.
TEST(RequestLineTest, EscapedNulInAQuotedDisplayNameParses) {
  std::string text = request("OPTIONS sip:b@example.com SIP/2.0");
  text.replace(text.find("To: <"), 5, std::string("To: \"N\\\0L\" <", 12));
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  EXPECT_TRUE(msg.validate().ok()) << msg.validate().reason;
  text.replace(text.find(std::string("\\\0", 2)), 2, std::string("x\0", 2));
  EXPECT_EQ(msg.parse(text).code, SipError::kNulByte);
}

}  // namespace
}  // namespace core::sip
