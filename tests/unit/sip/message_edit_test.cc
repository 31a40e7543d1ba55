#include "core/sip/message_edit.h"

#include <gtest/gtest.h>

#include <string>

#include "core/sip/sip_message.h"
#include "core/sip/text.h"
#include "core/sip/via.h"
#include "tests/unit/sip/test_messages.h"

namespace core::sip {
namespace {

const std::string kRequest =
    test::crlf({"INVITE sip:bob@proxy.example.com SIP/2.0",
                "Via: SIP/2.0/UDP 10.1.1.1:5060;rport;branch=z9hG4bK74bf9",
                "Route: <sip:proxy.example.com;lr>, <sip:next.example.com;lr>", "Max-Forwards: 70",
                "From: <sip:alice@example.com>;tag=9fxced76sl", "To: <sip:bob@example.com>",
                "Call-ID: 3848276298220188511", "CSeq: 1 INVITE", "Content-Length: 4"},
               "body");

TEST(MessageEditTest, ForwardsARequestInOnePass) {
  SipMessage msg;
  ASSERT_TRUE(msg.parse(kRequest).ok());
  MessageEdit edit(msg.data());

  // RFC 3581 §4: fill in rport and add received on the top Via.
  Via via;
  const HeaderField* via_header = nullptr;
  ASSERT_TRUE(msg.top_via(via, &via_header).ok());
  const std::string_view data = msg.data();
  EXPECT_TRUE(edit.insert(offset_in(data, via.rport().name) + via.rport().name.size(), "=40000"));
  EXPECT_TRUE(edit.insert(offset_in(data, via.text()) + via.text().size(), ";received=192.0.2.9"));
  // Our own Via on top.
  EXPECT_TRUE(edit.prepend_header(msg, "Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKnew\r\n"));
  // Loose routing: pop the Route naming us (RFC 3261 §16.4).
  const HeaderField* route = msg.first(HeaderType::kRoute);
  ValueSplitter routes(msg.value(*route));
  std::string_view first_route;
  ASSERT_TRUE(routes.next(first_route));
  EXPECT_TRUE(edit.remove_value(msg, *route, first_route));
  // Max-Forwards minus one.
  int mf = 0;
  ASSERT_TRUE(msg.max_forwards(mf).ok());
  EXPECT_TRUE(edit.replace_value(*msg.first(HeaderType::kMaxForwards), edit.keep_number(mf - 1)));
  EXPECT_TRUE(edit.append_header(msg, "Record-Route: <sip:192.0.2.1;lr>\r\n"));
  EXPECT_TRUE(edit.replace_request_uri(msg, "sip:bob@192.0.2.50:5070"));

  std::string out;
  ASSERT_EQ(edit.apply(out), EditError::kNone);
  EXPECT_EQ(out.size(), edit.result_size());
  EXPECT_EQ(out,
            test::crlf({"INVITE sip:bob@192.0.2.50:5070 SIP/2.0",
                        "Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKnew",
                        "Via: SIP/2.0/UDP 10.1.1.1:5060;rport=40000;branch=z9hG4bK74bf9;"
                        "received=192.0.2.9",
                        "Route: <sip:next.example.com;lr>", "Max-Forwards: 69",
                        "From: <sip:alice@example.com>;tag=9fxced76sl", "To: <sip:bob@example.com>",
                        "Call-ID: 3848276298220188511", "CSeq: 1 INVITE", "Content-Length: 4",
                        "Record-Route: <sip:192.0.2.1;lr>"},
                       "body"));
  SipMessage forwarded;
  ASSERT_TRUE(forwarded.parse(out).ok());
  EXPECT_TRUE(forwarded.validate().ok());
  EXPECT_EQ(forwarded.body(), "body");
}

std::string remove_route_value(const std::string& route_line, size_t index) {
  const std::string text = test::crlf({"BYE sip:a@b SIP/2.0", route_line, "l: 0"});
  SipMessage msg;
  EXPECT_TRUE(msg.parse(text).ok());
  const HeaderField* h = msg.first(HeaderType::kRoute);
  ValueSplitter values(msg.value(*h));
  std::string_view v;
  for (size_t i = 0; i <= index; ++i) EXPECT_TRUE(values.next(v));
  MessageEdit edit(msg.data());
  EXPECT_TRUE(edit.remove_value(msg, *h, v));
  std::string out;
  EXPECT_EQ(edit.apply(out), EditError::kNone);
  return out;
}

TEST(MessageEditTest, RemovesOneValueOfAMultiValueHeader) {
  const std::string line = "Route: <sip:a;lr>, <sip:b;lr> ,<sip:c;lr>";
  EXPECT_EQ(remove_route_value(line, 0),
            test::crlf({"BYE sip:a@b SIP/2.0", "Route: <sip:b;lr> ,<sip:c;lr>", "l: 0"}));
  EXPECT_EQ(remove_route_value(line, 1),
            test::crlf({"BYE sip:a@b SIP/2.0", "Route: <sip:a;lr>, <sip:c;lr>", "l: 0"}));
  EXPECT_EQ(remove_route_value(line, 2),
            test::crlf({"BYE sip:a@b SIP/2.0", "Route: <sip:a;lr>, <sip:b;lr>", "l: 0"}));
  // The only value takes its whole line with it.
  EXPECT_EQ(remove_route_value("Route: <sip:only;lr>", 0),
            test::crlf({"BYE sip:a@b SIP/2.0", "l: 0"}));
}

TEST(MessageEditTest, RemovesAndReplacesHeaders) {
  SipMessage msg;
  ASSERT_TRUE(msg.parse(kRequest).ok());
  MessageEdit edit(msg.data());
  EXPECT_TRUE(edit.remove_header(*msg.first(HeaderType::kRoute)));
  EXPECT_TRUE(edit.replace_value(*msg.first(HeaderType::kTo), "<sip:carol@example.com>"));
  std::string out;
  ASSERT_EQ(edit.apply(out), EditError::kNone);
  SipMessage edited;
  ASSERT_TRUE(edited.parse(out).ok());
  EXPECT_EQ(edited.first(HeaderType::kRoute), nullptr);
  EXPECT_EQ(edited.value(*edited.first(HeaderType::kTo)), "<sip:carol@example.com>");
  EXPECT_EQ(edited.headers().size(), msg.headers().size() - 1);
}

TEST(MessageEditTest, InsertsAtOneOffsetKeepTheirOrder) {
  MessageEdit edit("abcdef");
  EXPECT_TRUE(edit.replace(3, 1, "X"));
  EXPECT_TRUE(edit.insert(3, "1"));
  EXPECT_TRUE(edit.insert(3, "2"));
  EXPECT_TRUE(edit.insert(6, "!"));
  EXPECT_TRUE(edit.insert(0, ">"));
  std::string out;
  ASSERT_EQ(edit.apply(out), EditError::kNone);
  EXPECT_EQ(out, ">abc12Xef!");
}

TEST(MessageEditTest, RejectsOverlapsAndOutOfRange) {
  {
    MessageEdit edit("abcdef");
    EXPECT_TRUE(edit.remove(1, 3));
    EXPECT_TRUE(edit.replace(2, 2, "x"));
    std::string out = "stale";
    EXPECT_EQ(edit.apply(out), EditError::kOverlap);
    EXPECT_TRUE(out.empty());
  }
  {
    MessageEdit edit("abcdef");
    EXPECT_TRUE(edit.remove(1, 3));
    EXPECT_TRUE(edit.insert(2, "x"));  // inside the removed range
    std::string out;
    EXPECT_EQ(edit.apply(out), EditError::kOverlap);
  }
  {
    MessageEdit edit("abcdef");
    EXPECT_TRUE(edit.remove(1, 3));
    EXPECT_TRUE(edit.insert(4, "x"));  // right after it is fine
    std::string out;
    EXPECT_EQ(edit.apply(out), EditError::kNone);
    EXPECT_EQ(out, "axef");
  }
  {
    MessageEdit edit("abc");
    EXPECT_FALSE(edit.insert(4, "x"));
    EXPECT_FALSE(edit.remove(2, 2));
    EXPECT_EQ(edit.error(), EditError::kOutOfRange);
    std::string out;
    EXPECT_EQ(edit.apply(out), EditError::kOutOfRange);
  }
}

TEST(MessageEditTest, BoundedEditsAndScratch) {
  MessageEdit edit("abc");
  for (size_t i = 0; i < MessageEdit::kMaxEdits; ++i) EXPECT_TRUE(edit.insert(1, "-"));
  EXPECT_FALSE(edit.insert(1, "-"));
  EXPECT_EQ(edit.error(), EditError::kTooManyEdits);

  MessageEdit scratch("abc");
  const std::string big(MessageEdit::kScratchSize - 2, 'x');
  EXPECT_EQ(scratch.keep(big).size(), big.size());
  EXPECT_EQ(scratch.keep_number(42), "42");
  EXPECT_TRUE(scratch.keep("y").empty());
  EXPECT_EQ(scratch.error(), EditError::kNoSpace);
}

TEST(MessageEditTest, KeptTextOutlivesTheSource) {
  MessageEdit edit("ab");
  {
    std::string temporary = "middle";
    EXPECT_TRUE(edit.insert(1, edit.keep(temporary)));
    temporary.assign("XXXXXX");
  }
  std::string out;
  ASSERT_EQ(edit.apply(out), EditError::kNone);
  EXPECT_EQ(out, "amiddleb");
}

}  // namespace
}  // namespace core::sip
