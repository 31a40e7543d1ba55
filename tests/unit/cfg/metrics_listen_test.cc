// `metrics_listen = IP:PORT`: off unless set; a numeric address and a port, written back in one
// spelling; every other value refused with the reason and where.
#include <gtest/gtest.h>

#include "tests/unit/cfg/load_helper.h"

namespace cfg {
namespace {

using test::load_text;

TEST(MetricsListenTest, IsOffUnlessSet) {
  auto r = load_text("children = 1\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.metrics_listen, "");
}

TEST(MetricsListenTest, TakesAnIpv4OrIpv6AddressAndAPort) {
  auto r = load_text("metrics_listen = 127.0.0.1:9090\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.metrics_listen, "127.0.0.1:9090");
  r = load_text("metrics_listen = \"[0:0::1]:9100\"\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.metrics_listen, "[::1]:9100");
  r = load_text("metrics_listen = 0.0.0.0:9090\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.metrics_listen, "0.0.0.0:9090");
}

TEST(MetricsListenTest, BadValuesSayWhatIsWrongAndWhere) {
  struct Case {
    const char* text;
    const char* error;
  };
  for (const Case& c : {
           Case{"metrics_listen = 127.0.0.1\n",
                "t.cfg:1:18: error: invalid value for 'metrics_listen': expected IP:PORT, found "
                "'127.0.0.1' (no port)\n"},
           Case{"metrics_listen = localhost:9090\n",
                "t.cfg:1:18: error: invalid value for 'metrics_listen': expected an IP address "
                "(IPv4 or [IPv6]), found 'localhost'\n"},
           Case{"metrics_listen = 127.0.0.1:0\n",
                "t.cfg:1:18: error: invalid value for 'metrics_listen': expected a port from 1 "
                "to 65535, found '0'\n"},
           Case{"metrics_listen = 127.0.0.1:99999\n",
                "t.cfg:1:18: error: invalid value for 'metrics_listen': expected a port from 1 "
                "to 65535, found '99999'\n"},
           Case{"metrics_listen = \"::1:9090\"\n",
                "t.cfg:1:18: error: invalid value for 'metrics_listen': expected an IPv6 "
                "address in brackets (like [::1]:5060), found '::1:9090'\n"},
       }) {
    auto r = load_text(c.text);
    EXPECT_FALSE(r.ok) << c.text;
    EXPECT_EQ(r.text(), c.error) << c.text;
  }
}

}  // namespace
}  // namespace cfg
