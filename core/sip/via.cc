#include "core/sip/via.h"

#include "core/sip/text.h"

namespace core::sip {
namespace {

ParseError bad_via(std::string_view reason) {
  return make_error(SipError::kBadVia, reason);
}

// Splits off a token followed by SLASH (SWS "/" SWS) when `slash`, else a bare token.
bool take_token(std::string_view& rest, std::string_view& token, bool slash) {
  rest = skip_lws(rest);
  size_t n = 0;
  while (n < rest.size() && is_token_char(rest[n])) ++n;
  if (n == 0) return false;
  token = rest.substr(0, n);
  rest = rest.substr(n);
  if (!slash) return true;
  rest = skip_lws(rest);
  if (rest.empty() || rest[0] != '/') return false;
  rest = rest.substr(1);
  return true;
}

}  // namespace

ParseError Via::parse(std::string_view via_parm) {
  *this = Via{};
  text_ = trim_lws(via_parm);
  std::string_view rest = text_;
  ParseError err = parse_protocol(rest);
  if (!err.ok()) return err;
  // sent-protocol LWS sent-by *( SEMI via-params )
  if (rest.empty() || !is_lws(rest[0])) return bad_via("missing sent-by");
  rest = skip_lws(rest);
  size_t semi = rest.find(';');
  if (semi == std::string_view::npos) semi = rest.size();
  err = parse_host_port(trim_lws(rest.substr(0, semi)), true, SipError::kBadVia, sent_by_);
  if (!err.ok()) return err;
  params_ = rest.substr(semi);
  err = parse_params();
  if (!err.ok()) return err;
  // Parsed whole, so that a request from another SIP version can still be answered 505
  // (RFC 3261 §16.3 step 1, §21.5.7) over this Via.
  if (protocol_version_ != "2.0") {
    return make_error(SipError::kBadVersion, "unsupported SIP version in Via");
  }
  return kParseOk;
}

ParseError Via::parse_protocol(std::string_view& rest) {
  if (!take_token(rest, protocol_name_, true) || !take_token(rest, protocol_version_, true) ||
      !take_token(rest, transport_name_, false)) {
    return bad_via("malformed sent-protocol");
  }
  if (!iequals(protocol_name_, "SIP")) return bad_via("unsupported Via protocol");
  transport_ = Transport::parse(transport_name_);
  return kParseOk;
}

ParseError Via::parse_params() {
  ParamCursor cursor(params_, true);
  Param p;
  while (cursor.next(p)) {
    if (iequals(p.name, "branch")) {
      if (!p.has_value) return bad_via("empty branch");
      branch_ = p;
    } else if (iequals(p.name, "received")) {
      // received = IPv4address / IPv6address (RFC 3261 §20.42); brackets are tolerated.
      std::string_view a = p.value;
      if (a.size() > 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
      if (!is_ipv4(a) && !is_ipv6(a)) return bad_via("malformed received");
      received_ = p;
    } else if (iequals(p.name, "rport")) {
      uint16_t port = 0;
      if (p.has_value && !parse_port(p.value, port)) return bad_via("malformed rport");
      rport_ = p;
    } else if (iequals(p.name, "maddr")) {
      HostPort hp;
      if (!parse_host_port(p.value, false, SipError::kBadVia, hp).ok() || hp.has_port()) {
        return bad_via("malformed maddr");
      }
      maddr_ = p;
    } else if (iequals(p.name, "ttl")) {
      uint64_t ttl = 0;
      if (!parse_uint(p.value, 255, ttl)) return bad_via("malformed ttl");
      ttl_ = p;
    }
  }
  if (cursor.malformed()) return bad_via("malformed Via parameters");
  return kParseOk;
}

Param Via::param(std::string_view name) const {
  return find_param(params_, name, true);
}

// The cookie is case-sensitive (RFC 3261 §8.1.1.7). The cookie alone identifies nothing
// (RFC 4475 §3.2.1): such a branch is not an RFC 3261 one.
bool Via::has_rfc3261_branch() const {
  return branch_.value.size() > kBranchCookie.size() && branch_.value.starts_with(kBranchCookie);
}

}  // namespace core::sip
