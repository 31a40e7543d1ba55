#include "tools/sipbench/run_stats.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tools/sipbench/fd_limit.h"

namespace sipbench {
namespace {

TEST(RunStats, AConnectionClosedWhileHeldIsCountedButIsNotAFailedSetup) {
  RunStats s;
  s.count_error(ErrorKind::kHandshakeFailed, "handshake failed: certificate verify failed");
  s.count_error(ErrorKind::kHandshakeFailed, "second");
  s.count_error(ErrorKind::kClosedWhileHeld, "held: closed by the server");
  EXPECT_EQ(s.failed, 2u);
  EXPECT_EQ(s.errors[static_cast<size_t>(ErrorKind::kHandshakeFailed)], 2u);
  EXPECT_EQ(s.first_error[static_cast<size_t>(ErrorKind::kHandshakeFailed)],
            "handshake failed: certificate verify failed");
  EXPECT_EQ(s.errors[static_cast<size_t>(ErrorKind::kClosedWhileHeld)], 1u);
}

TEST(RunStats, TheJsonLineCarriesCountsErrorsByKindAndPercentiles) {
  Options o;
  o.mode = Mode::kHandshake;
  o.total = 4;
  o.target_text = "127.0.0.1:5061";
  RunStats s;
  s.started = 4;
  s.succeeded = 3;
  for (uint64_t us : {100, 200, 300}) s.latency.add(us);
  s.count_error(ErrorKind::kConnectRefused, "connect: Connection refused");
  RunTimes t{1.5, 1.5, 0.25};
  auto line = summary_json(o, s, t);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["mode"], "handshake");
  EXPECT_EQ(j["requested"], 4);
  EXPECT_EQ(j["succeeded"], 3);
  EXPECT_EQ(j["failed"], 1);
  EXPECT_EQ(j["errors"]["connect_refused"], 1);
  EXPECT_EQ(j["errors"]["timeout"], 0);
  EXPECT_EQ(j["latency_us"]["p50"], 200);
  EXPECT_EQ(j["latency_us"]["max"], 300);
  EXPECT_DOUBLE_EQ(j["rate_per_s"].get<double>(), 2.0);
  std::ostringstream text;
  print_summary(text, o, s, t);
  EXPECT_NE(text.str().find("error connect_refused: 1 (first: connect: Connection refused)"),
            std::string::npos)
      << text.str();
}

TEST(FdLimit, WarnsOnlyWhenTheConnectionsDoNotFit) {
  EXPECT_EQ(fd_limit_warning(1000, 20000), "");
  auto warning = fd_limit_warning(20000, 20000);
  EXPECT_NE(warning.find("RLIMIT_NOFILE is 20000"), std::string::npos) << warning;
  EXPECT_NE(warning.find("about 19984 of the 20000"), std::string::npos) << warning;
}

}  // namespace
}  // namespace sipbench
