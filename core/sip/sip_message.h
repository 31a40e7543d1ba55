#pragma once
// One SIP message (RFC 3261 §7) held in a caller-owned contiguous buffer. parse() makes one
// lazy pass: it splits the start line and records where each header line, name and value
// are (offsets into the message, in a fixed array: no heap allocation). Values are parsed on
// demand by the accessors below or by Via / SipUri / NameAddr. The buffer must outlive the
// message object and must not move.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/sip/header_type.h"
#include "core/sip/parse_error.h"

namespace core::sip {

class Via;
class SipUri;
struct CheckedFields;

enum class Method : uint8_t {
  kOther,
  kInvite,
  kAck,
  kBye,
  kCancel,
  kRegister,
  kOptions,
  kInfo,
  kUpdate,
  kPrack,
  kSubscribe,
  kNotify,
  kRefer,
  kMessage,
  kPublish,
};

// Methods are case-sensitive (RFC 3261 §7.1); unknown ones are kOther and pass through.
Method method_of(std::string_view name);

struct ParseLimits {
  // The longest logical line (a header with its folds, or the start line). Longer ones are
  // rejected rather than buffered: nothing legitimate comes close.
  size_t max_line_length = 8192;
};

// Where one header sits in the message; offsets are relative to SipMessage::data().
struct HeaderField {
  uint32_t offset = 0;        // first byte of the name
  uint32_t length = 0;        // the whole header: name, value, folds and the final line end
  uint32_t value_offset = 0;  // first byte of the value (after ": " and any leading fold)
  uint32_t value_length = 0;  // trimmed; a folded value keeps its CRLF+WS, which count as LWS
  uint16_t name_length = 0;
  HeaderType type = HeaderType::kOther;
};

struct CSeq {
  uint32_t number = 0;
  std::string_view method;
};

class SipMessage {
 public:
  // Typical messages carry 10..25 headers; a message with more than this is rejected with
  // kTooManyHeaders (a 513) instead of spilling to the heap. At most 255 (the type index).
  static constexpr size_t kMaxHeaders = 96;
  static_assert(kMaxHeaders <= 255, "first_ holds 1 + an index in a uint8_t");

  // Parses `buffer`, which holds one message (a datagram, or a frame from find_frame).
  // A request line that ends in "SIP/..." makes is_request() true even when the line is
  // otherwise wrong (kBadVersion, kBadRequestUri, kBadStartLine): the headers are then parsed
  // as well, so that the request can be answered.
  // CRLFs before the start line are skipped (RFC 3261 §7.5). With Content-Length the message
  // ends after that many body bytes (extra datagram bytes are ignored, RFC 3261 §18.3);
  // without it the body runs to the end of the buffer. Bare LF line ends are tolerated.
  ParseError parse(std::string_view buffer, const ParseLimits& limits = {});

  // The checks a stateless proxy needs before forwarding (RFC 3261 §8.1.1, §16.3): To, From,
  // Call-ID, CSeq and Via present, the single-instance ones not repeated, CSeq well formed
  // and (for a request) naming the request's method, the top Via parsable, SIP/2.0 and with
  // more than the magic cookie as branch, Max-Forwards 0..255 when present, From/To parsable;
  // for a request also a sip:/sips: Request-URI parsable and without headers, every Contact
  // parsable and a Date in RFC 1123 form (the RFC 4475 §3.1.2 cases). Max-Forwards may be
  // absent: a proxy adds one (RFC 3261 §16.6 step 3) rather than rejecting the request.
  // `top` (optional) receives the parsed top Via, so the caller need not parse it again;
  // `fields` (core/sip/checked_fields.h) receives every field parsed for the checks.
  ParseError validate(Via* top = nullptr) const;
  ParseError validate(CheckedFields* fields) const;

  bool is_request() const { return is_request_; }
  Method method() const { return method_; }
  std::string_view method_name() const { return slice(method_off_, method_len_); }
  std::string_view request_uri() const { return slice(uri_off_, uri_len_); }
  int status_code() const { return status_; }
  std::string_view reason_phrase() const { return slice(reason_off_, reason_len_); }
  std::string_view start_line() const { return slice(0, start_line_len_); }

  // The whole message, from the start line to the end of the body.
  std::string_view data() const { return data_; }
  // Offset of the first header line (just after the start line's line end).
  size_t headers_offset() const { return headers_off_; }
  // Offset of the empty line that ends the header section: where appended headers go.
  size_t headers_end() const { return headers_end_; }
  std::string_view body() const { return slice(body_off_, data_.size() - body_off_); }

  std::span<const HeaderField> headers() const { return {headers_.data(), header_count_}; }
  std::string_view name(const HeaderField& h) const { return slice(h.offset, h.name_length); }
  std::string_view value(const HeaderField& h) const {
    return slice(h.value_offset, h.value_length);
  }
  std::string_view line(const HeaderField& h) const { return slice(h.offset, h.length); }

  // The first header of a type and how many there are come from an index the parse wrote as it
  // classified each name: no scan of the headers.
  const HeaderField* first(HeaderType type) const {
    const uint8_t i = first_[static_cast<size_t>(type)];
    return i == 0 ? nullptr : &headers_[i - 1];
  }
  // The next header of `type` after `after` (nullptr: from the start).
  const HeaderField* next(const HeaderField* after, HeaderType type) const;
  // A header by name, long or compact, known or not (case-insensitive).
  const HeaderField* find(std::string_view name) const;
  size_t count(HeaderType type) const { return count_[static_cast<size_t>(type)]; }

  // On-demand values.
  std::string_view call_id() const;
  ParseError cseq(CSeq& out) const;
  // `value` is -1 when there is no Max-Forwards.
  ParseError max_forwards(int& value) const;
  // The first value of the first Via; `header` (optional) receives its header line.
  ParseError top_via(Via& via, const HeaderField** header = nullptr) const;
  ParseError parsed_request_uri(SipUri& uri) const;

 private:
  std::string_view slice(size_t off, size_t len) const { return data_.substr(off, len); }
  ParseError parse_start_line(std::string_view line);
  ParseError parse_request_line(std::string_view line);
  ParseError parse_status_line(std::string_view line);
  ParseError parse_headers(std::string_view buf, const ParseLimits& limits, size_t& pos);
  ParseError add_header(std::string_view buf, size_t begin, size_t end, size_t next);
  ParseError fold_header(std::string_view buf, size_t begin, size_t end, size_t next,
                         const ParseLimits& limits);
  ParseError frame_body(std::string_view buf, size_t body_start);
  ParseError validate_single_instances() const;
  ParseError validate_request_fields(CheckedFields& fields) const;
  ParseError validate_contacts() const;

  std::string_view data_;
  bool is_request_ = false;
  Method method_ = Method::kOther;
  int status_ = 0;
  uint32_t method_off_ = 0, method_len_ = 0;
  uint32_t uri_off_ = 0, uri_len_ = 0;
  uint32_t reason_off_ = 0, reason_len_ = 0;
  uint32_t start_line_len_ = 0;
  uint32_t headers_off_ = 0;
  uint32_t headers_end_ = 0;
  uint32_t body_off_ = 0;
  size_t header_count_ = 0;
  // Per HeaderType: 1 + the index of its first header (0: none), and its number of headers.
  std::array<uint8_t, kHeaderTypeCount> first_{};
  std::array<uint8_t, kHeaderTypeCount> count_{};
  std::array<HeaderField, kMaxHeaders> headers_{};
};

// Parses a CSeq value: "1*DIGIT LWS method" (RFC 3261 §20.16; the number below 2**31).
ParseError parse_cseq(std::string_view value, CSeq& out);
// Parses a Content-Length value: digits, at most 2**32-1.
ParseError parse_content_length(std::string_view value, uint32_t& out);

}  // namespace core::sip
