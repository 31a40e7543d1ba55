#pragma once
// Errors of the SIP parsers as values (DESIGN.md principle 7): a code the caller can switch
// on and a short static reason fit for a 400 reason phrase or a log line.
#include <cstdint>
#include <string_view>

namespace core::sip {

enum class SipError : uint8_t {
  kNone,
  kEmpty,               // nothing but whitespace
  kBadStartLine,        // neither a request line nor a status line
  kBadMethod,           // method is not a token
  kBadRequestUri,       // missing or malformed Request-URI
  kBadVersion,          // not SIP/2.0 (a 505 for a request)
  kBadStatusCode,       // status code not 100..699
  kLineTooLong,         // a line longer than the parse limit
  kBadLineEnding,       // a CR not followed by LF
  kNulByte,             // NUL in the start line, or in headers outside a quoted-pair
  kHeaderWithoutColon,  // a header line without ':'
  kBadHeaderName,       // empty name or a name with non-token characters
  kFoldBeforeHeader,    // a continuation line with no header to continue
  kNoEndOfHeaders,      // the buffer ends before the empty line
  kTooManyHeaders,      // more header lines than SipMessage::kMaxHeaders
  kBadContentLength,    // non-numeric, negative, huge, or conflicting Content-Length
  kBodyTruncated,       // fewer body bytes than Content-Length says
  kMissingHeader,       // a mandatory header is absent (validate())
  kDuplicateHeader,     // a single-instance header appears twice (validate())
  kBadCSeq,             // CSeq not "number method", or its method differs from the request's
  kBadMaxForwards,      // Max-Forwards not 0..255
  kBadVia,              // unparsable Via
  kBadUri,              // unparsable SIP URI
  kUnsupportedScheme,   // a URI scheme other than sip:/sips: (416 for a Request-URI)
  kBadNameAddr,         // unparsable From/To/Contact/Route value
  kBadCallId,           // empty Call-ID
  kBadHeaderValue,      // any other malformed value
};

struct ParseError {
  SipError code = SipError::kNone;
  std::string_view reason;  // static text, never owned

  bool ok() const { return code == SipError::kNone; }
};

inline constexpr ParseError kParseOk{};

inline constexpr ParseError make_error(SipError code, std::string_view reason) {
  return ParseError{code, reason};
}

// The status a proxy should answer a malformed request with (RFC 3261 §21.4): 505 for an
// unsupported version, 416 for an unsupported URI scheme, 513 when the message is too large,
// 400 otherwise.
inline constexpr int suggested_status(SipError code) {
  switch (code) {
    case SipError::kNone:
      return 0;
    case SipError::kBadVersion:
      return 505;
    case SipError::kUnsupportedScheme:
      return 416;
    case SipError::kLineTooLong:
    case SipError::kTooManyHeaders:
      return 513;
    default:
      return 400;
  }
}

}  // namespace core::sip
