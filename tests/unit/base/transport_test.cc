#include "core/base/transport.h"

#include <gtest/gtest.h>

namespace core {
namespace {

TEST(TransportTest, NamesRoundTrip) {
  for (Transport t : {Transport::kUdp, Transport::kTcp, Transport::kTls}) {
    EXPECT_EQ(Transport::parse(t.name()), t);
    EXPECT_EQ(Transport::parse(t.upper_name()), t);
  }
  EXPECT_STREQ(Transport(Transport::kTls).name(), "tls");
  EXPECT_STREQ(Transport(Transport::kTcp).upper_name(), "TCP");
}

TEST(TransportTest, ParseIsCaseInsensitiveAndRejectsOthers) {
  EXPECT_EQ(Transport::parse("Tls"), Transport::kTls);
  EXPECT_EQ(Transport::parse("uDP"), Transport::kUdp);
  EXPECT_FALSE(Transport::parse("SCTP"));
  EXPECT_FALSE(Transport::parse("WS"));
  EXPECT_FALSE(Transport::parse("tl"));
  EXPECT_FALSE(Transport::parse("tlss"));
  EXPECT_FALSE(Transport::parse(""));
}

TEST(TransportTest, Properties) {
  EXPECT_FALSE(Transport(Transport::kUdp).is_stream());
  EXPECT_TRUE(Transport(Transport::kTcp).is_stream());
  EXPECT_TRUE(Transport(Transport::kTls).is_secure());
  EXPECT_FALSE(Transport(Transport::kTcp).is_secure());
  EXPECT_EQ(Transport(Transport::kUdp).default_port(), 5060);
  EXPECT_EQ(Transport(Transport::kTls).default_port(), 5061);
}

TEST(TransportTest, SwitchesLikeAnEnum) {
  auto label = [](Transport t) {
    switch (t) {
      case Transport::kUdp:
        return 1;
      case Transport::kTcp:
        return 2;
      case Transport::kTls:
        return 3;
    }
    return 0;
  };
  EXPECT_EQ(label(Transport::kTcp), 2);
  EXPECT_EQ(Transport(Transport::kTls).index(), 2u);
}

}  // namespace
}  // namespace core
