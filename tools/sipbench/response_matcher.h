#pragma once
// What one framed message received in the options mode is: the status line, the Call-ID and the
// top Via's branch are read (nothing else, no allocation), and the id they carry is matched to
// an outstanding request of the connection (RFC 3261 §17.1.3 matches a response to its client
// transaction by the top Via's branch; both it and the Call-ID must carry the request's id).
#include <cstdint>
#include <optional>
#include <string_view>

#include "tools/sipbench/pending_table.h"

namespace sipbench {

struct ResponseHead {
  int status = 0;
  std::string_view call_id;  // empty when absent
  std::string_view branch;   // of the first Via; empty when absent
};

// nullopt when `message` does not start with a SIP/2.0 status line.
std::optional<ResponseHead> scan_response(std::string_view message);

enum class Outcome : uint8_t {
  kAnswered,     // a 2xx to an outstanding request: released
  kNon2xx,       // a final 3xx-6xx to an outstanding request: released
  kProvisional,  // a 1xx to an outstanding request: it stays outstanding
  kUnmatched,    // a response to no outstanding request (late, duplicate, another's)
  kNotResponse,  // not a SIP response at all
};

struct Match {
  Outcome outcome = Outcome::kUnmatched;
  int status = 0;
  PendingTable::Entry request;  // the released request (kAnswered, kNon2xx)
};

// Matches `message` against the outstanding requests of connection `connection` of the run
// whose ids start with `prefix` (id_prefix), and releases the request it answers finally.
Match match_response(std::string_view message, std::string_view prefix, uint32_t connection,
                     PendingTable& pending);

}  // namespace sipbench
