#include "core/sip/stream_framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/sip/sip_message.h"
#include "tests/unit/sip/test_messages.h"

namespace core::sip {
namespace {

using Kind = Frame::Kind;
constexpr size_t kMax = 4096;

// A reader as the connection code would run it: feed bytes, take every complete frame.
class Reader {
 public:
  // Returns false on kError/kTooBig.
  bool feed(std::string_view bytes) {
    buffered_.append(bytes);
    for (;;) {
      const Frame f = find_frame(buffered_, kMax);
      switch (f.kind) {
        case Kind::kNeedMore:
          return true;
        case Kind::kMessage:
          messages.emplace_back(buffered_.substr(0, f.length));
          break;
        case Kind::kPing:
          ++pings;
          break;
        case Kind::kSkip:
          break;
        case Kind::kError:
        case Kind::kTooBig:
          return false;
      }
      EXPECT_GT(f.length, 0u);
      buffered_.erase(0, f.length);
    }
  }
  std::vector<std::string> messages;
  int pings = 0;
  const std::string& buffered() const { return buffered_; }

 private:
  std::string buffered_;
};

std::string message_with_body(std::string_view body) {
  return test::invite(body);
}

TEST(StreamFramerTest, OneCompleteMessage) {
  const std::string m = message_with_body("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n");
  const Frame f = find_frame(m, kMax);
  EXPECT_EQ(f.kind, Kind::kMessage);
  EXPECT_EQ(f.length, m.size());
}

TEST(StreamFramerTest, SeveralMessagesInOneReadReturnsTheFirst) {
  const std::string a = message_with_body("first");
  const std::string b = test::ok_response();
  const std::string c = message_with_body("");
  const Frame f = find_frame(a + b + c, kMax);
  EXPECT_EQ(f.kind, Kind::kMessage);
  EXPECT_EQ(f.length, a.size());
  Reader r;
  ASSERT_TRUE(r.feed(a + b + c));
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[0], a);
  EXPECT_EQ(r.messages[1], b);
  EXPECT_EQ(r.messages[2], c);
  EXPECT_TRUE(r.buffered().empty());
}

TEST(StreamFramerTest, SplitAtEveryBytePositionOfTwoMessages) {
  const std::string a = message_with_body("body with\r\n\r\nblank lines inside");
  const std::string b = test::ok_response();
  const std::string stream = a + b;
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    SCOPED_TRACE(cut);
    Reader r;
    ASSERT_TRUE(r.feed(std::string_view(stream).substr(0, cut)));
    ASSERT_TRUE(r.feed(std::string_view(stream).substr(cut)));
    ASSERT_EQ(r.messages.size(), 2u);
    EXPECT_EQ(r.messages[0], a);
    EXPECT_EQ(r.messages[1], b);
    EXPECT_TRUE(r.buffered().empty());
  }
}

TEST(StreamFramerTest, ByteByByteDelivery) {
  const std::string stream = "\r\n\r\n" + message_with_body("xyz") + "\r\n" + test::ok_response();
  Reader r;
  for (char c : stream) ASSERT_TRUE(r.feed(std::string_view(&c, 1)));
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.pings, 1);
  EXPECT_EQ(r.messages[0], message_with_body("xyz"));
  SipMessage msg;
  ASSERT_TRUE(msg.parse(r.messages[0]).ok());
  EXPECT_EQ(msg.body(), "xyz");
}

TEST(StreamFramerTest, KeepAlivesAndStrayCrlf) {
  EXPECT_EQ(find_frame("\r\n\r\n", kMax).kind, Kind::kPing);
  EXPECT_EQ(find_frame("\r\n\r\n", kMax).length, 4u);
  EXPECT_EQ(find_frame("\r\n\r\nINVITE", kMax).kind, Kind::kPing);
  // A lone CRLF may be the start of a ping: wait.
  EXPECT_EQ(find_frame("\r\n", kMax).kind, Kind::kNeedMore);
  EXPECT_EQ(find_frame("\r\n\r", kMax).kind, Kind::kNeedMore);
  EXPECT_EQ(find_frame("\r", kMax).kind, Kind::kNeedMore);
  const Frame skip = find_frame("\r\nINVITE sip:a@b SIP/2.0\r\n", kMax);
  EXPECT_EQ(skip.kind, Kind::kSkip);
  EXPECT_EQ(skip.length, 2u);
  EXPECT_EQ(find_frame("\nINVITE", kMax).kind, Kind::kSkip);
  EXPECT_EQ(find_frame("\r\n\rX", kMax).kind, Kind::kSkip);
  EXPECT_EQ(find_frame("\rX", kMax).kind, Kind::kError);
  EXPECT_EQ(find_frame("", kMax).kind, Kind::kNeedMore);
}

TEST(StreamFramerTest, ContentLengthIsMandatoryAndWellFormed) {
  const std::string no_cl = test::crlf({"OPTIONS sip:a@b SIP/2.0", "Via: SIP/2.0/TCP h"});
  Frame f = find_frame(no_cl, kMax);
  EXPECT_EQ(f.kind, Kind::kError);
  EXPECT_EQ(f.reason, "missing Content-Length on a stream transport");

  const char* bad[] = {"Content-Length: -5",         "Content-Length: abc",
                       "Content-Length: 1 2",        "l: 99999999999999999999999",
                       "Content-Length: 4294967296", "Content-Length:",
                       "Content-Length: 0x10"};
  for (const char* header : bad) {
    f = find_frame(test::crlf({"OPTIONS sip:a@b SIP/2.0", header}), kMax);
    EXPECT_EQ(f.kind, Kind::kError) << header;
    EXPECT_EQ(f.reason, "malformed Content-Length") << header;
  }
  f = find_frame(test::crlf({"OPTIONS sip:a@b SIP/2.0", "l: 1", "Content-Length: 2"}, "xx"), kMax);
  EXPECT_EQ(f.kind, Kind::kError);
  EXPECT_EQ(f.reason, "conflicting Content-Length");
}

TEST(StreamFramerTest, CompactAndFoldedContentLength) {
  const std::string compact = test::crlf({"OPTIONS sip:a@b SIP/2.0", "L : 3"}, "abc");
  EXPECT_EQ(find_frame(compact, kMax).length, compact.size());
  const std::string folded =
      test::crlf({"OPTIONS sip:a@b SIP/2.0", "Content-Length:", "   3", "X-A: b"}, "abcEXTRA");
  const Frame f = find_frame(folded, kMax);
  EXPECT_EQ(f.kind, Kind::kMessage);
  EXPECT_EQ(f.length, folded.size() - 5);
}

TEST(StreamFramerTest, IncompleteBodyNeedsMore) {
  const std::string m = message_with_body("0123456789");
  EXPECT_EQ(find_frame(std::string_view(m).substr(0, m.size() - 1), kMax).kind, Kind::kNeedMore);
  EXPECT_EQ(find_frame(std::string_view(m).substr(0, 10), kMax).kind, Kind::kNeedMore);
}

TEST(StreamFramerTest, TooBigMessages) {
  // Declared body pushes the message over the limit: known as soon as the headers are in.
  const std::string big = test::crlf({"MESSAGE sip:a@b SIP/2.0", "Content-Length: 5000"});
  EXPECT_EQ(find_frame(big, kMax).kind, Kind::kTooBig);
  // A header section that never ends.
  std::string endless = "INVITE sip:a@b SIP/2.0\r\n";
  while (endless.size() < kMax) endless += "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  EXPECT_EQ(find_frame(endless, kMax).kind, Kind::kTooBig);
  EXPECT_EQ(find_frame(std::string_view(endless).substr(0, kMax - 10), kMax).kind, Kind::kNeedMore);
  // One endless line without any line end.
  EXPECT_EQ(find_frame(std::string(kMax + 1, 'A'), kMax).kind, Kind::kTooBig);
  // Exactly at the limit is fine.
  const std::string head = test::crlf({"MESSAGE sip:a@b SIP/2.0", "Content-Length: 0000"});
  std::string exact = test::crlf(
      {"MESSAGE sip:a@b SIP/2.0", "Content-Length: " + std::to_string(kMax - head.size())});
  exact.append(kMax - head.size(), 'b');
  ASSERT_EQ(exact.size(), kMax);
  EXPECT_EQ(find_frame(exact, kMax).kind, Kind::kMessage);
  EXPECT_EQ(find_frame(exact, kMax - 1).kind, Kind::kTooBig);
}

TEST(StreamFramerTest, AnEmptyLineEndingPastTheLimitIsTooBigHoweverTheBytesArrive) {
  // The last header line ends on the limit's last byte; the empty line after it lies beyond.
  // Cut at the limit or with the rest already read, the answer must be the same.
  constexpr size_t kLimit = 64;
  std::string prefix = "OPTIONS sip:a@b SIP/2.0\r\nX-Filler: ";
  prefix.append(kLimit - prefix.size() - 2, 'a');
  prefix += "\r\n";
  ASSERT_EQ(prefix.size(), kLimit);
  EXPECT_EQ(find_frame(prefix, kLimit).kind, Kind::kTooBig);
  EXPECT_EQ(find_frame(prefix + "\r\nOPTIONS", kLimit).kind, Kind::kTooBig);
}

TEST(StreamFramerTest, NulBytesInHeadersAreAnErrorButNotInTheBody) {
  std::string m =
      test::crlf({"OPTIONS sip:a@b SIP/2.0", "X-A: a", "l: 4"}, std::string("\0b\0d", 4));
  const Frame ok = find_frame(m, kMax);
  EXPECT_EQ(ok.kind, Kind::kMessage);
  EXPECT_EQ(ok.length, m.size());
  m[m.find("X-A: a") + 5] = '\0';
  EXPECT_EQ(find_frame(m, kMax).kind, Kind::kError);
  // Already detected before the header section is complete.
  std::string partial("INVITE sip:a@b SIP/2.0\r\nX-A: \0", 31);
  const Frame f = find_frame(partial, kMax);
  EXPECT_EQ(f.kind, Kind::kError);
  EXPECT_EQ(f.reason, "NUL byte in headers");
}

TEST(StreamFramerTest, BareLfLineEndsAreFramedLikeTheParserReadsThem) {
  const std::string m = "OPTIONS sip:a@b SIP/2.0\nl: 2\n\nok";
  const Frame f = find_frame(m + "NEXT", kMax);
  EXPECT_EQ(f.kind, Kind::kMessage);
  EXPECT_EQ(f.length, m.size());
}

}  // namespace
}  // namespace core::sip
