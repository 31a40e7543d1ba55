#include "core/base/log.h"

#include <gtest/gtest.h>
#include <syslog.h>  // after log.h on purpose: our LOG_ERR must survive it

#include <string>
#include <vector>

namespace core {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_init(static_cast<int>(LogLevel::kNotice), true);
    log_set_sink([this](LogLevel level, std::string_view line) {
      levels_.push_back(level);
      lines_.emplace_back(line);
    });
  }
  void TearDown() override { log_set_sink(nullptr); }
  std::vector<LogLevel> levels_;
  std::vector<std::string> lines_;
};

int g_formatted = 0;
int expensive() {
  return ++g_formatted;
}

TEST_F(LogTest, FilteredLinesAreNeitherFormattedNorWritten) {
  g_formatted = 0;
  LOG_DBG("value %d", expensive());
  LOG_INFO("value %d", expensive());
  EXPECT_EQ(g_formatted, 0);
  EXPECT_TRUE(lines_.empty());
  LOG_NOTICE("value %d", expensive());
  EXPECT_EQ(g_formatted, 1);
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0], "NOTICE: value 1");
}

TEST_F(LogTest, ConnectionPrefixStartsTheLine) {
  SER_LOG(LogLevel::kError, "[c#42 tcp 10.0.0.1:5060<-203.0.113.9:40000]", "closed: %s", "eof");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0], "ERROR: [c#42 tcp 10.0.0.1:5060<-203.0.113.9:40000] closed: eof");
}

TEST_F(LogTest, MacrosSurviveSyslogHeader) {
  LOG_ERR("e");
  LOG_NOTICE("n");
  EXPECT_EQ(lines_.size(), 2u);
}

TEST_F(LogTest, LevelIsClampedToSersRange) {
  log_set_level(9);
  EXPECT_EQ(log_level(), 4);
  LOG_DBG("debug now");
  EXPECT_EQ(lines_.size(), 1u);
  log_set_level(-3);
  EXPECT_EQ(log_level(), 0);
  LOG_WARN("filtered");
  EXPECT_EQ(lines_.size(), 1u);
}

TEST_F(LogTest, OverlongLinesAreTruncatedNotOverflowed) {
  std::string big(5000, 'z');
  LOG_ERR("%s", big.c_str());
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_LT(lines_[0].size(), 1024u);
  EXPECT_EQ(lines_[0].substr(0, 8), "ERROR: z");
}

}  // namespace
}  // namespace core

namespace core {
namespace {

TEST(LogThrottleTest, AllowsOneLinePerIntervalAndCountsTheRest) {
  LogThrottle throttle(60000);
  EXPECT_TRUE(throttle.allow());
  EXPECT_FALSE(throttle.allow());
  EXPECT_FALSE(throttle.allow());
  EXPECT_EQ(throttle.take_suppressed(), 2u);
  EXPECT_EQ(throttle.take_suppressed(), 0u);
  LogThrottle every_time(int64_t{0});
  EXPECT_TRUE(every_time.allow());
  EXPECT_TRUE(every_time.allow());
}

}  // namespace
}  // namespace core

namespace core {
namespace {

std::string escaped(std::string_view text) {
  return std::string(LogEscaped(text).view());
}

TEST(LogEscapedTest, ControlBytesBecomeHexAndCannotStartANewLine) {
  EXPECT_EQ(escaped("a\r\nWARNING: forged"), "a\\x0d\\x0aWARNING: forged");
  EXPECT_EQ(escaped(std::string_view("nul\0here", 8)), "nul\\x00here");
  EXPECT_EQ(escaped("\x1b[31mred\x7f"), "\\x1b[31mred\\x7f");
  EXPECT_EQ(escaped("tab\there"), "tab\\x09here");
}

TEST(LogEscapedTest, PrintableTextAndUtf8AreKeptAndBackslashIsDoubled) {
  EXPECT_EQ(escaped("sip.example.org"), "sip.example.org");
  EXPECT_EQ(escaped("Jos\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e"),
            "Jos\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e");
  EXPECT_EQ(escaped("a\\x0ab"), "a\\\\x0ab");
}

TEST(LogEscapedTest, BytesThatAreNotUtf8OrAreC1ControlsBecomeHex) {
  EXPECT_EQ(escaped("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(escaped("\xc3("), "\\xc3(");         // truncated sequence
  EXPECT_EQ(escaped("\xc0\xaf"), "\\xc0\\xaf");  // overlong '/'
  EXPECT_EQ(escaped("\xc2\x9b"
                    "2J"),
            "\\xc2\\x9b"
            "2J");  // C1 CSI
  EXPECT_EQ(escaped("a\xe2\x80\xa8"
                    "b"),
            "a\\xe2\\x80\\xa8"
            "b");  // U+2028 line separator
}

TEST(LogEscapedTest, LongTextIsCutWithinTheBuffer) {
  std::string big(1000, '\n');
  std::string out = escaped(big);
  EXPECT_LT(out.size(), LogEscaped::kCapacity);
  EXPECT_EQ(out.substr(out.size() - 3), "...");
  EXPECT_EQ(out.substr(0, 8), "\\x0a\\x0a");
}

TEST_F(LogTest, ControlBytesPrintedRawStillGiveOneLine) {
  LOG_ERR("peer said %s", "hi\r\nERROR: forged line");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0], "ERROR: peer said hi\\x0d\\x0aERROR: forged line");
}

TEST_F(LogTest, ThrottledLinesAreSummarisedWithTheirCount) {
  LogThrottle throttle("tls handshake failed", 60000, 3);
  for (int i = 0; i < 1237; ++i)
    SER_LOG_THROTTLED(throttle, LogLevel::kWarning, "[c#1]", "handshake failed: %d", i);
  ASSERT_EQ(lines_.size(), 3u);
  EXPECT_EQ(lines_[2], "WARNING: [c#1] handshake failed: 2");
  throttle.flush();  // the window is not over: nothing yet
  EXPECT_EQ(lines_.size(), 3u);
  throttle.flush(true);  // at stop
  ASSERT_EQ(lines_.size(), 4u);
  EXPECT_EQ(lines_[3],
            "WARNING: tls handshake failed: and 1,234 more in the last 1 s (not logged one by "
            "one)");
  throttle.flush(true);  // said once
  EXPECT_EQ(lines_.size(), 4u);
}

TEST_F(LogTest, FlushAllSummarisesEveryLiveThrottle) {
  LogThrottle quiet("bad framing", 60000, 1);
  LogThrottle held("connect failed", 60000, 1);
  SER_LOG_THROTTLED(held, LogLevel::kWarning, nullptr, "connect failed: a");
  SER_LOG_THROTTLED(held, LogLevel::kWarning, nullptr, "connect failed: b");
  SER_LOG_THROTTLED(quiet, LogLevel::kWarning, nullptr, "framing: a");
  ASSERT_EQ(lines_.size(), 2u);
  LogThrottle::flush_all(true);
  ASSERT_EQ(lines_.size(), 3u);
  EXPECT_EQ(lines_[2],
            "WARNING: connect failed: and 1 more in the last 1 s (not logged one by one)");
}

TEST_F(LogTest, SummaryTakesTheLevelOfTheWorstLineHeldBack) {
  LogThrottle throttle("handshake failed", 60000, 1);
  SER_LOG_THROTTLED(throttle, LogLevel::kNotice, nullptr, "first");
  SER_LOG_THROTTLED(throttle, LogLevel::kNotice, nullptr, "second");
  SER_LOG_THROTTLED(throttle, LogLevel::kWarning, nullptr, "third");
  throttle.flush(true);
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(levels_[1], LogLevel::kWarning);
}

}  // namespace
}  // namespace core
