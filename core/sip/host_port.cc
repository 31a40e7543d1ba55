#include "core/sip/host_port.h"

#include "core/sip/text.h"

namespace core::sip {

bool is_ipv4(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t j = i;
    while (j < s.size() && is_digit(s[j]) && j - i < 4) ++j;
    uint64_t v = 0;
    if (!parse_uint(s.substr(i, j - i), 255, v)) return false;
    ++parts;
    if (parts == 4) return j == s.size();
    if (j >= s.size() || s[j] != '.') return false;
    i = j + 1;
  }
  return false;
}

bool is_ipv6(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  int groups = 0;
  bool compressed = false;
  if (s.substr(0, 2) == "::") {
    compressed = true;
    i = 2;
  } else if (s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && is_hex(s[j]) && j - i < 5) ++j;
    if (j < s.size() && s[j] == '.') {  // an IPv4 tail counts as two groups
      if (!is_ipv4(s.substr(i))) return false;
      groups += 2;
      break;
    }
    if (j == i || j - i > 4) return false;
    ++groups;
    if (j == s.size()) break;
    if (s[j] != ':') return false;
    if (j + 1 < s.size() && s[j + 1] == ':') {
      if (compressed) return false;
      compressed = true;
      i = j + 2;
    } else {
      i = j + 1;
      if (i == s.size()) return false;  // a trailing single colon
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

// hostname = *( domainlabel "." ) toplabel [ "." ] (RFC 3261 §25.1); '_' is tolerated as
// deployed names use it. A dotted all-numeric name must be a valid IPv4 address instead.
bool is_hostname(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  bool all_numeric = true;
  size_t label = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      if (label == 0) return false;
      if (s[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    if (!is_alnum(c) && c != '-' && c != '_') return false;
    if (label == 0 && c == '-') return false;
    if (!is_digit(c)) all_numeric = false;
    ++label;
  }
  if (label > 0 && s.back() == '-') return false;
  return !all_numeric;
}

bool parse_port(std::string_view s, uint16_t& out) {
  uint64_t v = 0;
  if (!parse_uint(s, 65535, v) || v == 0) return false;
  out = static_cast<uint16_t>(v);
  return true;
}

ParseError parse_host_port(std::string_view s, bool allow_lws, SipError code, HostPort& out) {
  out = HostPort{};
  size_t host_end = 0;
  if (!s.empty() && s[0] == '[') {
    host_end = s.find(']');
    if (host_end == std::string_view::npos || !is_ipv6(s.substr(1, host_end - 1))) {
      return make_error(code, "malformed IPv6 reference");
    }
    ++host_end;
    out.kind = HostKind::kIPv6;
  } else {
    host_end = s.find(':');
    if (host_end == std::string_view::npos) host_end = s.size();
  }
  std::string_view host = s.substr(0, host_end);
  std::string_view rest = s.substr(host_end);
  if (allow_lws) {
    host = trim_lws(host);
    rest = trim_lws(rest);
  }
  if (out.kind != HostKind::kIPv6) {
    if (is_ipv4(host)) {
      out.kind = HostKind::kIPv4;
    } else if (!is_hostname(host)) {
      return make_error(code, host.empty() ? "missing host" : "malformed host");
    }
  }
  out.host = host;
  if (rest.empty()) return kParseOk;
  if (rest[0] != ':') return make_error(code, "malformed host");
  std::string_view port = rest.substr(1);
  if (allow_lws) port = skip_lws(port);
  if (!parse_port(port, out.port)) return make_error(code, "malformed port");
  out.port_text = port;
  return kParseOk;
}

}  // namespace core::sip
