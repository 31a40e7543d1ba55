#include "core/sip/sip_message.h"

#include <cstring>
#include <limits>

#include "core/sip/text.h"

namespace core::sip {
namespace {

struct Line {
  size_t end = 0;        // one past the last content byte (before CR LF or LF)
  size_t next = 0;       // first byte of the following line
  bool has_nul = false;  // a NUL among the content bytes: the caller decides (quoted-pair)
};

// Finds the end of the line starting at `pos`. CRLF ends a line; a bare LF is tolerated
// (robustness, as most deployed parsers do); a bare CR is an error. Never reads past `buf`,
// and gives up after `max_len` bytes so an endless line cannot cost more than that.
ParseError scan_line(std::string_view buf, size_t pos, size_t max_len, Line& out) {
  const size_t window = buf.size() - pos > max_len + 2 ? max_len + 2 : buf.size() - pos;
  const char* begin = buf.data() + pos;
  const char* lf = static_cast<const char*>(std::memchr(begin, '\n', window));
  if (lf == nullptr) {
    if (std::memchr(begin, '\0', window) != nullptr) {
      return make_error(SipError::kNulByte, "NUL byte in headers");
    }
    if (window < buf.size() - pos) return make_error(SipError::kLineTooLong, "line too long");
    return make_error(SipError::kNoEndOfHeaders, "truncated headers");
  }
  size_t len = static_cast<size_t>(lf - begin);
  out.next = pos + len + 1;
  if (len > 0 && begin[len - 1] == '\r') --len;
  out.end = pos + len;
  out.has_nul = std::memchr(begin, '\0', len) != nullptr;
  if (std::memchr(begin, '\r', len) != nullptr) {
    return make_error(SipError::kBadLineEnding, "bare CR in headers");
  }
  if (len > max_len) return make_error(SipError::kLineTooLong, "line too long");
  return kParseOk;
}

size_t trim_right_sp(std::string_view buf, size_t begin, size_t end) {
  while (end > begin && (buf[end - 1] == ' ' || buf[end - 1] == '\t')) --end;
  return end;
}

size_t skip_sp(std::string_view buf, size_t begin, size_t end) {
  while (begin < end && (buf[begin] == ' ' || buf[begin] == '\t')) ++begin;
  return begin;
}

struct MethodEntry {
  std::string_view name;
  Method method;
};

constexpr MethodEntry kMethods[] = {
    {"INVITE", Method::kInvite},     {"ACK", Method::kAck},
    {"BYE", Method::kBye},           {"CANCEL", Method::kCancel},
    {"REGISTER", Method::kRegister}, {"OPTIONS", Method::kOptions},
    {"INFO", Method::kInfo},         {"UPDATE", Method::kUpdate},
    {"PRACK", Method::kPrack},       {"SUBSCRIBE", Method::kSubscribe},
    {"NOTIFY", Method::kNotify},     {"REFER", Method::kRefer},
    {"MESSAGE", Method::kMessage},   {"PUBLISH", Method::kPublish},
};

}  // namespace

Method method_of(std::string_view name) {
  for (const MethodEntry& e : kMethods) {
    if (e.name == name) return e.method;
  }
  return Method::kOther;
}

ParseError SipMessage::parse(std::string_view buffer, const ParseLimits& limits) {
  is_request_ = false;
  method_ = Method::kOther;
  status_ = 0;
  method_off_ = method_len_ = uri_off_ = uri_len_ = reason_off_ = reason_len_ = 0;
  start_line_len_ = headers_off_ = headers_end_ = body_off_ = 0;
  header_count_ = 0;
  first_.fill(0);
  count_.fill(0);
  data_ = {};

  size_t skip = 0;
  while (skip < buffer.size() && (buffer[skip] == '\r' || buffer[skip] == '\n')) ++skip;
  const std::string_view buf = buffer.substr(skip);
  if (buf.empty()) return make_error(SipError::kEmpty, "empty message");
  if (buf.size() > std::numeric_limits<uint32_t>::max()) {
    return make_error(SipError::kLineTooLong, "message too large");
  }
  data_ = buf;

  Line first;
  ParseError err = scan_line(buf, 0, limits.max_line_length, first);
  if (!err.ok()) return err;
  if (first.has_nul) return make_error(SipError::kNulByte, "NUL byte in the start line");
  start_line_len_ = static_cast<uint32_t>(first.end);
  const ParseError start = parse_start_line(buf.substr(0, first.end));
  // A request line that ends in a SIP version is a request even when its version or its
  // Request-URI is wrong: the headers are parsed too, so that it can be answered (505 or
  // 400, RFC 4475 §3.1.2.7-9 and §3.1.2.15) instead of dropped.
  if (!start.ok() && !is_request_) return start;

  size_t pos = first.next;
  headers_off_ = static_cast<uint32_t>(pos);
  err = parse_headers(buf, limits, pos);
  if (!err.ok()) return err;
  err = frame_body(buf, pos);
  return err.ok() ? start : err;
}

ParseError SipMessage::parse_start_line(std::string_view line) {
  // A status line starts with the version; a method is a token and cannot contain '/'.
  if (istarts_with(line, "SIP/")) return parse_status_line(line);
  return parse_request_line(line);
}

// Request-Line = Method SP Request-URI SP SIP-Version (RFC 3261 §7.1, §25.1): single SPs, no
// other white space. The version is the last word; once it looks like one ("SIP/..."), the
// line is taken as a request and later errors name what is wrong in it.
ParseError SipMessage::parse_request_line(std::string_view line) {
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) {
    return make_error(SipError::kBadStartLine, "malformed start line");
  }
  const std::string_view method = line.substr(0, sp1);
  if (!is_token(method)) return make_error(SipError::kBadMethod, "malformed method");
  const size_t content_end = trim_right_sp(line, sp1 + 1, line.size());
  const size_t sp2 = content_end > sp1 + 1 ? line.rfind(' ', content_end - 1) : sp1;
  if (sp2 == sp1) return make_error(SipError::kBadStartLine, "request line without SIP version");
  const std::string_view version = line.substr(sp2 + 1, content_end - sp2 - 1);
  if (!istarts_with(version, "SIP/")) {
    return make_error(SipError::kBadStartLine, "malformed request line");
  }
  is_request_ = true;
  method_ = method_of(method);
  method_len_ = static_cast<uint32_t>(sp1);
  uri_off_ = static_cast<uint32_t>(sp1 + 1);
  uri_len_ = static_cast<uint32_t>(sp2 - sp1 - 1);
  if (!iequals(version, "SIP/2.0")) {
    return make_error(SipError::kBadVersion, "unsupported SIP version");
  }
  if (content_end != line.size()) {
    return make_error(SipError::kBadStartLine, "white space after the SIP version");
  }
  const std::string_view uri = request_uri();
  if (uri.empty()) return make_error(SipError::kBadRequestUri, "empty Request-URI");
  for (char c : uri) {
    if (c == ' ' || c == '\t') {
      return make_error(SipError::kBadRequestUri, "white space in the Request-URI");
    }
    if (static_cast<unsigned char>(c) < ' ' || c == 0x7f) {
      return make_error(SipError::kBadRequestUri, "malformed Request-URI");
    }
  }
  return kParseOk;
}

// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2). An empty reason
// without its SP is tolerated.
ParseError SipMessage::parse_status_line(std::string_view line) {
  const size_t sp = line.find(' ');
  const std::string_view version = line.substr(0, sp);
  if (!iequals(version, "SIP/2.0")) {
    return make_error(SipError::kBadVersion, "unsupported SIP version");
  }
  if (sp == std::string_view::npos) {
    return make_error(SipError::kBadStatusCode, "status line without status code");
  }
  const std::string_view rest = line.substr(sp + 1);
  if (rest.size() < 3 || !is_digit(rest[0]) || !is_digit(rest[1]) || !is_digit(rest[2]) ||
      (rest.size() > 3 && rest[3] != ' ')) {
    return make_error(SipError::kBadStatusCode, "malformed status code");
  }
  const int code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
  if (code < 100 || code > 699) {
    return make_error(SipError::kBadStatusCode, "status code out of range");
  }
  status_ = code;
  if (rest.size() > 4) {
    reason_off_ = static_cast<uint32_t>(sp + 5);
    reason_len_ = static_cast<uint32_t>(rest.size() - 4);
  }
  return kParseOk;
}

ParseError SipMessage::parse_headers(std::string_view buf, const ParseLimits& limits, size_t& pos) {
  for (;;) {
    Line l;
    ParseError err = scan_line(buf, pos, limits.max_line_length, l);
    if (!err.ok()) return err;
    if (l.end == pos) {  // the empty line
      headers_end_ = static_cast<uint32_t>(pos);
      pos = l.next;
      return kParseOk;
    }
    const bool fold = buf[pos] == ' ' || buf[pos] == '\t';
    if (fold) {
      // RFC 3261 §7.3.1: a line starting with white space continues the previous header.
      if (header_count_ == 0) {
        return make_error(SipError::kFoldBeforeHeader, "continuation line before any header");
      }
      err = fold_header(buf, pos, l.end, l.next, limits);
    } else {
      err = add_header(buf, pos, l.end, l.next);
    }
    if (!err.ok()) return err;
    // RFC 3261 §25.1: a quoted-pair may carry any octet but CR and LF, NUL included; a NUL
    // anywhere else is refused. Checked over the whole header, as a quote may span a fold.
    if (l.has_nul) {
      const size_t begin = headers_[header_count_ - 1].offset;
      if (!nul_only_in_quoted_pairs(buf.substr(begin, l.end - begin))) {
        return make_error(SipError::kNulByte, "NUL byte in headers");
      }
    }
    pos = l.next;
  }
}

ParseError SipMessage::add_header(std::string_view buf, size_t begin, size_t end, size_t next) {
  const std::string_view line = buf.substr(begin, end - begin);
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return make_error(SipError::kHeaderWithoutColon, "header without colon");
  }
  // HCOLON = *( SP / HTAB ) ":" SWS
  const size_t name_end = trim_right_sp(buf, begin, begin + colon);
  const std::string_view name = buf.substr(begin, name_end - begin);
  if (!is_token(name)) return make_error(SipError::kBadHeaderName, "malformed header name");
  if (header_count_ == kMaxHeaders) {
    return make_error(SipError::kTooManyHeaders, "too many headers");
  }
  const size_t value_begin = skip_sp(buf, begin + colon + 1, end);
  const size_t value_end = trim_right_sp(buf, value_begin, end);
  HeaderField& h = headers_[header_count_++];
  h.offset = static_cast<uint32_t>(begin);
  h.length = static_cast<uint32_t>(next - begin);
  h.name_length = static_cast<uint16_t>(name.size());
  h.value_offset = static_cast<uint32_t>(value_begin);
  h.value_length = static_cast<uint32_t>(value_end - value_begin);
  h.type = header_type_of(name);
  const size_t t = static_cast<size_t>(h.type);
  if (first_[t] == 0) first_[t] = static_cast<uint8_t>(header_count_);
  ++count_[t];
  return kParseOk;
}

ParseError SipMessage::fold_header(std::string_view buf, size_t begin, size_t end, size_t next,
                                   const ParseLimits& limits) {
  HeaderField& h = headers_[header_count_ - 1];
  if (end - h.offset > limits.max_line_length) {
    return make_error(SipError::kLineTooLong, "header too long");
  }
  h.length = static_cast<uint32_t>(next - h.offset);
  const size_t content_begin = skip_sp(buf, begin, end);
  const size_t content_end = trim_right_sp(buf, content_begin, end);
  if (content_begin < content_end) {
    if (h.value_length == 0) h.value_offset = static_cast<uint32_t>(content_begin);
    h.value_length = static_cast<uint32_t>(content_end - h.value_offset);
  }
  return kParseOk;
}

ParseError SipMessage::frame_body(std::string_view buf, size_t body_start) {
  bool have = false;
  uint32_t length = 0;
  for (const HeaderField* h = first(HeaderType::kContentLength); h != nullptr;
       h = next(h, HeaderType::kContentLength)) {
    uint32_t v = 0;
    ParseError err = parse_content_length(value(*h), v);
    if (!err.ok()) return err;
    if (have && v != length) {
      return make_error(SipError::kBadContentLength, "conflicting Content-Length");
    }
    have = true;
    length = v;
  }
  const size_t available = buf.size() - body_start;
  if (have && length > available) {
    return make_error(SipError::kBodyTruncated, "body shorter than Content-Length");
  }
  data_ = buf.substr(0, have ? body_start + length : buf.size());
  body_off_ = static_cast<uint32_t>(body_start);
  return kParseOk;
}

const HeaderField* SipMessage::next(const HeaderField* after, HeaderType type) const {
  if (after == nullptr) return first(type);
  const HeaderField* end = headers_.data() + header_count_;
  for (const HeaderField* h = after + 1; h < end; ++h) {
    if (h->type == type) return h;
  }
  return nullptr;
}

const HeaderField* SipMessage::find(std::string_view header_name) const {
  const HeaderType type = header_type_of(header_name);
  if (type != HeaderType::kOther) return first(type);
  for (const HeaderField& h : headers()) {
    if (h.type == HeaderType::kOther && iequals(name(h), header_name)) return &h;
  }
  return nullptr;
}

}  // namespace core::sip
