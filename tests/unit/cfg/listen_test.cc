// `listen` and `alias` values: protocols, IPv4, [IPv6], host names, default ports, errors.
#include <gtest/gtest.h>

#include "cfg/listen_parse.h"
#include "tests/unit/cfg/load_helper.h"

namespace cfg {
namespace {

using test::load_text;

ListenConfig listen_of(const std::string& value) {
  ListenConfig l;
  std::string error;
  EXPECT_TRUE(parse_listen(value, &l, &error)) << value << ": " << error;
  return l;
}

TEST(ListenTest, ProtocolsAndDefaultPorts) {
  EXPECT_EQ(listen_of("udp:192.0.2.1").to_string(), "udp:192.0.2.1:5060");
  EXPECT_EQ(listen_of("tcp:192.0.2.1").to_string(), "tcp:192.0.2.1:5060");
  EXPECT_EQ(listen_of("tls:192.0.2.1").to_string(), "tls:192.0.2.1:5061");
  EXPECT_FALSE(listen_of("tls:192.0.2.1").port_given);
  EXPECT_TRUE(listen_of("udp:192.0.2.1:5070").port_given);
}

TEST(ListenTest, ProtocolNamesAreCaseInsensitive) {
  EXPECT_EQ(listen_of("UDP:192.0.2.1:5070").to_string(), "udp:192.0.2.1:5070");
  EXPECT_EQ(listen_of("Tls:192.0.2.1").proto, core::Transport::kTls);
}

TEST(ListenTest, Ipv6InBrackets) {
  ListenConfig l = listen_of("tcp:[2001:db8::1]:5080");
  EXPECT_EQ(l.host, "2001:db8::1");
  EXPECT_EQ(l.host_kind, HostKind::kIpv6);
  EXPECT_EQ(l.port, 5080);
  EXPECT_EQ(l.to_string(), "tcp:[2001:db8::1]:5080");
  EXPECT_EQ(listen_of("tls:[::1]").to_string(), "tls:[::1]:5061");
  // One spelling per address, so that domains and sockets compare equal.
  EXPECT_EQ(listen_of("udp:[0:0::1]").host, "::1");
}

TEST(ListenTest, HostNamesAreKeptForResolutionAtStart) {
  ListenConfig l = listen_of("udp:SIP.Example.org:5060");
  EXPECT_EQ(l.host_kind, HostKind::kName);
  EXPECT_EQ(l.host, "sip.example.org");
  EXPECT_EQ(listen_of("tcp:localhost").to_string(), "tcp:localhost:5060");
}

TEST(ListenTest, PortZeroLetsTheSystemChoose) {
  EXPECT_EQ(listen_of("udp:127.0.0.1:0").port, 0);
}

TEST(ListenTest, RepeatableInTheConfigWithLocations) {
  auto r = load_text("listen = udp:127.0.0.1\nlisten=tcp:[::1]:5070 # v6\n");
  ASSERT_TRUE(r.ok) << r.text();
  ASSERT_EQ(r.config.core.listen.size(), 2u);
  EXPECT_EQ(r.config.core.listen[1].to_string(), "tcp:[::1]:5070");
  EXPECT_EQ(r.config.core.listen[1].loc.to_string(), "t.cfg:2:8");
  EXPECT_EQ(r.config.effective_listen().size(), 2u);
}

TEST(ListenTest, AliasForms) {
  auto r = load_text(
      "alias = example.org\nalias = example.org:5061\nalias = [2001:db8::5]:5060\n"
      "alias = 192.0.2.7\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.aliases, (std::vector<std::string>{"example.org", "example.org:5061",
                                                             "[2001:db8::5]:5060", "192.0.2.7"}));
}

struct ListenError {
  const char* text;
  const char* error;
};

class ListenErrorTest : public ::testing::TestWithParam<ListenError> {};

TEST_P(ListenErrorTest, ReportsExactLocationAndMessage) {
  auto r = load_text(GetParam().text);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_error(), GetParam().error) << r.text();
}

INSTANTIATE_TEST_SUITE_P(
    Listen, ListenErrorTest,
    ::testing::Values(
        ListenError{"listen = sctp:192.0.2.1\n",
                    "t.cfg:1:10: error: invalid value for 'listen': expected protocol udp, tcp "
                    "or tls, found 'sctp'"},
        ListenError{"listen = tsl:192.0.2.1\n",
                    "t.cfg:1:10: error: invalid value for 'listen': expected protocol udp, tcp "
                    "or tls, found 'tsl', did you mean 'tls'?"},
        ListenError{"listen = 192.0.2.1:5060\n",
                    "t.cfg:1:10: error: invalid value for 'listen': expected PROTO:ADDR[:PORT] "
                    "with PROTO udp, tcp or tls, found '192.0.2.1:5060'"},
        ListenError{"listen = udp:192.0.2.1:70000\n",
                    "t.cfg:1:10: error: invalid value for 'listen': expected a port from 0 to "
                    "65535, found '70000'"},
        ListenError{"listen = udp:192.0.2.1:\n",
                    "t.cfg:1:10: error: invalid value for 'listen': expected a port from 0 to "
                    "65535, found nothing"},
        ListenError{"listen = udp:192.0.2.256\n",
                    "t.cfg:1:10: error: invalid value for 'listen': expected an IPv4 address, "
                    "found '192.0.2.256'"},
        ListenError{"listen = udp:::1\n",
                    "t.cfg:1:10: error: invalid value for 'listen': expected an IPv6 address in "
                    "brackets (like [::1]:5060), found '::1'"},
        ListenError{"listen = udp:[::g]:5060\n",
                    "t.cfg:1:10: error: invalid value for 'listen': expected an IPv6 address "
                    "inside '[ ]', found '[::g]:5060'"},
        ListenError{"listen = udp:[::1]5060\n",
                    "t.cfg:1:10: error: invalid value for 'listen': expected ':PORT' after ']', "
                    "found '5060'"},
        ListenError{"listen = udp:bad_host\n",
                    "t.cfg:1:10: error: invalid value for 'listen': expected an IPv4 address, "
                    "[IPv6] or host name, found 'bad_host'"},
        ListenError{"listen = udp:\n",
                    "t.cfg:1:10: error: invalid value for 'listen': expected an address, found "
                    "nothing"},
        ListenError{"alias = example.org:0\n",
                    "t.cfg:1:9: error: invalid value for 'alias': expected a port from 1 to "
                    "65535, found '0'"},
        ListenError{"alias = -bad-.example\n",
                    "t.cfg:1:9: error: invalid value for 'alias': expected an IPv4 address, "
                    "[IPv6] or host name, found '-bad-.example'"}));

TEST(ListenTest, DuplicateSocketIsAnErrorWithANote) {
  auto r = load_text("listen = udp:127.0.0.1\nlisten = UDP:127.0.0.1:5060\n");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.text(),
            "t.cfg:2:10: error: duplicate listen socket 'udp:127.0.0.1:5060'\n"
            "t.cfg:1:10: note: 'udp:127.0.0.1:5060' was first given here\n");
}

#if SER_WITH_TLS
TEST(ListenTest, TlsListenerWithTls) {
  auto r = load_text("listen = tls:127.0.0.1\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.config.core.listen.at(0).to_string(), "tls:127.0.0.1:5061");
}

TEST(ListenTest, DisableTlsDropsTlsListenersWithAWarning) {
  auto r = load_text("listen = udp:127.0.0.1\nlisten = tls:127.0.0.1\ndisable_tls = yes\n");
  ASSERT_TRUE(r.ok) << r.text();
  EXPECT_EQ(r.text(),
            "t.cfg:2:10: warning: listen 'tls:127.0.0.1:5061' is ignored: disable_tls is set\n");
  ASSERT_EQ(r.config.core.listen.size(), 1u);
  EXPECT_EQ(r.config.core.listen[0].to_string(), "udp:127.0.0.1:5060");
}
#else
TEST(ListenTest, TlsListenerWithoutTlsSupportIsAnError) {
  auto r = load_text("listen = udp:127.0.0.1\nlisten = tls:127.0.0.1:5061\n");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.text(),
            "t.cfg:2:10: error: listen 'tls:127.0.0.1:5061': ser was built without TLS support "
            "(rebuild with make TLS=1)\n");
}
#endif

}  // namespace
}  // namespace cfg
