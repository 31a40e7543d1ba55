#pragma once
// sip: and sips: URIs (RFC 3261 §19.1):
//   sip:user:password@host:port;uri-parameters?headers
// Parts are views into the caller's buffer, still %-escaped; unescape() decodes on demand.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/sip/host_port.h"
#include "core/sip/param_list.h"
#include "core/sip/parse_error.h"

namespace core::sip {

enum class UriScheme : uint8_t { kSip, kSips };

class SipUri {
 public:
  // Fails with kUnsupportedScheme for a well-formed URI of another scheme (tel:, http:...),
  // with kBadUri for anything malformed.
  ParseError parse(std::string_view uri);

  std::string_view text() const { return text_; }
  UriScheme scheme() const { return scheme_; }
  bool has_user() const { return has_user_; }
  std::string_view user() const { return user_; }          // escaped
  std::string_view password() const { return password_; }  // escaped; empty if none
  bool has_password() const { return has_password_; }
  const HostPort& host_port() const { return host_port_; }
  std::string_view host() const { return host_port_.host; }  // [IPv6] keeps its brackets
  HostKind host_kind() const { return host_port_.kind; }
  uint16_t port() const { return host_port_.port; }  // 0 when absent
  bool has_port() const { return host_port_.has_port(); }
  std::string_view params() const { return params_; }    // from the first ';', may be empty
  std::string_view headers() const { return headers_; }  // after '?', may be empty

  Param param(std::string_view name) const { return find_param(params_, name, false); }
  std::string_view transport_param() const { return param("transport").value; }
  bool lr() const { return param("lr").present(); }
  std::string_view maddr() const { return param("maddr").value; }

 private:
  ParseError parse_userinfo(std::string_view userinfo);

  std::string_view text_;
  UriScheme scheme_ = UriScheme::kSip;
  bool has_user_ = false;
  bool has_password_ = false;
  std::string_view user_;
  std::string_view password_;
  HostPort host_port_;
  std::string_view params_;
  std::string_view headers_;
};

// True when `s` starts with an RFC 3986 scheme followed by ':' (absoluteURI, RFC 3261 §25.1).
bool has_uri_scheme(std::string_view s);

// Decodes %HH escapes into `out`; returns the decoded length, or std::string_view::npos when
// an escape is malformed or `out` is too small. Never allocates.
size_t unescape(std::string_view in, std::span<char> out);
// Convenience for the control plane; false on a malformed escape.
bool unescape(std::string_view in, std::string& out);

}  // namespace core::sip
