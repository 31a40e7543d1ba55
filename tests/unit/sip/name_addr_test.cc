#include "core/sip/name_addr.h"

#include <gtest/gtest.h>

#include "core/sip/sip_uri.h"
#include "core/sip/text.h"

namespace core::sip {
namespace {

TEST(NameAddrTest, QuotedDisplayNameAndTag) {
  NameAddr a;
  ASSERT_TRUE(
      a.parse("\"Alice \\\"A\\\" Smith\" <sip:alice@atlanta.example.com>;tag=88sja8x").ok());
  EXPECT_TRUE(a.has_brackets());
  EXPECT_EQ(a.display_name(), "Alice \\\"A\\\" Smith");
  EXPECT_EQ(a.uri(), "sip:alice@atlanta.example.com");
  EXPECT_EQ(a.tag(), "88sja8x");
  SipUri uri;
  ASSERT_TRUE(a.parse_uri(uri).ok());
  EXPECT_EQ(uri.host(), "atlanta.example.com");
}

TEST(NameAddrTest, TokenDisplayNameAndNoDisplayName) {
  NameAddr a;
  ASSERT_TRUE(a.parse("Bob Smith <sips:bob@biloxi.example.com>").ok());
  EXPECT_EQ(a.display_name(), "Bob Smith");
  EXPECT_EQ(a.tag(), "");
  ASSERT_TRUE(a.parse("<sip:p1.example.com;lr>").ok());
  EXPECT_EQ(a.display_name(), "");
  EXPECT_EQ(a.uri(), "sip:p1.example.com;lr");
  SipUri uri;
  ASSERT_TRUE(a.parse_uri(uri).ok());
  EXPECT_TRUE(uri.lr());
}

TEST(NameAddrTest, AddrSpecParamsBelongToTheHeader) {
  // RFC 3261 §20.10: without angle brackets, parameters are header parameters.
  NameAddr a;
  ASSERT_TRUE(a.parse("sip:carol@chicago.example.com;tag=abc;expires=60").ok());
  EXPECT_FALSE(a.has_brackets());
  EXPECT_EQ(a.uri(), "sip:carol@chicago.example.com");
  EXPECT_EQ(a.tag(), "abc");
  EXPECT_EQ(a.param("Expires").value, "60");
}

TEST(NameAddrTest, StarContactAndOtherSchemes) {
  NameAddr a;
  ASSERT_TRUE(a.parse(" * ").ok());
  EXPECT_TRUE(a.is_star());
  ASSERT_TRUE(a.parse("<tel:+1-201-555-0123>;tag=9").ok());
  SipUri uri;
  EXPECT_EQ(a.parse_uri(uri).code, SipError::kUnsupportedScheme);
  ASSERT_TRUE(a.parse("<sip:[2001:db8::1]:5080>").ok());
  ASSERT_TRUE(a.parse_uri(uri).ok());
  EXPECT_EQ(uri.port(), 5080);
}

TEST(NameAddrTest, Rfc3261ContactExample) {
  // RFC 3261 §20.10, split with ValueSplitter as the Contact header would be.
  ValueSplitter values(
      "\"Mr. Watson\" <sip:watson@worcester.bell-telephone.com>;q=0.7; expires=3600,\r\n"
      " \"Mr. Watson\" <mailto:watson@bell-telephone.com> ;q=0.1");
  std::string_view v;
  NameAddr a;
  ASSERT_TRUE(values.next(v));
  ASSERT_TRUE(a.parse(v).ok());
  EXPECT_EQ(a.display_name(), "Mr. Watson");
  EXPECT_EQ(a.param("expires").value, "3600");
  ASSERT_TRUE(values.next(v));
  ASSERT_TRUE(a.parse(v).ok());
  EXPECT_EQ(a.uri(), "mailto:watson@bell-telephone.com");
  EXPECT_EQ(a.param("q").value, "0.1");
  EXPECT_FALSE(values.next(v));
}

TEST(NameAddrTest, RejectsMalformedValues) {
  const char* bad[] = {
      "",
      "Bob",
      "\"Bob <sip:bob@b>",
      "\"Bob\" sip:bob@b",
      "<sip:bob@b",
      "<>",
      "<sip:bob@b>;tag=",
      "<sip:bob@b> junk",
      "B@d Name <sip:bob@b>",
      "sip:bob@b x",
  };
  for (const char* text : bad) {
    NameAddr a;
    const ParseError err = a.parse(text);
    EXPECT_EQ(err.code, SipError::kBadNameAddr) << '"' << text << '"';
  }
}

}  // namespace
}  // namespace core::sip
