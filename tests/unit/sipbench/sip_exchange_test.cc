#include "tools/sipbench/sip_exchange.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "core/sip/sip_message.h"

namespace sipbench {
namespace {

constexpr std::string_view kCallId = "sb7-1@sipbench";

std::string answer(int status, std::string_view call_id = kCallId,
                   std::string_view cseq = "1 OPTIONS", std::string_view body = "") {
  return "SIP/2.0 " + std::to_string(status) + " Whatever\r\nVia: SIP/2.0/TLS 127.0.0.1:5\r\n" +
         "Call-ID: " + std::string(call_id) + "\r\nCSeq: " + std::string(cseq) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

sockaddr_in addr(const char* ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

TEST(CheckAnswer, A200ToOurRequestIsOkAndConsumedWhole) {
  auto text = answer(200);
  auto check = check_answer(text, kCallId);
  EXPECT_EQ(check.result, AnswerCheck::Result::kOk);
  EXPECT_EQ(check.consumed, text.size());
}

TEST(CheckAnswer, AnAnswerWhoseBodyIsNotAllInWaitsForMore) {
  auto text = answer(200, kCallId, "1 OPTIONS", "hello");
  auto check = check_answer(text.substr(0, text.size() - 2), kCallId);
  EXPECT_EQ(check.result, AnswerCheck::Result::kNeedMore);
  EXPECT_EQ(check_answer(text, kCallId).result, AnswerCheck::Result::kOk);
}

TEST(CheckAnswer, HeadersCutAnywhereWaitForMore) {
  auto text = answer(200);
  for (size_t cut = 0; cut < text.size(); ++cut)
    ASSERT_EQ(check_answer(text.substr(0, cut), kCallId).result, AnswerCheck::Result::kNeedMore)
        << cut;
}

TEST(CheckAnswer, KeepAlivesAndProvisionalAnswersBeforeThe200AreSkipped) {
  auto text = "\r\n\r\n" + answer(100) + answer(200);
  EXPECT_EQ(check_answer(text, kCallId).result, AnswerCheck::Result::kOk);
}

TEST(CheckAnswer, AFinalErrorStatusIsABadResponseNamingIt) {
  auto check = check_answer(answer(403), kCallId);
  EXPECT_EQ(check.result, AnswerCheck::Result::kBad);
  EXPECT_EQ(check.reason, "status 403");
}

TEST(CheckAnswer, AnAnswerToAnotherRequestDoesNotCount) {
  EXPECT_EQ(check_answer(answer(200, "other@x"), kCallId).result, AnswerCheck::Result::kBad);
  EXPECT_EQ(check_answer(answer(200, kCallId, "2 OPTIONS"), kCallId).result,
            AnswerCheck::Result::kBad);
  EXPECT_EQ(check_answer(answer(200, kCallId, "1 INVITE"), kCallId).result,
            AnswerCheck::Result::kBad);
}

TEST(CheckAnswer, AnAnswerWithoutContentLengthIsBrokenFraming) {
  std::string text = "SIP/2.0 200 OK\r\nCall-ID: sb7-1@sipbench\r\nCSeq: 1 OPTIONS\r\n\r\n";
  auto check = check_answer(text, kCallId);
  EXPECT_EQ(check.result, AnswerCheck::Result::kBad);
  EXPECT_NE(check.reason.find("framing"), std::string::npos) << check.reason;
}

TEST(CheckAnswer, ARequestInsteadOfAnAnswerIsBad) {
  std::string req =
      "OPTIONS sip:127.0.0.1:5061;transport=tls SIP/2.0\r\n"
      "Via: SIP/2.0/TLS 127.0.0.1:40000;branch=z9hG4bK-sb7-1\r\n"
      "Call-ID: " +
      std::string(kCallId) +
      "\r\nCSeq: 1 OPTIONS\r\n"
      "Content-Length: 0\r\n\r\n";
  EXPECT_EQ(check_answer(req, kCallId).result, AnswerCheck::Result::kBad);
}

TEST(IpPort, FormatsAnIpv4AddressAndPort) {
  EXPECT_EQ(ip_port(addr("127.0.0.2", 40000)), "127.0.0.2:40000");
}

}  // namespace
}  // namespace sipbench
