#pragma once
// One via-parm (RFC 3261 §20.42, §25.1):
//   SIP / 2.0 / UDP host[:port] ;branch=z9hG4bK...;received=...;rport[=N];maddr=...;ttl=...
// All parts are views into the message, so an editor can set `received` or fill in the
// value of an empty `rport` (RFC 3581 §4) in place.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/base/transport.h"
#include "core/sip/host_port.h"
#include "core/sip/param_list.h"
#include "core/sip/parse_error.h"

namespace core::sip {

// The RFC 3261 §8.1.1.7 magic cookie that marks a branch as globally unique.
inline constexpr std::string_view kBranchCookie = "z9hG4bK";

class Via {
 public:
  // Parses one value of a Via header (split a multi-value line with ValueSplitter first).
  ParseError parse(std::string_view via_parm);

  std::string_view text() const { return text_; }                    // the whole via-parm as parsed
  std::string_view protocol_name() const { return protocol_name_; }  // "SIP"
  std::string_view protocol_version() const { return protocol_version_; }  // "2.0"
  std::string_view transport_name() const { return transport_name_; }      // "UDP"
  // nullopt for a transport ser does not speak (SCTP, WS, ...): transport_name() keeps it.
  std::optional<Transport> transport() const { return transport_; }
  const HostPort& sent_by() const { return sent_by_; }
  std::string_view host() const { return sent_by_.host; }
  uint16_t port() const { return sent_by_.port; }  // 0 when absent
  bool has_port() const { return sent_by_.has_port(); }
  std::string_view params() const { return params_; }  // from the first ';', may be empty

  const Param& branch() const { return branch_; }
  const Param& received() const { return received_; }
  const Param& rport() const { return rport_; }  // present without value: "rport"
  const Param& maddr() const { return maddr_; }
  const Param& ttl() const { return ttl_; }
  // Any parameter by name (case-insensitive); absent if not there.
  Param param(std::string_view name) const;
  // True when the branch carries the RFC 3261 magic cookie.
  bool has_rfc3261_branch() const;

 private:
  ParseError parse_protocol(std::string_view& rest);
  ParseError parse_params();

  std::string_view text_;
  std::string_view protocol_name_;
  std::string_view protocol_version_;
  std::string_view transport_name_;
  std::optional<Transport> transport_;
  HostPort sent_by_;
  std::string_view params_;
  Param branch_, received_, rport_, maddr_, ttl_;
};

}  // namespace core::sip
