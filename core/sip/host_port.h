#pragma once
// host [":" port] as found in Via sent-by and SIP URIs (RFC 3261 §25.1): a host name, an
// IPv4 address, or an IPv6 reference in brackets.
#include <cstdint>
#include <string_view>

#include "core/sip/parse_error.h"

namespace core::sip {

enum class HostKind : uint8_t { kName, kIPv4, kIPv6 };

struct HostPort {
  std::string_view host;       // as written: an IPv6 reference keeps its brackets
  std::string_view port_text;  // digits as written; empty without a port
  uint16_t port = 0;           // 0 without a port
  HostKind kind = HostKind::kName;

  bool has_port() const { return !port_text.empty(); }
  // The host without the brackets of an IPv6 reference.
  std::string_view address() const {
    return kind == HostKind::kIPv6 ? host.substr(1, host.size() - 2) : host;
  }
};

bool is_ipv4(std::string_view s);
bool is_ipv6(std::string_view s);  // without brackets
bool is_hostname(std::string_view s);
// 1..65535, digits only.
bool parse_port(std::string_view s, uint16_t& out);

// Parses exactly `s` as host [":" port]; with `allow_lws` white space may surround the colon
// (Via's COLON = SWS ":" SWS). Errors are reported with `code`.
ParseError parse_host_port(std::string_view s, bool allow_lws, SipError code, HostPort& out);

}  // namespace core::sip
