// RFC 3263 target selection over fake answers put in the cache.
#include "core/dns/server_locator.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace core::dns {
namespace {

using core::net::SocketAddr;
using Clock = Cache::Clock;

Answer addresses(std::initializer_list<const char*> ips, uint32_t ttl = 300) {
  Answer a;
  a.status = Status::kOk;
  a.ttl = ttl;
  for (const char* ip : ips) a.addresses.push_back(*SocketAddr::parse(ip, 0));
  return a;
}

Answer srv(std::initializer_list<SrvRecord> records, uint32_t ttl = 300) {
  Answer a;
  a.status = Status::kOk;
  a.ttl = ttl;
  a.srv = records;
  return a;
}

Answer naptr(std::initializer_list<NaptrRecord> records) {
  Answer a;
  a.status = Status::kOk;
  a.ttl = 300;
  a.naptr = records;
  return a;
}

Answer negative(Status s = Status::kNxDomain) {
  Answer a;
  a.status = s;
  a.ttl = 60;
  return a;
}

class LocatorTest : public ::testing::Test {
 protected:
  LocatorTest()
      : locator_(
            cache_,
            [this](Transport t, int af) { return af == AF_INET && sockets_[static_cast<int>(t)]; },
            42) {}

  Progress locate(NextHop hop) { return locator_.locate(hop, now_, &out_, &need_); }
  std::string target(size_t i) const {
    const char* t[] = {"udp", "tcp", "tls"};
    return std::string(t[static_cast<int>(out_[i].transport)]) + ":" + out_[i].addr.to_string();
  }
  void put(const char* name, RrType type, Answer a) { cache_.put(name, type, std::move(a), now_); }

  Cache cache_{100};
  bool sockets_[3] = {true, true, true};
  ServerLocator locator_;
  Clock::time_point now_ = Clock::now();
  TargetList out_;
  NeedList need_;
};

TEST_F(LocatorTest, ANumericAddressIsUsedAsItIsWithTheTransportsDefaultPort) {
  EXPECT_EQ(locate({"192.0.2.5", 0, std::nullopt, false}), Progress::kDone);
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(target(0), "udp:192.0.2.5:5060");
  EXPECT_EQ(locate({"[2001:db8::5]", 0, std::nullopt, true}), Progress::kDone);
  EXPECT_EQ(target(0), "tls:[2001:db8::5]:5061");
  EXPECT_TRUE(need_.empty());
}

TEST_F(LocatorTest, AHostWithAPortNeedsOnlyItsAddresses) {
  EXPECT_EQ(locate({"pbx.example.com", 5070, std::nullopt, false}), Progress::kNeed);
  ASSERT_EQ(need_.size(), 1u);  // A only: no IPv6 socket here
  EXPECT_EQ(need_[0].view(), "pbx.example.com");
  EXPECT_EQ(need_[0].type, RrType::kA);
  put("pbx.example.com", RrType::kA, addresses({"192.0.2.7", "192.0.2.8"}));
  EXPECT_EQ(locate({"PBX.example.com.", 5070, std::nullopt, true}), Progress::kDone);
  ASSERT_EQ(out_.size(), 2u);
  EXPECT_EQ(target(0), "tls:192.0.2.7:5070");
  EXPECT_EQ(target(1), "tls:192.0.2.8:5070");
}

TEST_F(LocatorTest, NaptrOrderAndPreferenceChooseTheTransportsInTurn) {
  EXPECT_EQ(locate({"example.com", 0, std::nullopt, false}), Progress::kNeed);
  EXPECT_EQ(need_[0].type, RrType::kNaptr);
  put("example.com", RrType::kNaptr,
      naptr({{20, 10, "s", "SIP+D2U", "", "_sip._udp.example.com"},
             {10, 50, "s", "SIP+D2T", "", "_sip._tcp.example.com"},
             {10, 20, "S", "SIPS+D2T", "", "_sips._tcp.example.com"},
             {5, 10, "s", "SIP+D2X", "", "_sip._x.example.com"}}));  // unknown: skipped
  EXPECT_EQ(locate({"example.com", 0, std::nullopt, false}), Progress::kNeed);
  ASSERT_EQ(need_.size(), 3u);
  EXPECT_EQ(need_[0].view(), "_sips._tcp.example.com");
  EXPECT_EQ(need_[1].view(), "_sip._tcp.example.com");
  EXPECT_EQ(need_[2].view(), "_sip._udp.example.com");
  put("_sips._tcp.example.com", RrType::kSrv, srv({{0, 0, 5061, "tls.example.com"}}));
  put("_sip._tcp.example.com", RrType::kSrv, srv({{0, 0, 5060, "tcp.example.com"}}));
  put("_sip._udp.example.com", RrType::kSrv, srv({{0, 0, 5060, "udp.example.com"}}));
  put("tls.example.com", RrType::kA, addresses({"192.0.2.1"}));
  put("tcp.example.com", RrType::kA, addresses({"192.0.2.2"}));
  put("udp.example.com", RrType::kA, addresses({"192.0.2.3"}));
  EXPECT_EQ(locate({"example.com", 0, std::nullopt, false}), Progress::kDone);
  ASSERT_EQ(out_.size(), 3u);
  EXPECT_EQ(target(0), "tls:192.0.2.1:5061");
  EXPECT_EQ(target(1), "tcp:192.0.2.2:5060");
  EXPECT_EQ(target(2), "udp:192.0.2.3:5060");
}

TEST_F(LocatorTest, TransportsWithoutASocketAreSkipped) {
  sockets_[static_cast<int>(Transport::kTls)] = false;
  put("example.com", RrType::kNaptr,
      naptr({{10, 10, "s", "SIPS+D2T", "", "_sips._tcp.example.com"},
             {20, 10, "s", "SIP+D2T", "", "_sip._tcp.example.com"}}));
  put("_sip._tcp.example.com", RrType::kSrv, srv({{0, 0, 5080, "tcp.example.com"}}));
  put("tcp.example.com", RrType::kA, addresses({"192.0.2.2"}));
  EXPECT_EQ(locate({"example.com", 0, std::nullopt, false}), Progress::kDone);
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(target(0), "tcp:192.0.2.2:5080");
}

TEST_F(LocatorTest, ASipsUriUsesOnlySipsD2t) {
  put("example.com", RrType::kNaptr,
      naptr({{10, 10, "s", "SIP+D2U", "", "_sip._udp.example.com"}}));
  // No usable NAPTR for sips: SRV _sips._tcp only.
  EXPECT_EQ(locate({"example.com", 0, std::nullopt, true}), Progress::kNeed);
  ASSERT_EQ(need_.size(), 1u);
  EXPECT_EQ(need_[0].view(), "_sips._tcp.example.com");
}

TEST_F(LocatorTest, WithoutNaptrEachTransportsSrvIsAskedThenTheirTargetsInOrder) {
  put("example.com", RrType::kNaptr, negative(Status::kNoData));
  EXPECT_EQ(locate({"example.com", 0, std::nullopt, false}), Progress::kNeed);
  ASSERT_EQ(need_.size(), 3u);
  EXPECT_EQ(need_[0].view(), "_sip._udp.example.com");
  EXPECT_EQ(need_[1].view(), "_sip._tcp.example.com");
  EXPECT_EQ(need_[2].view(), "_sips._tcp.example.com");
  put("_sip._udp.example.com", RrType::kSrv, negative());
  put("_sip._tcp.example.com", RrType::kSrv, srv({{0, 0, 5090, "b.example.com"}}));
  put("_sips._tcp.example.com", RrType::kSrv, negative());
  put("b.example.com", RrType::kA, addresses({"192.0.2.9"}));
  EXPECT_EQ(locate({"example.com", 0, std::nullopt, false}), Progress::kDone);
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(target(0), "tcp:192.0.2.9:5090");
}

TEST_F(LocatorTest, NoNaptrNoSrvFallsBackToAddressesOnTheDefaultPort) {
  put("example.com", RrType::kNaptr, negative());
  put("_sips._tcp.example.com", RrType::kSrv, negative());
  put("example.com", RrType::kA, addresses({"192.0.2.4"}));
  EXPECT_EQ(locate({"example.com", 0, std::nullopt, true}), Progress::kDone);
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(target(0), "tls:192.0.2.4:5061");
}

TEST_F(LocatorTest, AGivenTransportWithoutPortAsksItsSrvThenAddresses) {
  EXPECT_EQ(locate({"example.com", 0, Transport::kTcp, false}), Progress::kNeed);
  ASSERT_EQ(need_.size(), 1u);
  EXPECT_EQ(need_[0].view(), "_sip._tcp.example.com");
  put("_sip._tcp.example.com", RrType::kSrv, negative(Status::kNoData));
  put("example.com", RrType::kA, addresses({"192.0.2.4"}));
  EXPECT_EQ(locate({"example.com", 0, Transport::kTcp, false}), Progress::kDone);
  EXPECT_EQ(target(0), "tcp:192.0.2.4:5060");
}

TEST_F(LocatorTest, NxDomainOrAFailedLookupGivesNoTarget) {
  put("gone.example.com", RrType::kA, negative());
  EXPECT_EQ(locate({"gone.example.com", 5060, std::nullopt, false}), Progress::kFailed);
  put("slow.example.com", RrType::kNaptr, negative(Status::kFailed));
  EXPECT_EQ(locate({"slow.example.com", 0, std::nullopt, false}), Progress::kFailed);
  EXPECT_TRUE(need_.empty());
}

TEST_F(LocatorTest, SrvPriorityComesFirstAndADotTargetMeansNoService) {
  put("_sip._udp.example.com", RrType::kSrv,
      srv({{20, 0, 5062, "low.example.com"}, {10, 0, 5061, "high.example.com"}, {5, 0, 0, ""}}));
  put("low.example.com", RrType::kA, addresses({"192.0.2.20"}));
  put("high.example.com", RrType::kA, addresses({"192.0.2.10"}));
  EXPECT_EQ(locate({"example.com", 0, Transport::kUdp, false}), Progress::kDone);
  ASSERT_EQ(out_.size(), 2u);
  EXPECT_EQ(target(0), "udp:192.0.2.10:5061");
  EXPECT_EQ(target(1), "udp:192.0.2.20:5062");
}

TEST_F(LocatorTest, SrvWeightsShareTheFirstPlaceInProportion) {
  std::vector<SrvRecord> records = {
      {10, 10, 1, "a"}, {10, 30, 2, "b"}, {10, 60, 3, "c"}, {20, 100, 4, "d"}};
  std::map<int, int> first;
  constexpr int kRuns = 20000;
  for (int i = 0; i < kRuns; ++i) {
    uint8_t order[8];
    ASSERT_EQ(locator_.order_srv(records, order, 8), 4u);
    ++first[order[0]];
    EXPECT_EQ(order[3], 3);  // the higher priority number always last
  }
  // 10 : 30 : 60, within a few percent (the seed is fixed: the same draw every run).
  EXPECT_NEAR(first[0] / double(kRuns), 0.10, 0.02);
  EXPECT_NEAR(first[1] / double(kRuns), 0.30, 0.02);
  EXPECT_NEAR(first[2] / double(kRuns), 0.60, 0.02);
}

TEST_F(LocatorTest, AnAnswerPastItsTtlIsAskedAgain) {
  cache_.put("pbx.example.com", RrType::kA, addresses({"192.0.2.7"}, 30), now_);
  EXPECT_EQ(locate({"pbx.example.com", 5060, std::nullopt, false}), Progress::kDone);
  now_ += std::chrono::seconds(31);
  EXPECT_EQ(locate({"pbx.example.com", 5060, std::nullopt, false}), Progress::kNeed);
}

}  // namespace
}  // namespace core::dns
