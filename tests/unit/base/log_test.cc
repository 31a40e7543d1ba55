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
  LogThrottle every_time(0);
  EXPECT_TRUE(every_time.allow());
  EXPECT_TRUE(every_time.allow());
}

}  // namespace
}  // namespace core
