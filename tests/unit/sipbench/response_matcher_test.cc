#include "tools/sipbench/response_matcher.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tools/sipbench/request_template.h"
#include "tools/sipbench/stream_reader.h"

namespace sipbench {
namespace {

constexpr uint64_t kRun = 99;
constexpr uint32_t kConnection = 5;

std::string id(uint32_t slot, uint64_t seq, uint32_t connection = kConnection) {
  char text[64];
  std::snprintf(text, sizeof text, "sb%llu-%07u-%05u-%010llu",
                static_cast<unsigned long long>(kRun), connection, slot,
                static_cast<unsigned long long>(seq));
  return text;
}

// A response as a server writes it: our Via (with received/rport added) and Call-ID echoed.
std::string response(int status, uint32_t slot, uint64_t seq, std::string_view via_name = "Via",
                     std::string_view call_id_name = "Call-ID") {
  return "SIP/2.0 " + std::to_string(status) + " Whatever\r\n" + std::string(via_name) +
         ": SIP/2.0/TLS 127.0.0.1:40001;rport=40001;branch=z9hG4bK-" + id(slot, seq) +
         ";received=127.0.0.1\r\nFrom: <sip:sipbench@127.0.0.1>;tag=x\r\nTo: <sip:a>;tag=y\r\n" +
         std::string(call_id_name) + ": " + id(slot, seq) + "@sipbench\r\nCSeq: 1 OPTIONS\r\n" +
         "Content-Length: 0\r\n\r\n";
}

class Matcher : public testing::Test {
 protected:
  Matcher() : pending_(4), prefix_(id_prefix(kRun)) {}
  uint32_t send(uint64_t seq) { return pending_.add(seq, PendingTable::Clock::now(), true); }
  Match match(std::string_view message) {
    return match_response(message, prefix_, kConnection, pending_);
  }
  PendingTable pending_;
  std::string prefix_;
};

TEST_F(Matcher, A2xxToAnOutstandingRequestIsAnsweredAndFreesItsSlot) {
  uint32_t slot = send(7);
  EXPECT_EQ(pending_.outstanding(), 1u);
  auto m = match(response(200, slot, 7));
  EXPECT_EQ(m.outcome, Outcome::kAnswered);
  EXPECT_EQ(m.request.seq, 7u);
  EXPECT_TRUE(m.request.counted);
  EXPECT_EQ(pending_.outstanding(), 0u);
}

TEST_F(Matcher, CompactHeaderNamesMatchToo) {
  uint32_t slot = send(8);
  EXPECT_EQ(match(response(202, slot, 8, "v", "i")).outcome, Outcome::kAnswered);
}

TEST_F(Matcher, AFinal404IsNon2xxNotAnswered) {
  uint32_t slot = send(1);
  auto m = match(response(404, slot, 1));
  EXPECT_EQ(m.outcome, Outcome::kNon2xx);
  EXPECT_EQ(m.status, 404);
  EXPECT_EQ(pending_.outstanding(), 0u);
}

TEST_F(Matcher, AProvisionalKeepsTheRequestOutstanding) {
  uint32_t slot = send(1);
  EXPECT_EQ(match(response(100, slot, 1)).outcome, Outcome::kProvisional);
  EXPECT_EQ(pending_.outstanding(), 1u);
  EXPECT_EQ(match(response(200, slot, 1)).outcome, Outcome::kAnswered);
}

TEST_F(Matcher, ADuplicateALateAndAnotherConnectionsAnswerAreUnmatched) {
  uint32_t slot = send(1);
  EXPECT_EQ(match(response(200, slot, 1)).outcome, Outcome::kAnswered);
  EXPECT_EQ(match(response(200, slot, 1)).outcome, Outcome::kUnmatched);  // duplicate
  uint32_t again = send(2);
  EXPECT_EQ(match(response(200, again, 1)).outcome, Outcome::kUnmatched);  // the slot's old seq
  std::string other = response(200, again, 2);
  other.replace(other.find(id(again, 2)), id(again, 2).size(), id(again, 2, kConnection + 1));
  EXPECT_EQ(match(other).outcome, Outcome::kUnmatched);  // the branch names another connection
  EXPECT_EQ(pending_.outstanding(), 1u);
  EXPECT_EQ(match(response(200, again, 2)).outcome, Outcome::kAnswered);
}

TEST_F(Matcher, ABranchAndCallIdThatDisagreeAreUnmatched) {
  uint32_t slot = send(3);
  std::string r = response(200, slot, 3);
  r.replace(r.find("Call-ID: ") + 9, id(slot, 3).size(), id(slot, 4));
  EXPECT_EQ(match(r).outcome, Outcome::kUnmatched);
  EXPECT_EQ(pending_.outstanding(), 1u);
}

TEST_F(Matcher, ARequestIsNotAResponse) {
  EXPECT_EQ(match("OPTIONS sip:a SIP/2.0\r\nContent-Length: 0\r\n\r\n").outcome,
            Outcome::kNotResponse);
  EXPECT_EQ(match("SIP/2.0 2000 OK\r\n\r\n").outcome, Outcome::kNotResponse);
}

TEST(ScanResponse, ReadsStatusCallIdAndTheFirstViasBranchOnly) {
  auto head = scan_response(
      "SIP/2.0 486 Busy Here\r\nv: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2\r\n"
      "Via: SIP/2.0/UDP c;branch=z9hG4bK3\r\ni:  abc@d \r\n\r\n");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 486);
  EXPECT_EQ(head->branch, "z9hG4bK1");
  EXPECT_EQ(head->call_id, "abc@d");
}

// Responses through the stream reader: coalesced in one read, or split across reads anywhere.
TEST_F(Matcher, CoalescedAndSplitResponsesAreEachMatchedOnce) {
  std::vector<uint32_t> slots;
  std::string stream;
  for (uint64_t seq = 1; seq <= 4; ++seq) {
    slots.push_back(send(seq));
    stream += response(200, slots.back(), seq);
    if (seq == 2) stream += "\r\n\r\n";  // a keep-alive between them is dropped
  }
  for (size_t cut = 1; cut < stream.size(); cut += 37) {
    PendingTable table(4);
    for (uint64_t seq = 1; seq <= 4; ++seq) table.add(seq, PendingTable::Clock::now(), true);
    StreamReader reader(64);
    int answered = 0;
    auto feed = [&](std::string_view bytes) {
      while (!bytes.empty()) {
        char* at = reader.space();
        size_t n = std::min(bytes.size(), reader.room());
        std::memcpy(at, bytes.data(), n);
        reader.commit(n);
        bytes.remove_prefix(n);
        ASSERT_TRUE(reader.drain([&](std::string_view m) {
          answered += match_response(m, prefix_, kConnection, table).outcome == Outcome::kAnswered;
        }));
      }
    };
    feed(std::string_view(stream).substr(0, cut));
    feed(std::string_view(stream).substr(cut));
    EXPECT_EQ(answered, 4) << "cut at " << cut;
    EXPECT_EQ(table.outstanding(), 0u);
    EXPECT_EQ(reader.buffered(), 0u);
  }
}

TEST(StreamReader, BrokenFramingIsReported) {
  StreamReader reader;
  std::string bad = "SIP/2.0 200 OK\r\nContent-Length: nope\r\n\r\n";
  std::memcpy(reader.space(), bad.data(), bad.size());
  reader.commit(bad.size());
  EXPECT_FALSE(reader.drain([](std::string_view) {}));
  EXPECT_NE(reader.error(), "");
}

TEST(PendingTable, ExpiresOnlyWhatWasSentBeforeTheLimit) {
  PendingTable table(3);
  auto t0 = PendingTable::Clock::now();
  table.add(1, t0, true);
  table.add(2, t0 + std::chrono::seconds(2), false);
  EXPECT_FALSE(table.full());
  table.add(3, t0 + std::chrono::seconds(2), true);
  EXPECT_TRUE(table.full());
  std::vector<uint64_t> expired;
  table.expire(t0 + std::chrono::seconds(1),
               [&](const PendingTable::Entry& e) { expired.push_back(e.seq); });
  EXPECT_EQ(expired, std::vector<uint64_t>{1});
  EXPECT_EQ(table.outstanding(), 2u);
  table.expire(PendingTable::Clock::time_point::max(), [](const PendingTable::Entry&) {});
  EXPECT_EQ(table.outstanding(), 0u);
}

}  // namespace
}  // namespace sipbench
