#include "core/sip/name_addr.h"

#include "core/sip/sip_uri.h"
#include "core/sip/text.h"

namespace core::sip {
namespace {

ParseError bad(std::string_view reason) {
  return make_error(SipError::kBadNameAddr, reason);
}

}  // namespace

ParseError NameAddr::parse(std::string_view value) {
  *this = NameAddr{};
  std::string_view rest = trim_lws(value);
  if (rest.empty()) return bad("empty address");
  if (rest == "*") {
    star_ = true;
    return kParseOk;
  }
  const bool quoted = rest[0] == '"';
  // A display name holds no ';': a '<' after one is inside a parameter of an addr-spec
  // (e.g. ;+sip.instance="<urn:uuid:...>", RFC 5626 §4.1), not a name-addr's LAQUOT.
  const size_t lt = rest.find('<');
  const bool name_addr = lt != std::string_view::npos && lt < rest.find(';');
  if (quoted || name_addr) {
    ParseError err = parse_display(rest);
    if (!err.ok()) return err;
    const size_t gt = rest.find('>');
    if (gt == std::string_view::npos) return bad("unterminated '<'");
    brackets_ = true;
    uri_ = rest.substr(1, gt - 1);
    // LAQUOT addr-spec RAQUOT: no white space inside the brackets (RFC 3261 §25.1;
    // RFC 4475 §3.1.2.13 answers such a request 400).
    for (char c : uri_) {
      if (is_lws(c)) return bad("white space inside <>");
    }
    rest = rest.substr(gt + 1);
  } else {
    // addr-spec: the URI cannot contain ';' here, so the first one starts header params.
    const size_t semi = rest.find(';');
    uri_ = trim_lws(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi);
    for (char c : uri_) {
      if (is_lws(c) || c == ',' || c == '?' || c == '>') return bad("malformed address");
    }
  }
  if (!has_uri_scheme(uri_)) return bad("malformed address URI");
  params_ = trim_lws(rest);
  if (!params_well_formed(params_, true)) return bad("malformed address parameters");
  return kParseOk;
}

// Leaves `rest` at the '<'. display-name = *(token LWS) / quoted-string.
ParseError NameAddr::parse_display(std::string_view& rest) {
  if (rest[0] == '"') {
    const size_t q = quoted_string_length(rest);
    if (q == 0) return bad("unterminated display name");
    display_ = rest.substr(1, q - 2);
    rest = skip_lws(rest.substr(q));
    if (rest.empty() || rest[0] != '<') return bad("missing '<' after display name");
    return kParseOk;
  }
  const size_t lt = rest.find('<');
  display_ = trim_lws(rest.substr(0, lt));
  for (char c : display_) {
    if (!is_token_char(c) && !is_lws(c)) return bad("malformed display name");
  }
  rest = rest.substr(lt);
  return kParseOk;
}

ParseError NameAddr::parse_uri(SipUri& out) const {
  return out.parse(uri_);
}

}  // namespace core::sip
