// SipMessage's on-demand values and validate(): nothing here runs unless asked for.
#include "core/sip/checked_fields.h"
#include "core/sip/name_addr.h"
#include "core/sip/sip_message.h"
#include "core/sip/sip_uri.h"
#include "core/sip/text.h"
#include "core/sip/via.h"

namespace core::sip {
namespace {

struct Required {
  HeaderType type;
  std::string_view missing;
  std::string_view duplicate;  // empty: may repeat
};

// RFC 3261 §8.1.1: the minimum a request carries (responses copy them, §8.2.6.2). To, From,
// Call-ID and CSeq occur once; Max-Forwards is not required here (a proxy adds it, §16.6).
constexpr Required kRequired[] = {
    {HeaderType::kTo, "missing To", "duplicate To"},
    {HeaderType::kFrom, "missing From", "duplicate From"},
    {HeaderType::kCallId, "missing Call-ID", "duplicate Call-ID"},
    {HeaderType::kCSeq, "missing CSeq", "duplicate CSeq"},
    {HeaderType::kVia, "missing Via", ""},
};

bool is_one_of(std::string_view word, std::string_view list) {
  for (size_t i = 0; i + 3 <= list.size(); i += 3) {
    if (word == list.substr(i, 3)) return true;
  }
  return false;
}

// SIP-date = wkday "," SP 2DIGIT SP month SP 4DIGIT SP 2DIGIT ":" 2DIGIT ":" 2DIGIT SP "GMT"
// (RFC 3261 §25.1, the rfc1123-date of RFC 2616 §3.3.1), e.g. "Sat, 13 Nov 2010 23:29:00 GMT".
bool is_sip_date(std::string_view v) {
  constexpr std::string_view kShape = "www, dd mmm dddd dd:dd:dd GMT";
  if (v.size() != kShape.size()) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    const char want = kShape[i];
    if (want == 'd' ? !is_digit(v[i]) : (want != 'w' && want != 'm' && v[i] != want)) return false;
  }
  return is_one_of(v.substr(0, 3), "MonTueWedThuFriSatSun") &&
         is_one_of(v.substr(8, 3), "JanFebMarAprMayJunJulAugSepOctNovDec");
}

}  // namespace

ParseError parse_cseq(std::string_view value, CSeq& out) {
  const std::string_view v = trim_lws(value);
  size_t n = 0;
  while (n < v.size() && is_digit(v[n])) ++n;
  uint64_t number = 0;
  // RFC 3261 §8.1.1.5: the sequence number MUST be less than 2**31.
  if (!parse_uint(v.substr(0, n), 0x7fffffff, number)) {
    return make_error(SipError::kBadCSeq, "malformed CSeq number");
  }
  if (n == v.size() || !is_lws(v[n])) return make_error(SipError::kBadCSeq, "CSeq without method");
  const std::string_view method = skip_lws(v.substr(n));
  if (!is_token(method)) return make_error(SipError::kBadCSeq, "malformed CSeq method");
  out.number = static_cast<uint32_t>(number);
  out.method = method;
  return kParseOk;
}

ParseError parse_content_length(std::string_view value, uint32_t& out) {
  uint64_t v = 0;
  if (!parse_uint(trim_lws(value), 0xffffffff, v)) {
    return make_error(SipError::kBadContentLength, "malformed Content-Length");
  }
  out = static_cast<uint32_t>(v);
  return kParseOk;
}

std::string_view SipMessage::call_id() const {
  const HeaderField* h = first(HeaderType::kCallId);
  return h ? value(*h) : std::string_view{};
}

ParseError SipMessage::cseq(CSeq& out) const {
  const HeaderField* h = first(HeaderType::kCSeq);
  if (!h) return make_error(SipError::kMissingHeader, "missing CSeq");
  return parse_cseq(value(*h), out);
}

ParseError SipMessage::max_forwards(int& out) const {
  out = -1;
  const HeaderField* h = first(HeaderType::kMaxForwards);
  if (!h) return kParseOk;
  uint64_t v = 0;
  if (!parse_uint(trim_lws(value(*h)), 255, v)) {
    return make_error(SipError::kBadMaxForwards, "malformed Max-Forwards");
  }
  out = static_cast<int>(v);
  return kParseOk;
}

ParseError SipMessage::top_via(Via& via, const HeaderField** header) const {
  const HeaderField* h = first(HeaderType::kVia);
  if (!h) return make_error(SipError::kMissingHeader, "missing Via");
  if (header) *header = h;
  ValueSplitter values(value(*h));
  std::string_view v;
  if (!values.next(v)) return make_error(SipError::kBadVia, "empty Via");
  return via.parse(v);
}

ParseError SipMessage::parsed_request_uri(SipUri& uri) const {
  if (!is_request_) return make_error(SipError::kBadRequestUri, "not a request");
  return uri.parse(request_uri());
}

ParseError SipMessage::validate(Via* top) const {
  CheckedFields fields;
  ParseError err = validate(&fields);
  if (top != nullptr) *top = fields.top;
  return err;
}

ParseError SipMessage::validate(CheckedFields* fields) const {
  ParseError err = validate_single_instances();
  if (!err.ok()) return err;
  if (trim_lws(call_id()).empty()) return make_error(SipError::kBadCallId, "empty Call-ID");
  CSeq cs;
  err = cseq(cs);
  if (!err.ok()) return err;
  if (is_request_ && cs.method != method_name()) {
    return make_error(SipError::kBadCSeq, "CSeq method does not match the request");
  }
  err = max_forwards(fields->max_forwards);
  if (!err.ok()) return err;
  err = top_via(fields->top);
  if (!err.ok()) return err;
  // RFC 4475 §3.2.1: the cookie alone claims an RFC 3261 branch and identifies nothing.
  if (fields->top.branch().value == kBranchCookie) {
    return make_error(SipError::kBadVia, "Via branch is the magic cookie alone");
  }
  NameAddr addr;
  if (!addr.parse(value(*first(HeaderType::kFrom))).ok()) {
    return make_error(SipError::kBadNameAddr, "malformed From");
  }
  // The tags matter to a stateless reply only: a response's are not looked for.
  if (is_request_) fields->from_tag = addr.tag();
  if (!addr.parse(value(*first(HeaderType::kTo))).ok()) {
    return make_error(SipError::kBadNameAddr, "malformed To");
  }
  if (is_request_) fields->to_tagged = addr.param("tag").present();
  return is_request_ ? validate_request_fields(*fields) : kParseOk;
}

ParseError SipMessage::validate_single_instances() const {
  for (const Required& r : kRequired) {
    const size_t n = count(r.type);
    if (n == 0) return make_error(SipError::kMissingHeader, r.missing);
    if (n > 1 && !r.duplicate.empty()) return make_error(SipError::kDuplicateHeader, r.duplicate);
  }
  if (count(HeaderType::kMaxForwards) > 1) {
    return make_error(SipError::kDuplicateHeader, "duplicate Max-Forwards");
  }
  return kParseOk;
}

// A sip:/sips: Request-URI must parse and carry no headers (RFC 3261 §19.1.1: not allowed in
// a Request-URI; a proxy must not pass them on, RFC 4475 §3.1.2.10). tel: (RFC 3966) and urn:
// (RFC 5031 service URNs) pass through untouched for the routing script; any other scheme is
// not understood and gets 416 (RFC 3261 §16.3 step 2, RFC 4475 §3.3.2-3). Contact and Date
// are checked too: a stateless proxy forwards them as they are, so a malformed one is refused
// rather than passed on.
ParseError SipMessage::validate_request_fields(CheckedFields& fields) const {
  const std::string_view uri = request_uri();
  if (istarts_with(uri, "sip:") || istarts_with(uri, "sips:")) {
    ParseError err = fields.uri.parse(uri);
    if (!err.ok()) return err;
    if (!fields.uri.headers().empty()) {
      return make_error(SipError::kBadRequestUri, "headers in the Request-URI");
    }
    fields.uri_ok = true;
  } else if (!has_uri_scheme(uri)) {
    return make_error(SipError::kBadRequestUri, "malformed Request-URI");
  } else if (!istarts_with(uri, "tel:") && !istarts_with(uri, "urn:")) {
    return make_error(SipError::kUnsupportedScheme, "Unsupported URI Scheme");
  }
  ParseError err = validate_contacts();
  if (!err.ok()) return err;
  const HeaderField* date = first(HeaderType::kDate);
  if (date != nullptr && !is_sip_date(value(*date))) {
    return make_error(SipError::kBadHeaderValue, "malformed Date");
  }
  return kParseOk;
}

// Contact = ("*" / (contact-param *(COMMA contact-param))) (RFC 3261 §20.10); an addr-spec
// with ',', ';' or '?' must be a name-addr (RFC 4475 §3.1.2.12), which NameAddr enforces.
ParseError SipMessage::validate_contacts() const {
  for (const HeaderField* h = first(HeaderType::kContact); h != nullptr;
       h = next(h, HeaderType::kContact)) {
    ValueSplitter values(value(*h));
    std::string_view v;
    NameAddr addr;
    while (values.next(v)) {
      if (!addr.parse(v).ok()) return make_error(SipError::kBadNameAddr, "malformed Contact");
    }
    if (values.malformed()) return make_error(SipError::kBadNameAddr, "malformed Contact");
  }
  return kParseOk;
}

}  // namespace core::sip
