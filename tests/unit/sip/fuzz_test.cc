// Random mutations of valid messages through every parser. The only assertions are the
// invariants a caller relies on (views stay inside the buffer, frames are not longer than
// the input); the point is no crash and no read past the buffer (run under ASan to see the
// latter). Bounded and deterministic: fixed seed, a few thousand iterations.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/sip/message_edit.h"
#include "core/sip/name_addr.h"
#include "core/sip/sip_message.h"
#include "core/sip/sip_uri.h"
#include "core/sip/stream_framer.h"
#include "core/sip/text.h"
#include "core/sip/via.h"
#include "tests/unit/sip/test_messages.h"

namespace core::sip {
namespace {

constexpr int kIterations = 4000;
constexpr char kInteresting[] = {'\0', '\r', '\n', ' ', '\t', ',', ';', ':', '<', '>', '"',
                                 '\\', '[',  ']',  '%', '@',  '=', '/', '?', '9', 'a', '\x7f'};

std::string mutate(std::string s, std::mt19937& rng) {
  const int rounds = 1 + static_cast<int>(rng() % 4);
  for (int r = 0; r < rounds && !s.empty(); ++r) {
    const size_t pos = rng() % s.size();
    const char c =
        (rng() % 2) ? kInteresting[rng() % sizeof(kInteresting)] : static_cast<char>(rng() % 256);
    switch (rng() % 5) {
      case 0:
        s[pos] = c;
        break;
      case 1:
        s.insert(pos, 1 + rng() % 3, c);
        break;
      case 2:
        s.erase(pos, 1 + rng() % 8);
        break;
      case 3:
        s.resize(pos);
        break;
      default:
        s.insert(pos, s.substr(rng() % s.size(), rng() % 40));
        break;
    }
  }
  return s;
}

bool inside(std::string_view outer, std::string_view inner) {
  return inner.empty() || (inner.data() >= outer.data() &&
                           inner.data() + inner.size() <= outer.data() + outer.size());
}

void exercise_values(const SipMessage& msg) {
  for (const HeaderField& h : msg.headers()) {
    ASSERT_TRUE(inside(msg.data(), msg.line(h)));
    ASSERT_TRUE(inside(msg.line(h), msg.value(h)));
    ValueSplitter values(msg.value(h));
    std::string_view v;
    while (values.next(v)) {
      ASSERT_TRUE(inside(msg.value(h), v));
      if (h.type == HeaderType::kVia) {
        Via via;
        if (via.parse(v).ok()) {
          ASSERT_TRUE(inside(v, via.host()));
          ASSERT_TRUE(inside(v, via.branch().value));
        }
      } else {
        NameAddr addr;
        SipUri uri;
        if (addr.parse(v).ok() && addr.parse_uri(uri).ok()) {
          ASSERT_TRUE(inside(v, uri.host()));
        }
      }
    }
  }
  CSeq cseq;
  int mf = 0;
  (void)msg.cseq(cseq);
  (void)msg.max_forwards(mf);
  SipUri uri;
  (void)msg.parsed_request_uri(uri);
  (void)msg.validate();
}

void exercise_edit(const SipMessage& msg, std::mt19937& rng) {
  MessageEdit edit(msg.data());
  const size_t n = msg.data().size() + 1;
  edit.insert(rng() % n, "X-Inserted: 1\r\n");
  edit.remove(rng() % n, rng() % 16);
  edit.replace(rng() % n, rng() % 8, edit.keep_number(rng()));
  if (!msg.headers().empty()) {
    const HeaderField& h = msg.headers()[rng() % msg.headers().size()];
    edit.remove_header(h);
  }
  std::string out;
  if (edit.apply(out) == EditError::kNone) {
    ASSERT_EQ(out.size(), edit.result_size());
  }
}

TEST(FuzzTest, MutatedMessagesNeverCrash) {
  const std::vector<std::string> seeds = {
      test::invite("v=0\r\no=- 0 0 IN IP4 192.0.2.1\r\n"),
      test::ok_response(),
      test::crlf(
          {"REGISTER sips:[2001:db8::1]:5061 SIP/2.0",
           "v: SIP/2.0/TLS [2001:db8::2]:5061;rport;branch=z9hG4bKq, SIP/2.0/UDP h;received=::1",
           "f: \"A, \\\"B\\\"\" <sips:a%40b@example.com;transport=tls>;tag=x",
           "t: sip:a@example.com", "i: 1@2", "CSeq: 7 REGISTER",
           "m: <sip:a@[::1]:5062;ob>;expires=60, *", "Subject: folded", "  value", "l: 0"}),
  };
  std::mt19937 rng(20261123);
  int parsed_ok = 0;
  for (int i = 0; i < kIterations; ++i) {
    const std::string mutated = mutate(seeds[i % seeds.size()], rng);
    // An exact-size heap copy so that any read past the end is caught by ASan.
    const size_t size = mutated.size();
    std::unique_ptr<char[]> exact(new char[size == 0 ? 1 : size]);
    mutated.copy(exact.get(), size);
    const std::string_view buf(exact.get(), size);

    const Frame f = find_frame(buf, 1 + rng() % 2048);
    if (f.kind == Frame::Kind::kMessage || f.kind == Frame::Kind::kPing ||
        f.kind == Frame::Kind::kSkip) {
      ASSERT_GT(f.length, 0u);
      ASSERT_LE(f.length, size);
    }
    SipMessage msg;
    if (!msg.parse(buf).ok()) continue;
    ++parsed_ok;
    ASSERT_TRUE(inside(buf, msg.data()));
    ASSERT_TRUE(inside(msg.data(), msg.body()));
    exercise_values(msg);
    exercise_edit(msg, rng);
  }
  // The mutations are mild enough that many inputs still parse and reach the value parsers.
  EXPECT_GT(parsed_ok, kIterations / 10);
}

}  // namespace
}  // namespace core::sip
