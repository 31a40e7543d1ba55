#pragma once
// Known SIP header names, recognised case-insensitively in long or compact form
// (RFC 3261 §7.3.3 and the IANA compact-form registry). Anything else is kOther and is
// passed through untouched.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace core::sip {

enum class HeaderType : uint8_t {
  kOther,
  kVia,
  kFrom,
  kTo,
  kCallId,
  kCSeq,
  kMaxForwards,
  kContact,
  kContentLength,
  kContentType,
  kContentEncoding,
  kRoute,
  kRecordRoute,
  kSupported,
  kRequire,
  kProxyRequire,
  kUnsupported,
  kAllow,
  kExpires,
  kSubject,
  kEvent,
  kReferTo,
  kReferredBy,
  kAllowEvents,
  kSessionExpires,
  kAcceptContact,
  kRejectContact,
  kRequestDisposition,
  kIdentity,
  kIdentityInfo,
  kAuthorization,
  kProxyAuthorization,
  kWwwAuthenticate,
  kProxyAuthenticate,
  kUserAgent,
  kServer,
  kPath,
  kDate,
};

// How many HeaderType values there are (tables indexed by type).
inline constexpr size_t kHeaderTypeCount = static_cast<size_t>(HeaderType::kDate) + 1;

// The type of a header name (without the colon); kOther for unknown names.
HeaderType header_type_of(std::string_view name);

// The canonical long name ("Call-ID", "CSeq"...); empty for kOther.
std::string_view header_long_name(HeaderType type);

}  // namespace core::sip
