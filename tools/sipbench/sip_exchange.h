#pragma once
// The one request sipbench sends on a connection and the check of what comes back: responses
// on a stream are framed by Content-Length (RFC 3261 §18.3) and matched to the request by
// Call-ID and CSeq (§8.1.3.3); only a 2xx counts.
#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "tools/sipbench/options.h"

namespace sipbench {

// Call-ID "sb<run>-<serial>@sipbench", CSeq 1, branch "z9hG4bK-sb<run>-<serial>": unique per
// connection of a run, and across runs by `run_id` (e.g. the start time and pid).
std::string build_options(Transport transport, const sockaddr_in& target, const sockaddr_in& local,
                          uint64_t run_id, uint64_t serial);
std::string call_id_of(uint64_t run_id, uint64_t serial);
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
