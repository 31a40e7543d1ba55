#pragma once
// The OPTIONS request of one connection of the options mode, formatted once: each request sent
// is the template copied with its slot and sequence digits patched in place (fixed width, so
// every request of a connection has the same length and nothing is formatted or allocated per
// request). The same id is in the Call-ID and the Via branch, unique per request and per run:
//   Call-ID: sb<run>-<conn 7 digits>-<slot 5 digits>-<seq 10 digits>@sipbench
//   Via: SIP/2.0/<T> <local ip:port>;rport;branch=z9hG4bK-sb<run>-<conn>-<slot>-<seq>
// (RFC 3261 §8.1.1.4, §8.1.1.7: the branch starts with the magic cookie).
#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/transport.h"

namespace sipbench {

struct RequestId {
  uint32_t connection = 0;
  uint32_t slot = 0;
  uint64_t seq = 0;
};

inline constexpr int kConnectionDigits = 7;
inline constexpr int kSlotDigits = 5;
inline constexpr int kSeqDigits = 10;
inline constexpr uint64_t kMaxSeq = 9'999'999'999;

// "sb<run>-": what starts every id of run `run_id`.
std::string id_prefix(uint64_t run_id);

// The id of the one OPTIONS a connection of the handshake or idle mode sends while it is set
// up: sequence 0, which the options mode's requests never use (they count from 1), and the
// connection's serial spread over the connection and slot digits (serials below 10^12).
RequestId setup_request_id(uint64_t serial);

class RequestTemplate {
 public:
  // `ruri` empty: sip:TARGET (with ;transport= for TCP and TLS).
  RequestTemplate(core::Transport transport, const sockaddr_in& target, const sockaddr_in& local,
                  std::string_view ruri, uint64_t run_id, uint32_t connection);

  // Appends the request of (`slot`, `seq`) to `out`: no allocation once `out` has the room.
  void append_to(std::string& out, uint32_t slot, uint64_t seq) const;
  // The Call-ID of the request of (`slot`, `seq`).
  std::string call_id(uint32_t slot, uint64_t seq) const;
  size_t size() const { return text_.size(); }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  size_t call_id_ = 0;         // offset of the Call-ID's value
  size_t call_id_digits_ = 0;  // offset of the slot digits in the Call-ID
  size_t branch_digits_ = 0;   // and in the branch
};

// The id in a Call-ID (or branch, without "z9hG4bK-") of ours: `prefix` (id_prefix) then the
// three numbers; nullopt for anything else.
std::optional<RequestId> parse_request_id(std::string_view text, std::string_view prefix);

}  // namespace sipbench
