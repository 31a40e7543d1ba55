#include "core/sip/sip_uri.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace core::sip {
namespace {

TEST(SipUriTest, FullUri) {
  SipUri uri;
  ASSERT_TRUE(
      uri.parse("sip:alice:secret@atlanta.example.com:5070;transport=tcp;lr;maddr=239.255.255.1"
                "?subject=project%20x&priority=urgent")
          .ok());
  EXPECT_EQ(uri.scheme(), UriScheme::kSip);
  EXPECT_TRUE(uri.has_user());
  EXPECT_EQ(uri.user(), "alice");
  EXPECT_TRUE(uri.has_password());
  EXPECT_EQ(uri.password(), "secret");
  EXPECT_EQ(uri.host(), "atlanta.example.com");
  EXPECT_EQ(uri.host_kind(), HostKind::kName);
  EXPECT_EQ(uri.port(), 5070);
  EXPECT_EQ(uri.transport_param(), "tcp");
  EXPECT_TRUE(uri.lr());
  EXPECT_EQ(uri.maddr(), "239.255.255.1");
  EXPECT_EQ(uri.params(), ";transport=tcp;lr;maddr=239.255.255.1");
  EXPECT_EQ(uri.headers(), "subject=project%20x&priority=urgent");
}

TEST(SipUriTest, MinimalAndSips) {
  SipUri uri;
  ASSERT_TRUE(uri.parse("sip:example.com").ok());
  EXPECT_FALSE(uri.has_user());
  EXPECT_FALSE(uri.has_port());
  EXPECT_EQ(uri.port(), 0);
  EXPECT_FALSE(uri.lr());
  EXPECT_EQ(uri.params(), "");
  ASSERT_TRUE(uri.parse("SIPS:bob@192.0.2.4").ok());  // the scheme is case-insensitive
  EXPECT_EQ(uri.scheme(), UriScheme::kSips);
  EXPECT_EQ(uri.host_kind(), HostKind::kIPv4);
}

TEST(SipUriTest, Ipv6References) {
  SipUri uri;
  ASSERT_TRUE(uri.parse("sip:[2001:db8::10]:5060;transport=udp").ok());
  EXPECT_EQ(uri.host(), "[2001:db8::10]");
  EXPECT_EQ(uri.host_port().address(), "2001:db8::10");
  EXPECT_EQ(uri.host_kind(), HostKind::kIPv6);
  EXPECT_EQ(uri.port(), 5060);
  ASSERT_TRUE(uri.parse("sips:user@[::1]").ok());
  EXPECT_EQ(uri.host_port().address(), "::1");
  EXPECT_FALSE(uri.has_port());
}

TEST(SipUriTest, UserPartMayHoldReservedCharacters) {
  // RFC 3261 §19.1.1: a telephone-subscriber user part may carry ';' parameters.
  SipUri uri;
  ASSERT_TRUE(uri.parse("sip:+1-212-555-1212;isub=1411;postd=pp22@gateway.com;user=phone").ok());
  EXPECT_EQ(uri.user(), "+1-212-555-1212;isub=1411;postd=pp22");
  EXPECT_EQ(uri.host(), "gateway.com");
  EXPECT_EQ(uri.param("USER").value, "phone");
}

TEST(SipUriTest, EscapesAreKeptAndDecodedOnDemand) {
  SipUri uri;
  ASSERT_TRUE(uri.parse("sip:sip%3Auser%40example.com@example.net;x=%41b").ok());
  EXPECT_EQ(uri.user(), "sip%3Auser%40example.com");
  std::string decoded;
  ASSERT_TRUE(unescape(uri.user(), decoded));
  EXPECT_EQ(decoded, "sip:user@example.com");

  std::array<char, 4> small{};
  EXPECT_EQ(unescape("%41%42", small), 2u);
  EXPECT_EQ(std::string_view(small.data(), 2), "AB");
  EXPECT_EQ(unescape("abcde", small), std::string_view::npos);  // does not fit
  EXPECT_EQ(unescape("%4", small), std::string_view::npos);
  EXPECT_FALSE(unescape("%G1", decoded));
}

TEST(SipUriTest, OtherSchemesAreUnsupportedNotMalformed) {
  SipUri uri;
  EXPECT_EQ(uri.parse("tel:+1-201-555-0123").code, SipError::kUnsupportedScheme);
  EXPECT_EQ(uri.parse("urn:service:sos").code, SipError::kUnsupportedScheme);
  EXPECT_TRUE(has_uri_scheme("im:a@b"));
  EXPECT_FALSE(has_uri_scheme("1x:a"));
  EXPECT_FALSE(has_uri_scheme("nocolon"));
}

TEST(SipUriTest, RejectsMalformedUris) {
  const char* bad[] = {
      "",
      "sip:",
      "sip:@example.com",
      "sip:user@",
      "sip:user@host:",
      "sip:user@host:0",
      "sip:user@host:99999",
      "sip:user@host:port",
      "sip:user@ho st",
      "sip:us er@host",
      "sip:user%2@host",
      "sip:user%@host",
      "sip:user@[::1",
      "sip:user@[::g]",
      "sip:user@[1:2]:5060",
      "sip:user@host;",
      "sip:user@host;=x",
      "sip:user@host;a=",
      "sip:user@host?",
      "sip:user@host?a=<b>",
      "sip:user@host@other",
      "sip:user:pa@ss@host",
      "sip:host..com",
      "sip:user@host;p=\"quoted\"",
      "no scheme at all",
  };
  for (const char* text : bad) {
    SipUri uri;
    const ParseError err = uri.parse(text);
    EXPECT_EQ(err.code, SipError::kBadUri) << '"' << text << '"';
    EXPECT_FALSE(err.reason.empty());
  }
}

}  // namespace
}  // namespace core::sip
