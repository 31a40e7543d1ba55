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

// A reader as the connection code would run it: feed bytes, take every complete frame. With
// `resume`, it keeps a FrameScan between feeds as the connection does.
class Reader {
 public:
  explicit Reader(bool resume = false) : resume_(resume) {}
  // Returns false on kError/kTooBig.
  bool feed(std::string_view bytes) {
    buffered_.append(bytes);
    for (;;) {
      if (!resume_) scan_.reset();
      const Frame f = find_frame(buffered_, kMax, scan_);
      if (f.kind != Kind::kNeedMore) scan_.reset();
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
          error = f.reason;
          return false;
      }
      EXPECT_GT(f.length, 0u);
      buffered_.erase(0, f.length);
    }
  }
  std::vector<std::string> messages;
  int pings = 0;
  std::string error;
  const std::string& buffered() const { return buffered_; }

 private:
  bool resume_;
  FrameScan scan_;
  std::string buffered_;
};

// What a reader makes of `stream` cut into pieces at `cuts` (increasing offsets).
struct Outcome {
  std::vector<std::string> messages;
  int pings = 0;
  bool ok = true;
  std::string error;
  bool operator==(const Outcome&) const = default;
};

Outcome read_in_pieces(std::string_view stream, const std::vector<size_t>& cuts, bool resume) {
  Reader r(resume);
  Outcome out;
  size_t from = 0;
  for (size_t i = 0; i <= cuts.size() && out.ok; ++i) {
    const size_t to = i < cuts.size() ? cuts[i] : stream.size();
    out.ok = r.feed(stream.substr(from, to - from));
    from = to;
  }
  out.messages = r.messages;
  out.pings = r.pings;
  out.error = r.error;
  return out;
}

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

// A stream that holds every framing case: pings, stray CRLF, bodies with blank lines, compact
// and folded Content-Length, bare LF line ends.
std::string mixed_stream() {
  return "\r\n\r\n" + message_with_body("body with\r\n\r\nblank lines inside") + "\r\n" +
         test::ok_response() + test::crlf({"OPTIONS sip:a@b SIP/2.0", "L : 3"}, "abc") +
         test::crlf({"OPTIONS sip:a@b SIP/2.0", "Content-Length:", "   3", "X-A: b"}, "abc") +
         "\r\n\r\n" + "OPTIONS sip:a@b SIP/2.0\nl: 2\n\nok" + message_with_body("");
}

TEST(StreamFramerResumeTest, ResumedFramingGivesTheSameFramesForEverySplitIntoTwo) {
  const std::string stream = mixed_stream();
  const Outcome whole = read_in_pieces(stream, {}, false);
  ASSERT_TRUE(whole.ok) << whole.error;
  ASSERT_EQ(whole.messages.size(), 6u);
  ASSERT_EQ(whole.pings, 2);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    SCOPED_TRACE(cut);
    EXPECT_EQ(read_in_pieces(stream, {cut}, true), whole);
  }
}

TEST(StreamFramerResumeTest, ResumedFramingGivesTheSameFramesForEverySplitIntoThree) {
  const std::string stream = test::ok_response() + "\r\n\r\n" + message_with_body("x\r\n\r\ny");
  const Outcome whole = read_in_pieces(stream, {}, false);
  ASSERT_TRUE(whole.ok);
  for (size_t a = 0; a <= stream.size(); ++a) {
    for (size_t b = a; b <= stream.size(); ++b) {
      SCOPED_TRACE(std::to_string(a) + "," + std::to_string(b));
      ASSERT_EQ(read_in_pieces(stream, {a, b}, true), whole);
    }
  }
}

TEST(StreamFramerResumeTest, ResumedFramingGivesTheSameFramesOneByteAtATimeAndInRandomChunks) {
  const std::string stream = mixed_stream();
  const Outcome whole = read_in_pieces(stream, {}, false);
  std::vector<size_t> every;
  for (size_t i = 1; i < stream.size(); ++i) every.push_back(i);
  EXPECT_EQ(read_in_pieces(stream, every, true), whole);
  uint32_t seed = 7;
  for (int round = 0; round < 200; ++round) {
    std::vector<size_t> cuts;
    for (size_t at = 0;;) {
      seed = seed * 1103515245 + 12345;
      at += 1 + (seed >> 16) % 40;
      if (at >= stream.size()) break;
      cuts.push_back(at);
    }
    ASSERT_EQ(read_in_pieces(stream, cuts, true), whole) << "round " << round;
  }
}

TEST(StreamFramerResumeTest, BrokenStreamsFailTheSameWayWhenResumedByteByByte) {
  std::string nul_late = message_with_body("");
  nul_late.insert(nul_late.find("Content-Length"), std::string("X-B: \0\r\n", 8));
  std::string endless = "INVITE sip:a@b SIP/2.0\r\n";
  while (endless.size() < kMax + 10) endless += "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  const std::string broken[] = {
      nul_late,
      test::crlf({"OPTIONS sip:a@b SIP/2.0", "l: 1", "Content-Length: 2"}, "xx"),
      test::crlf({"OPTIONS sip:a@b SIP/2.0", "Via: SIP/2.0/TCP h"}),
      test::crlf({"MESSAGE sip:a@b SIP/2.0", "Content-Length: 5000"}),
      endless,
      test::ok_response() + "\rX",
  };
  for (const std::string& stream : broken) {
    const Outcome whole = read_in_pieces(stream, {}, false);
    ASSERT_FALSE(whole.ok) << stream;
    std::vector<size_t> every;
    for (size_t i = 1; i < stream.size(); ++i) every.push_back(i);
    EXPECT_EQ(read_in_pieces(stream, every, true), whole) << whole.error;
  }
}

TEST(StreamFramerResumeTest, EscapedNulsInQuotedStringsPassWhenResumedByteByByte) {
  static constexpr char kTo[] = "To: \"a\\\0b\" <sip:b@c>";
  const std::string ok =
      test::crlf({"OPTIONS sip:a@b SIP/2.0", std::string(kTo, sizeof(kTo) - 1), "l: 0"});
  std::string bare = ok;
  bare.erase(bare.find('\\'), 1);  // the same NUL, no longer escaped
  for (const std::string& stream : {ok, bare}) {
    const Outcome whole = read_in_pieces(stream, {}, false);
    std::vector<size_t> every;
    for (size_t i = 1; i < stream.size(); ++i) every.push_back(i);
    EXPECT_EQ(read_in_pieces(stream, every, true), whole) << whole.error;
  }
  EXPECT_TRUE(read_in_pieces(ok, {}, false).ok);
  EXPECT_FALSE(read_in_pieces(bare, {}, false).ok);
}

// The resumed framer does not look again at bytes it has searched: shown by changing one of
// them behind its back, which a from-scratch search would see.
TEST(StreamFramerResumeTest, ResumesWhereItStoppedInsteadOfRescanning) {
  std::string head = "INVITE sip:a@b SIP/2.0\r\nX-A: aaaa\r\n";
  FrameScan scan;
  EXPECT_EQ(find_frame(head, kMax, scan).kind, Kind::kNeedMore);
  EXPECT_EQ(scan.scanned, head.size() - 2);  // the last line end may start the empty line
  head[30] = '\0';
  const std::string more = head + "l: 0\r\n\r\n";
  EXPECT_EQ(find_frame(more, kMax, scan).kind, Kind::kMessage);
  EXPECT_EQ(find_frame(more, kMax).kind, Kind::kError);
  // Once the headers are in, waiting for the body costs no search at all.
  const std::string m = message_with_body(std::string(1000, 'b'));
  scan.reset();
  EXPECT_EQ(find_frame(std::string_view(m).substr(0, 500), kMax, scan).kind, Kind::kNeedMore);
  EXPECT_EQ(scan.total, m.size());
  EXPECT_EQ(find_frame(std::string_view(m).substr(0, m.size() - 1), kMax, scan).kind,
            Kind::kNeedMore);
  EXPECT_EQ(find_frame(m, kMax, scan).length, m.size());
}

}  // namespace
}  // namespace core::sip
