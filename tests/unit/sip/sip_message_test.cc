#include "core/sip/sip_message.h"

#include <gtest/gtest.h>

#include <string>

#include "core/sip/checked_fields.h"
#include "core/sip/name_addr.h"
#include "core/sip/sip_uri.h"
#include "core/sip/text.h"
#include "core/sip/via.h"
#include "tests/unit/sip/test_messages.h"

namespace core::sip {
namespace {

using test::crlf;

TEST(SipMessageTest, ParsesRequestLineAndHeaders) {
  const std::string text = test::invite("v=0\r\n");
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  EXPECT_TRUE(msg.is_request());
  EXPECT_EQ(msg.method(), Method::kInvite);
  EXPECT_EQ(msg.method_name(), "INVITE");
  EXPECT_EQ(msg.request_uri(), "sip:bob@biloxi.example.com");
  EXPECT_EQ(msg.start_line(), "INVITE sip:bob@biloxi.example.com SIP/2.0");
  EXPECT_EQ(msg.headers().size(), 9u);
  EXPECT_EQ(msg.call_id(), "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(msg.body(), "v=0\r\n");
  EXPECT_TRUE(msg.validate().ok());

  const HeaderField* to = msg.first(HeaderType::kTo);
  ASSERT_NE(to, nullptr);
  EXPECT_EQ(msg.name(*to), "To");
  EXPECT_EQ(msg.value(*to), "Bob <sip:bob@biloxi.example.com>");
  EXPECT_EQ(msg.line(*to), "To: Bob <sip:bob@biloxi.example.com>\r\n");

  CSeq cseq;
  ASSERT_TRUE(msg.cseq(cseq).ok());
  EXPECT_EQ(cseq.number, 314159u);
  EXPECT_EQ(cseq.method, "INVITE");
  int mf = 0;
  ASSERT_TRUE(msg.max_forwards(mf).ok());
  EXPECT_EQ(mf, 70);

  Via via;
  ASSERT_TRUE(msg.top_via(via).ok());
  EXPECT_EQ(via.host(), "pc33.atlanta.example.com");
  SipUri uri;
  ASSERT_TRUE(msg.parsed_request_uri(uri).ok());
  EXPECT_EQ(uri.user(), "bob");
}

// The parse indexes every header by type as it classifies its name: first/next/count then
// answer without a scan, in long or compact form, and a second parse into the same object
// forgets the first message's headers.
TEST(SipMessageTest, HeaderIndexFindsEveryTypeAndIsResetByTheNextParse) {
  const std::string text =
      "INVITE sip:bob@example.com SIP/2.0\r\n"
      "v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n"
      "Route: <sip:p1.example.com;lr>\r\n"
      "Via: SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\n"
      "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n"
      "route: <sip:p2.example.com;lr>\r\n"
      "To: <sip:bob@example.com>\r\nf: <sip:a@example.com>;tag=1\r\n"
      "i: idx@example.com\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n";
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  EXPECT_EQ(msg.count(HeaderType::kVia), 2u);
  EXPECT_EQ(msg.count(HeaderType::kRoute), 2u);
  EXPECT_EQ(msg.count(HeaderType::kContact), 0u);
  EXPECT_EQ(msg.first(HeaderType::kContact), nullptr);
  const HeaderField* via = msg.first(HeaderType::kVia);
  ASSERT_NE(via, nullptr);
  EXPECT_EQ(msg.value(*via), "SIP/2.0/UDP a.example.com;branch=z9hG4bK1");
  const HeaderField* via2 = msg.next(via, HeaderType::kVia);
  ASSERT_NE(via2, nullptr);
  EXPECT_EQ(msg.value(*via2), "SIP/2.0/UDP b.example.com;branch=z9hG4bK2");
  EXPECT_EQ(msg.next(via2, HeaderType::kVia), nullptr);
  EXPECT_EQ(msg.next(nullptr, HeaderType::kRoute), msg.first(HeaderType::kRoute));
  ASSERT_NE(msg.first(HeaderType::kDate), nullptr);
  EXPECT_EQ(msg.find("date"), msg.first(HeaderType::kDate));
  EXPECT_EQ(msg.call_id(), "idx@example.com");
  EXPECT_TRUE(msg.validate().ok());

  const std::string other = test::ok_response();
  ASSERT_TRUE(msg.parse(other).ok());
  EXPECT_EQ(msg.count(HeaderType::kRoute), 0u);
  EXPECT_EQ(msg.first(HeaderType::kDate), nullptr);
  EXPECT_EQ(msg.count(HeaderType::kVia), 2u);
}

// What validate() parsed is handed back whole, so the proxy parses none of it again.
TEST(SipMessageTest, ValidateHandsBackTheFieldsItParsed) {
  SipMessage msg;
  const std::string text = test::invite();
  ASSERT_TRUE(msg.parse(text).ok());
  CheckedFields f;
  ASSERT_TRUE(msg.validate(&f).ok());
  EXPECT_EQ(f.top.host(), "pc33.atlanta.example.com");
  EXPECT_TRUE(f.uri_ok);
  EXPECT_EQ(f.uri.host(), "biloxi.example.com");
  EXPECT_EQ(f.max_forwards, 70);
  EXPECT_EQ(f.from_tag, "1928301774");
  EXPECT_FALSE(f.to_tagged);

  const std::string tel = test::crlf({"OPTIONS tel:+1-201-555-0123 SIP/2.0",
                                      "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK9",
                                      "To: <tel:+1-201-555-0123>;tag=t1", "From: <sip:a@b>;tag=x",
                                      "Call-ID: t@h", "CSeq: 1 OPTIONS", "Content-Length: 0"});
  ASSERT_TRUE(msg.parse(tel).ok());
  CheckedFields g;
  ASSERT_TRUE(msg.validate(&g).ok());
  EXPECT_FALSE(g.uri_ok);
  EXPECT_EQ(g.max_forwards, -1);
  EXPECT_TRUE(g.to_tagged);
}

TEST(SipMessageTest, ParsesStatusLine) {
  const std::string text = test::ok_response();
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  EXPECT_FALSE(msg.is_request());
  EXPECT_EQ(msg.status_code(), 200);
  EXPECT_EQ(msg.reason_phrase(), "OK");
  EXPECT_EQ(msg.count(HeaderType::kVia), 2u);
  EXPECT_TRUE(msg.validate().ok());

  const std::string multi = crlf({"SIP/2.0 486 Busy Here Right Now", "Content-Length: 0"});
  ASSERT_TRUE(msg.parse(multi).ok());
  EXPECT_EQ(msg.status_code(), 486);
  EXPECT_EQ(msg.reason_phrase(), "Busy Here Right Now");

  const std::string empty_reason = crlf({"SIP/2.0 180", "Content-Length: 0"});
  ASSERT_TRUE(msg.parse(empty_reason).ok());
  EXPECT_EQ(msg.status_code(), 180);
  EXPECT_EQ(msg.reason_phrase(), "");
}

TEST(SipMessageTest, HeaderNamesAreCaseInsensitive) {
  const std::string text = crlf({"OPTIONS sip:a@b SIP/2.0", "cAlL-iD: abc", "VIA: SIP/2.0/UDP h",
                                 "x-CuStOm: 1", "content-length: 0"});
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  EXPECT_EQ(msg.call_id(), "abc");
  EXPECT_NE(msg.first(HeaderType::kVia), nullptr);
  EXPECT_NE(msg.find("Call-Id"), nullptr);
  EXPECT_NE(msg.find("i"), nullptr);
  ASSERT_NE(msg.find("X-Custom"), nullptr);
  EXPECT_EQ(msg.value(*msg.find("x-custom")), "1");
  EXPECT_EQ(msg.find("X-Missing"), nullptr);
}

TEST(SipMessageTest, CompactMessageValidates) {
  const std::string text =
      crlf({"BYE sip:bob@192.0.2.4 SIP/2.0", "v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx",
            "f: <sip:a@b>;tag=1", "t: <sip:bob@c>;tag=2", "i: xyz", "CSeq: 2 BYE", "l: 0"});
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  EXPECT_TRUE(msg.validate().ok());
  EXPECT_EQ(msg.call_id(), "xyz");
  EXPECT_EQ(msg.body(), "");
}

TEST(SipMessageTest, FoldedHeaderLinesAreOneHeader) {
  const std::string text =
      crlf({"MESSAGE sip:a@b SIP/2.0", "Subject: I know you're there,", "   pick up the phone",
            "\tand talk to me!", "Via: SIP/2.0/UDP", " 192.0.2.1:5060 ;", " branch=z9hG4bKf",
            "To:", " <sip:a@b>", "Content-Length: 0"});
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  ASSERT_EQ(msg.headers().size(), 4u);
  const HeaderField* subject = msg.first(HeaderType::kSubject);
  ASSERT_NE(subject, nullptr);
  EXPECT_EQ(msg.value(*subject),
            "I know you're there,\r\n   pick up the phone\r\n\tand talk to me!");
  EXPECT_EQ(msg.value(*msg.first(HeaderType::kTo)), "<sip:a@b>");
  Via via;
  ASSERT_TRUE(msg.top_via(via).ok());
  EXPECT_EQ(via.host(), "192.0.2.1");
  EXPECT_EQ(via.port(), 5060);
  EXPECT_EQ(via.branch().value, "z9hG4bKf");
}

TEST(SipMessageTest, SplitsMultiValueHeaders) {
  const std::string text =
      crlf({"INVITE sip:a@b SIP/2.0",
            "Via: SIP/2.0/UDP first.example.com;branch=z9hG4bK1, SIP/2.0/TCP [2001:db8::1]:5070"
            ";branch=z9hG4bK2",
            "Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr;x=\"a,b\">",
            "Contact: \"Doe, John\" <sip:john@d.example.com>;q=0.5, <sip:j@e,x>", "l: 0"});
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());

  ValueSplitter vias(msg.value(*msg.first(HeaderType::kVia)));
  std::string_view v;
  Via via;
  ASSERT_TRUE(vias.next(v));
  ASSERT_TRUE(via.parse(v).ok());
  EXPECT_EQ(via.host(), "first.example.com");
  ASSERT_TRUE(vias.next(v));
  ASSERT_TRUE(via.parse(v).ok());
  EXPECT_EQ(via.host(), "[2001:db8::1]");
  EXPECT_EQ(via.port(), 5070);
  EXPECT_FALSE(vias.next(v));

  ValueSplitter routes(msg.value(*msg.first(HeaderType::kRoute)));
  ASSERT_TRUE(routes.next(v));
  EXPECT_EQ(v, "<sip:p1.example.com;lr>");
  ASSERT_TRUE(routes.next(v));
  EXPECT_EQ(v, "<sip:p2.example.com;lr;x=\"a,b\">");
  EXPECT_FALSE(routes.next(v));
  EXPECT_FALSE(routes.malformed());

  ValueSplitter contacts(msg.value(*msg.first(HeaderType::kContact)));
  NameAddr addr;
  ASSERT_TRUE(contacts.next(v));
  ASSERT_TRUE(addr.parse(v).ok());
  EXPECT_EQ(addr.display_name(), "Doe, John");
  EXPECT_EQ(addr.param("q").value, "0.5");
  ASSERT_TRUE(contacts.next(v));
  EXPECT_EQ(v, "<sip:j@e,x>");
  EXPECT_FALSE(contacts.next(v));
}

TEST(SipMessageTest, ValueSplitterFlagsUnterminatedQuoteOrBracket) {
  std::string_view v;
  ValueSplitter quote("\"abc, <sip:a@b>");
  while (quote.next(v)) {
  }
  EXPECT_TRUE(quote.malformed());
  ValueSplitter angle("<sip:a@b, <sip:c@d>");
  while (angle.next(v)) {
  }
  EXPECT_TRUE(angle.malformed());
}

TEST(SipMessageTest, UnknownMethodAndHeadersPassThrough) {
  const std::string text = crlf({"FROBNICATE sip:a@b SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK3",
                                 "From: <sip:x@y>;tag=1", "To: <sip:a@b>", "Call-ID: 1",
                                 "CSeq: 1 FROBNICATE", "X-Weird-Header: {}[]!!", "l: 0"});
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  EXPECT_EQ(msg.method(), Method::kOther);
  EXPECT_EQ(msg.method_name(), "FROBNICATE");
  EXPECT_TRUE(msg.validate().ok());
  const HeaderField* x = msg.find("X-Weird-Header");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->type, HeaderType::kOther);
  EXPECT_EQ(msg.value(*x), "{}[]!!");
  EXPECT_EQ(msg.data(), text);
}

TEST(SipMessageTest, MethodsAreCaseSensitive) {
  EXPECT_EQ(method_of("INVITE"), Method::kInvite);
  EXPECT_EQ(method_of("invite"), Method::kOther);
  EXPECT_EQ(method_of("SUBSCRIBE"), Method::kSubscribe);
}

TEST(SipMessageTest, ContentLengthBoundsTheDatagram) {
  // RFC 3261 §18.3: bytes after Content-Length in a datagram are discarded.
  const std::string text = test::invite("abcd") + "trailing junk";
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  EXPECT_EQ(msg.body(), "abcd");
  EXPECT_EQ(msg.data().size(), text.size() - 13);
}

TEST(SipMessageTest, BodyRunsToTheEndWithoutContentLength) {
  const std::string text = crlf({"MESSAGE sip:a@b SIP/2.0", "Via: SIP/2.0/UDP h"}, "hello");
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  EXPECT_EQ(msg.body(), "hello");
}

TEST(SipMessageTest, SkipsLeadingCrlfAndToleratesBareLf) {
  const std::string text =
      "\r\n\r\nOPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\nl: 2\n\nok";
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  EXPECT_EQ(msg.start_line(), "OPTIONS sip:a@b SIP/2.0");
  EXPECT_EQ(msg.data().substr(0, 7), "OPTIONS");
  EXPECT_EQ(msg.body(), "ok");
  EXPECT_EQ(msg.headers().size(), 2u);
}

TEST(SipMessageTest, OffsetsPointIntoTheMessage) {
  const std::string text = test::invite();
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  EXPECT_EQ(msg.data().data(), text.data());  // no copy
  EXPECT_EQ(msg.headers_offset(), text.find("Via:"));
  EXPECT_EQ(msg.headers_end(), text.size() - 2);
  const HeaderField* cl = msg.first(HeaderType::kContentLength);
  EXPECT_EQ(cl->offset + cl->length, msg.headers_end());
}

TEST(SipMessageTest, MaxForwardsIsOptionalButMustBeValidWhenPresent) {
  const std::string text =
      crlf({"OPTIONS sip:a@b SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1",
            "From: <sip:x@y>;tag=1", "To: <sip:a@b>", "Call-ID: 1", "CSeq: 1 OPTIONS", "l: 0"});
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  EXPECT_TRUE(msg.validate().ok());
  int mf = 5;
  ASSERT_TRUE(msg.max_forwards(mf).ok());
  EXPECT_EQ(mf, -1);
}

TEST(SipMessageTest, AcceptsUpToMaxHeaders) {
  std::string text = "OPTIONS sip:a@b SIP/2.0\r\n";
  for (size_t i = 0; i < SipMessage::kMaxHeaders; ++i) text += "X-H: " + std::to_string(i) + "\r\n";
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text + "\r\n").ok());
  EXPECT_EQ(msg.headers().size(), SipMessage::kMaxHeaders);
  text += "X-H: one too many\r\n\r\n";
  EXPECT_EQ(msg.parse(text).code, SipError::kTooManyHeaders);
  EXPECT_EQ(suggested_status(SipError::kTooManyHeaders), 513);
}

TEST(SipMessageTest, NonSipRequestUriPassesThrough) {
  const std::string text =
      crlf({"INVITE tel:+1-201-555-0123 SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1",
            "From: <sip:x@y>;tag=1", "To: <tel:+1-201-555-0123>", "Call-ID: 1", "CSeq: 1 INVITE",
            "l: 0"});
  SipMessage msg;
  ASSERT_TRUE(msg.parse(text).ok());
  EXPECT_TRUE(msg.validate().ok());
  SipUri uri;
  EXPECT_EQ(msg.parsed_request_uri(uri).code, SipError::kUnsupportedScheme);
}

TEST(SipMessageTest, ParseResetsPreviousState) {
  SipMessage msg;
  const std::string a = test::invite();
  const std::string b = test::ok_response();
  ASSERT_TRUE(msg.parse(a).ok());
  ASSERT_TRUE(msg.parse(b).ok());
  EXPECT_FALSE(msg.is_request());
  EXPECT_EQ(msg.request_uri(), "");
  EXPECT_EQ(msg.first(HeaderType::kMaxForwards), nullptr);
}

}  // namespace
}  // namespace core::sip
