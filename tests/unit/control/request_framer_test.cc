#include "core/control/request_framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace core::control {
namespace {

using Status = RequestFramer::Status;

// Feeds `stream` in pieces of `step` bytes, as a socket would deliver it, and returns the
// request texts in order.
std::vector<std::string> frames(const std::string& stream, size_t step, size_t max = 1024) {
  RequestFramer framer(max);
  std::string buffer;
  std::vector<std::string> out;
  for (size_t i = 0; i < stream.size(); i += step) {
    buffer += stream.substr(i, step);
    for (;;) {
      auto f = framer.next(buffer);
      if (f.status == Status::kNeedMore) {
        buffer.erase(0, f.skip);
        break;
      }
      if (f.status == Status::kTooLarge) return {"<too large>"};
      out.push_back(buffer.substr(f.begin, f.end - f.begin));
      buffer.erase(0, f.end);
    }
  }
  return out;
}

TEST(RequestFramerTest, ObjectsEndAtTheirClosingBraceWithOrWithoutANewline) {
  std::string s = "{\"a\":1}{\"b\":[2,{\"c\":3}]}\n  {\"d\":4}";
  std::vector<std::string> want = {"{\"a\":1}", "{\"b\":[2,{\"c\":3}]}", "{\"d\":4}"};
  EXPECT_EQ(frames(s, s.size()), want);
}

TEST(RequestFramerTest, EverySplitGivesTheSameRequests) {
  std::string s = "{\"m\":\"x}\\\"{\"}\n[1,2]\n{\n \"pretty\": true\n}\n";
  auto whole = frames(s, s.size());
  ASSERT_EQ(whole.size(), 3u);
  EXPECT_EQ(whole[0], "{\"m\":\"x}\\\"{\"}");
  for (size_t step = 1; step < s.size(); ++step) EXPECT_EQ(frames(s, step), whole) << step;
}

TEST(RequestFramerTest, GarbageIsOneRequestPerLineSoTheStreamResynchronises) {
  std::string s = "hello world\n42\n{\"ok\":1}";
  std::vector<std::string> want = {"hello world\n", "42\n", "{\"ok\":1}"};
  EXPECT_EQ(frames(s, 1), want);
}

TEST(RequestFramerTest, BlankSpaceBetweenRequestsNeverCountsTowardsTheLimit) {
  std::string s(5000, '\n');
  s += "{}";
  std::vector<std::string> want = {"{}"};
  EXPECT_EQ(frames(s, 7, 100), want);
}

TEST(RequestFramerTest, ARequestOverTheLimitIsTooLarge) {
  std::string big = "{\"x\":\"" + std::string(2000, 'a') + "\"}";
  EXPECT_EQ(frames(big, 100, 1024), std::vector<std::string>{"<too large>"});
  std::string line(2000, 'z');
  EXPECT_EQ(frames(line, 100, 1024), std::vector<std::string>{"<too large>"});
}

TEST(RequestFramerTest, AnUnterminatedRequestIsPartialAtTheEnd) {
  RequestFramer framer(1024);
  EXPECT_EQ(framer.next("  {\"jsonrpc\":").status, Status::kNeedMore);
  EXPECT_TRUE(framer.has_partial());
  RequestFramer blank(1024);
  EXPECT_EQ(blank.next(" \n ").skip, 3u);
  EXPECT_FALSE(blank.has_partial());
}

}  // namespace
}  // namespace core::control
