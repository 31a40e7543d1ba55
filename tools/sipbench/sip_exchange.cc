#include "tools/sipbench/sip_exchange.h"

#include <arpa/inet.h>

#include "core/sip/sip_message.h"
#include "core/sip/stream_framer.h"

namespace sipbench {

namespace {

constexpr size_t kMaxAnswer = 65535;

AnswerCheck bad(size_t consumed, std::string reason) {
  return {AnswerCheck::Result::kBad, consumed, std::move(reason)};
}

}  // namespace

std::string ip_port(const sockaddr_in& addr) {
  char ip[INET_ADDRSTRLEN] = "0.0.0.0";
  inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
  return std::string(ip) + ":" + std::to_string(ntohs(addr.sin_port));
}

AnswerCheck check_answer(std::string_view received, std::string_view call_id) {
  size_t pos = 0;
  for (;;) {
    auto frame = core::sip::find_frame(received.substr(pos), kMaxAnswer);
    using Kind = core::sip::Frame::Kind;
    switch (frame.kind) {
      case Kind::kNeedMore:
        return {AnswerCheck::Result::kNeedMore, pos, {}};
      case Kind::kPing:
      case Kind::kSkip:
        pos += frame.length;
        continue;
      case Kind::kError:
        return bad(pos, "broken framing: " + frame.reason);
      case Kind::kTooBig:
        return bad(pos, "answer over 64 KiB");
      case Kind::kMessage:
        break;
    }
    core::sip::SipMessage msg;
    auto err = msg.parse(received.substr(pos, frame.length));
    pos += frame.length;
    if (!err.ok()) return bad(pos, "unparsable answer");
    if (msg.is_request()) return bad(pos, "a request instead of an answer");
    core::sip::CSeq cseq;
    if (msg.call_id() != call_id || !msg.cseq(cseq).ok() || cseq.number != 1 ||
        cseq.method != "OPTIONS")
      return bad(pos, "an answer to another request (Call-ID or CSeq differ)");
    int status = msg.status_code();
    if (status < 200) continue;
    if (status >= 300) return bad(pos, "status " + std::to_string(status));
    return {AnswerCheck::Result::kOk, pos, {}};
  }
}

}  // namespace sipbench
