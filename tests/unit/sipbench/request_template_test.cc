#include "tools/sipbench/request_template.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <set>

#include "core/sip/sip_message.h"
#include "core/sip/via.h"

namespace sipbench {
namespace {

sockaddr_in addr(const char* ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

constexpr uint64_t kRun = 424242;

RequestTemplate make(core::Transport t, uint32_t connection = 17, std::string_view ruri = "") {
  return RequestTemplate(t, addr("127.0.0.1", 5061), addr("127.0.0.2", 40001), ruri, kRun,
                         connection);
}

TEST(RequestTemplate, EachRequestIsValidSipTheProjectsParserAccepts) {
  auto tmpl = make(core::Transport::kTls);
  std::string out;
  tmpl.append_to(out, 3, 123456);
  ASSERT_EQ(out.size(), tmpl.size());
  core::sip::SipMessage msg;
  ASSERT_TRUE(msg.parse(out).ok()) << out;
  core::sip::Via via;
  ASSERT_TRUE(msg.validate(&via).ok()) << out;
  EXPECT_TRUE(msg.is_request());
  EXPECT_EQ(msg.method_name(), "OPTIONS");
  EXPECT_EQ(msg.request_uri(), "sip:127.0.0.1:5061;transport=tls");
  EXPECT_EQ(msg.call_id(), "sb424242-0000017-00003-0000123456@sipbench");
  // Via: the transport and the connection's own local address as sent-by (RFC 3261 §18.1.1).
  EXPECT_EQ(via.transport(), core::Transport::kTls);
  EXPECT_EQ(via.host(), "127.0.0.2");
  EXPECT_EQ(via.port(), 40001);
  EXPECT_TRUE(via.has_rfc3261_branch());
  EXPECT_EQ(via.branch().value, "z9hG4bK-sb424242-0000017-00003-0000123456");
  EXPECT_EQ(msg.body().size(), 0u);
}

TEST(RequestTemplate, UdpHasNoTransportParameterAndARuriCanBeGiven) {
  auto udp = make(core::Transport::kUdp);
  EXPECT_NE(udp.text().find("OPTIONS sip:127.0.0.1:5061 SIP/2.0\r\n"), std::string::npos);
  EXPECT_NE(udp.text().find("Via: SIP/2.0/UDP 127.0.0.2:40001;rport;branch="), std::string::npos);
  auto named = make(core::Transport::kTcp, 1, "sip:missing@example.com");
  EXPECT_EQ(named.text().rfind("OPTIONS sip:missing@example.com SIP/2.0\r\n", 0), 0u);
}

TEST(RequestTemplate, EveryRequestHasItsOwnCallIdAndBranch) {
  auto a = make(core::Transport::kTcp, 1);
  auto b = make(core::Transport::kTcp, 2);
  std::set<std::string> call_ids, branches;
  std::string out;
  for (uint64_t seq = 1; seq <= 50; ++seq) {
    for (const auto* t : {&a, &b}) {
      out.clear();
      t->append_to(out, static_cast<uint32_t>(seq % 8), seq);
      core::sip::SipMessage msg;
      ASSERT_TRUE(msg.parse(out).ok());
      core::sip::Via via;
      ASSERT_TRUE(msg.validate(&via).ok());
      call_ids.insert(std::string(msg.call_id()));
      branches.insert(std::string(via.branch().value));
    }
  }
  EXPECT_EQ(call_ids.size(), 100u);
  EXPECT_EQ(branches.size(), 100u);
}

TEST(RequestTemplate, AppendingPatchesOnlyItsOwnCopy) {
  auto tmpl = make(core::Transport::kTls);
  std::string out;
  tmpl.append_to(out, 1, 1);
  tmpl.append_to(out, 2, 2);
  ASSERT_EQ(out.size(), 2 * tmpl.size());
  EXPECT_NE(out.find("-00001-0000000001@sipbench"), std::string::npos);
  EXPECT_NE(out.find("-00002-0000000002@sipbench", tmpl.size()), std::string::npos);
  EXPECT_NE(tmpl.text().find("-00000-0000000000@sipbench"), std::string::npos);  // untouched
}

// The one OPTIONS of a connection being set up (handshake and idle modes): the same template,
// with the Call-ID the answer check is given.
TEST(RequestTemplate, ASetupRequestIsValidAndCarriesItsCallId) {
  RequestId id = setup_request_id(12);
  auto tmpl = make(core::Transport::kTls, id.connection);
  std::string out;
  tmpl.append_to(out, id.slot, id.seq);
  core::sip::SipMessage msg;
  ASSERT_TRUE(msg.parse(out).ok());
  ASSERT_TRUE(msg.validate().ok());
  EXPECT_EQ(msg.method_name(), "OPTIONS");
  EXPECT_EQ(msg.call_id(), tmpl.call_id(id.slot, id.seq));
  EXPECT_EQ(msg.call_id(), "sb424242-0000012-00000-0000000000@sipbench");
}

TEST(SetupRequestId, EachSerialHasItsOwnIdWhichNoOptionsModeRequestHas) {
  std::set<std::pair<uint32_t, uint32_t>> seen;
  for (uint64_t serial : {0ull, 1ull, 9'999'999ull, 10'000'000ull, 10'000'001ull, 99'999'999ull}) {
    RequestId id = setup_request_id(serial);
    EXPECT_EQ(id.seq, 0u) << "the options mode counts its requests from 1";
    EXPECT_LT(id.connection, 10'000'000u);
    EXPECT_TRUE(seen.insert({id.connection, id.slot}).second) << serial;
    auto tmpl = make(core::Transport::kTcp, id.connection);
    auto parsed = parse_request_id(tmpl.call_id(id.slot, id.seq), id_prefix(kRun));
    ASSERT_TRUE(parsed) << serial;
    EXPECT_EQ(uint64_t{parsed->slot} * 10'000'000 + parsed->connection, serial);
  }
}

TEST(RequestId, ParsesOursAndRefusesAnythingElse) {
  auto prefix = id_prefix(kRun);
  auto id = parse_request_id("sb424242-0000017-00003-0000123456@sipbench", prefix);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->connection, 17u);
  EXPECT_EQ(id->slot, 3u);
  EXPECT_EQ(id->seq, 123456u);
  EXPECT_TRUE(parse_request_id("sb424242-0000017-00003-0000123456", prefix));  // a branch
  EXPECT_FALSE(parse_request_id("sb424243-0000017-00003-0000123456@sipbench", prefix));
  EXPECT_FALSE(parse_request_id("sb424242-0000017-00003-000012345@sipbench", prefix));
  EXPECT_FALSE(parse_request_id("sb424242-000001x-00003-0000123456@sipbench", prefix));
  EXPECT_FALSE(parse_request_id("sb424242-0000017-00003-0000123456x", prefix));
  EXPECT_FALSE(parse_request_id("", prefix));
}

}  // namespace
}  // namespace sipbench
