#include "tools/sipbench/options.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <vector>

namespace sipbench {
namespace {

ParseOutcome parse(std::vector<const char*> args) {
  args.insert(args.begin(), "sipbench");
  return parse_options(static_cast<int>(args.size()), args.data());
}

TEST(Options, IdleWithItsNumbers) {
  auto out = parse(
      {"idle", "127.0.0.1:5061", "-c", "2500", "-d", "1.5", "-p", "50", "--tls-version", "1.3"});
  ASSERT_TRUE(out.options) << out.error;
  const Options& o = *out.options;
  EXPECT_EQ(o.mode, Mode::kIdle);
  EXPECT_EQ(o.transport, Transport::kTls);
  EXPECT_EQ(o.connections, 2500u);
  EXPECT_EQ(o.duration.count(), 1500);
  EXPECT_EQ(o.concurrency, 50u);
  EXPECT_EQ(o.tls_version, TlsVersion::k13);
  EXPECT_TRUE(o.send_options);
  EXPECT_EQ(ntohs(o.target.sin_port), 5061);
}

TEST(Options, HandshakeSendsNoRequestUnlessAskedTo) {
  auto plain = parse({"handshake", "127.0.0.1:5061", "-n", "30"});
  ASSERT_TRUE(plain.options) << plain.error;
  EXPECT_EQ(plain.options->total, 30u);
  EXPECT_FALSE(plain.options->send_options);
  auto with = parse({"handshake", "127.0.0.1:5061", "--options", "--resume"});
  ASSERT_TRUE(with.options) << with.error;
  EXPECT_TRUE(with.options->send_options);
  EXPECT_TRUE(with.options->resume);
  EXPECT_TRUE(with.options->builtin_key_methods);  // the default
  auto provider = parse({"handshake", "127.0.0.1:5061", "--provider-key-decoding"});
  ASSERT_TRUE(provider.options) << provider.error;
  EXPECT_FALSE(provider.options->builtin_key_methods);
}

TEST(Options, LocalIpsMayBeRepeatedOrCommaSeparated) {
  auto out = parse(
      {"idle", "127.0.0.1:5061", "--local-ip", "127.0.0.2,127.0.0.3", "--local-ip", "127.0.0.4"});
  ASSERT_TRUE(out.options) << out.error;
  ASSERT_EQ(out.options->local_ips.size(), 3u);
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &out.options->local_ips[2], text, sizeof text);
  EXPECT_STREQ(text, "127.0.0.4");
}

// The contract `bench` scripts against: sipbench options IP:PORT [-T udp|tcp|tls] [-c CONNS]
// [-w WINDOW] [-d SECONDS] [--warmup SECONDS] [--rate R] [--ruri URI] [--timeout S]
// [--tls-version 1.2|1.3] [--ca F] [--sni N] [--local-ip A] [-q].
TEST(Options, OptionsModeTakesTheContractsOptions) {
  auto out = parse({"options",
                    "127.0.0.1:5061",
                    "-T",
                    "tls",
                    "-c",
                    "100",
                    "-w",
                    "8",
                    "-d",
                    "6",
                    "--warmup",
                    "2",
                    "--rate",
                    "20000",
                    "--ruri",
                    "sip:bench@127.0.0.1",
                    "--timeout",
                    "2",
                    "--tls-version",
                    "1.3",
                    "--ca",
                    "ca.pem",
                    "--sni",
                    "localhost",
                    "--local-ip",
                    "127.0.0.2",
                    "-q",
                    "-p",
                    "50"});
  ASSERT_TRUE(out.options) << out.error;
  const Options& o = *out.options;
  EXPECT_EQ(o.mode, Mode::kOptions);
  EXPECT_EQ(o.connections, 100u);
  EXPECT_EQ(o.window, 8u);
  EXPECT_EQ(o.duration.count(), 6000);
  EXPECT_EQ(o.warmup.count(), 2000);
  EXPECT_EQ(o.rate, 20000);
  EXPECT_EQ(o.ruri, "sip:bench@127.0.0.1");
  EXPECT_EQ(o.timeout.count(), 2000);
  EXPECT_EQ(o.concurrency, 50u);
  EXPECT_FALSE(o.progress);
  EXPECT_FALSE(o.send_options);  // the set-up is connect and handshake only
}

TEST(Options, OptionsModeDefaultsAndUdp) {
  auto out = parse({"options", "127.0.0.1:5060", "-T", "udp"});
  ASSERT_TRUE(out.options) << out.error;
  const Options& o = *out.options;
  EXPECT_EQ(o.transport, Transport::kUdp);
  EXPECT_EQ(o.connections, 100u);
  EXPECT_EQ(o.window, 8u);
  EXPECT_EQ(o.concurrency, 100u);
  EXPECT_EQ(o.rate, 0);  // closed loop: each connection keeps -w outstanding
  EXPECT_EQ(o.warmup.count(), 0);
  EXPECT_EQ(o.duration.count(), 10000);
  EXPECT_TRUE(o.ruri.empty());
}

// Each bad command line is refused with a message naming what is wrong.
struct Refused {
  std::vector<const char*> args;
  const char* says;
};

class OptionsRefused : public testing::TestWithParam<Refused> {};

TEST_P(OptionsRefused, NamesTheProblem) {
  auto out = parse(GetParam().args);
  EXPECT_FALSE(out.options);
  EXPECT_NE(out.error.find(GetParam().says), std::string::npos) << out.error;
}

INSTANTIATE_TEST_SUITE_P(
    BadCommandLines, OptionsRefused,
    testing::Values(
        Refused{{"idle"}, "expected MODE and TARGET"},
        Refused{{"flood", "127.0.0.1:5061"}, "MODE: expected options, idle or handshake"},
        Refused{{"idle", "localhost:5061"}, "TARGET: expected IPv4:PORT"},
        Refused{{"idle", "127.0.0.1:70000"}, "TARGET"}, Refused{{"idle", "127.0.0.1"}, "TARGET"},
        Refused{{"idle", "127.0.0.1:5061", "-T", "udp"}, "-T udp is for the options mode"},
        Refused{{"options", "127.0.0.1:5061", "-T", "sctp"}, "-T: expected tls, tcp or udp"},
        Refused{{"idle", "127.0.0.1:5061", "-c", "0"}, "-c: expected 1 to"},
        Refused{{"idle", "127.0.0.1:5061", "-p", "0"}, "-p: expected 1 to"},
        Refused{{"idle", "127.0.0.1:5061", "--timeout", "0"}, "--timeout"},
        Refused{{"idle", "127.0.0.1:5061", "-d", "-1"}, "-d: expected 0 to"},
        Refused{{"idle", "127.0.0.1:5061", "--tls-version", "1.1"}, "--tls-version"},
        Refused{{"idle", "127.0.0.1:5061", "-T", "tcp", "--ca", "ca.pem"}, "need -T tls"},
        Refused{{"options", "127.0.0.1:5061", "-T", "udp", "--provider-key-decoding"},
                "need -T tls"},
        Refused{{"idle", "127.0.0.1:5061", "--cert", "c.pem"}, "--cert and --key"},
        Refused{{"idle", "127.0.0.1:5061", "--resume"}, "--resume is for the handshake"},
        Refused{{"idle", "127.0.0.1:5061", "--options"}, "--options is for the handshake"},
        Refused{{"idle", "127.0.0.1:5061", "-n", "5"}, "-n is for the handshake"},
        Refused{{"handshake", "127.0.0.1:5061", "-c", "5"}, "-c is for the idle"},
        Refused{{"idle", "127.0.0.1:5061", "--local-ip", "127.0.0.2,nope"}, "'nope'"},
        Refused{{"idle", "127.0.0.1:5061", "--bogus"}, "bogus"},
        Refused{{"options", "127.0.0.1:5061", "-w", "0"}, "-w: expected 1 to 10000"},
        Refused{{"options", "127.0.0.1:5061", "-w", "10001"}, "-w: expected 1 to 10000"},
        Refused{{"options", "127.0.0.1:5061", "--rate", "0"}, "--rate: expected 1 to"},
        Refused{{"options", "127.0.0.1:5061", "--rate", "nan"}, "--rate"},
        Refused{{"options", "127.0.0.1:5061", "--warmup", "-1"}, "--warmup: expected 0 to"},
        Refused{{"options", "127.0.0.1:5061", "--ruri", "http://x"}, "--ruri: expected a sip:"},
        Refused{{"options", "127.0.0.1:5061", "--ruri", "sip:a b"}, "--ruri"},
        Refused{{"options", "127.0.0.1:5061", "-n", "5"}, "-n is for the handshake"},
        Refused{{"options", "127.0.0.1:5061", "--resume"}, "--resume is for the handshake"},
        Refused{{"options", "127.0.0.1:5060", "-T", "udp", "--sni", "x"}, "need -T tls"},
        Refused{{"idle", "127.0.0.1:5061", "-w", "4"}, "-w is for the options mode"},
        Refused{{"idle", "127.0.0.1:5061", "--rate", "10"}, "--rate is for the options mode"},
        Refused{{"handshake", "127.0.0.1:5061", "--warmup", "1"}, "--warmup is for the options"},
        Refused{{"handshake", "127.0.0.1:5061", "--ruri", "sip:a"}, "--ruri is for the modes"},
        Refused{{"handshake", "127.0.0.1:5061", "-d", "3"}, "-d is for the idle and options"}));

TEST(Options, HelpIsNotAnError) {
  auto out = parse({"--help"});
  EXPECT_TRUE(out.help);
  EXPECT_NE(out.usage.find("usage: sipbench MODE TARGET"), std::string::npos);
}

}  // namespace
}  // namespace sipbench
