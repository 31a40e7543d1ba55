#pragma once
// The check of what comes back to sipbench's requests (request_template.h): responses
// on a stream are framed by Content-Length (RFC 3261 §18.3) and matched to the request by
// Call-ID and CSeq (§8.1.3.3); only a 2xx counts.
#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace sipbench {

// "IP:PORT" of an IPv4 address, as the Via, From and To of sipbench's requests carry it.
std::string ip_port(const sockaddr_in& addr);

struct AnswerCheck {
  enum class Result : uint8_t {
    kNeedMore,  // no final response yet
    kOk,        // a 2xx to our request
    kBad,       // anything else: `reason` says what
  };
  Result result = Result::kNeedMore;
  size_t consumed = 0;  // bytes of `received` looked at (keep-alives, provisional responses)
  std::string reason;
};

// Looks for the final response to the request whose Call-ID is `call_id` at the start of
// `received` (what the connection has read so far). Keep-alive CRLFs and 1xx are skipped.
AnswerCheck check_answer(std::string_view received, std::string_view call_id);

}  // namespace sipbench
