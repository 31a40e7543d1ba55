#include "core/sip/sip_uri.h"

#include "core/sip/text.h"

namespace core::sip {
namespace {

ParseError bad_uri(std::string_view reason) {
  return make_error(SipError::kBadUri, reason);
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  return ascii_lower(c) - 'a' + 10;
}

bool is_unreserved(char c) {
  if (is_alnum(c)) return true;
  switch (c) {
    case '-':
    case '_':
    case '.':
    case '!':
    case '~':
    case '*':
    case '\'':
    case '(':
    case ')':
      return true;
    default:
      return false;
  }
}

// Checks that every character is unreserved, in `extra`, or a well-formed %HH escape.
bool chars_ok(std::string_view s, std::string_view extra) {
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
    } else if (!is_unreserved(c) && extra.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// RFC 3261 §25.1 user-unreserved, password, param-unreserved and hnv-unreserved sets.
constexpr std::string_view kUserExtra = "&=+$,;?/";
constexpr std::string_view kPasswordExtra = "&=+$,";
constexpr std::string_view kParamsExtra = "[]/:&+$;=";
constexpr std::string_view kHeadersExtra = "[]/?:+$&=";

}  // namespace

bool has_uri_scheme(std::string_view s) {
  if (s.empty() || !is_alpha(s[0])) return false;
  for (size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ':') return true;
    if (!is_alnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return false;
}

ParseError SipUri::parse(std::string_view uri) {
  *this = SipUri{};
  text_ = uri;
  std::string_view rest;
  if (istarts_with(uri, "sip:")) {
    rest = uri.substr(4);
  } else if (istarts_with(uri, "sips:")) {
    scheme_ = UriScheme::kSips;
    rest = uri.substr(5);
  } else if (has_uri_scheme(uri)) {
    return make_error(SipError::kUnsupportedScheme, "unsupported URI scheme");
  } else {
    return bad_uri("malformed URI");
  }
  // No part after the scheme may contain an unescaped '@', so the first one ends userinfo.
  const size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    ParseError err = parse_userinfo(rest.substr(0, at));
    if (!err.ok()) return err;
    rest = rest.substr(at + 1);
  }
  const size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    headers_ = rest.substr(q + 1);
    rest = rest.substr(0, q);
    if (headers_.empty() || !chars_ok(headers_, kHeadersExtra)) {
      return bad_uri("malformed URI headers");
    }
  }
  size_t semi = rest.find(';');
  if (semi == std::string_view::npos) semi = rest.size();
  ParseError err = parse_host_port(rest.substr(0, semi), false, SipError::kBadUri, host_port_);
  if (!err.ok()) return err;
  params_ = rest.substr(semi);
  if (!chars_ok(params_, kParamsExtra) || !params_well_formed(params_, false)) {
    return bad_uri("malformed URI parameters");
  }
  return kParseOk;
}

ParseError SipUri::parse_userinfo(std::string_view userinfo) {
  const size_t colon = userinfo.find(':');
  user_ = userinfo.substr(0, colon);
  has_user_ = true;
  if (colon != std::string_view::npos) {
    has_password_ = true;
    password_ = userinfo.substr(colon + 1);
    if (!chars_ok(password_, kPasswordExtra)) return bad_uri("malformed password");
  }
  if (user_.empty() || !chars_ok(user_, kUserExtra)) return bad_uri("malformed user");
  return kParseOk;
}

size_t unescape(std::string_view in, std::span<char> out) {
  size_t n = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (n == out.size()) return std::string_view::npos;
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size() || !is_hex(in[i + 1]) || !is_hex(in[i + 2])) {
        return std::string_view::npos;
      }
      c = static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
      i += 2;
    }
    out[n++] = c;
  }
  return n;
}

bool unescape(std::string_view in, std::string& out) {
  out.resize(in.size());
  const size_t n = unescape(in, std::span<char>(out.data(), out.size()));
  if (n == std::string_view::npos) {
    out.clear();
    return false;
  }
  out.resize(n);
  return true;
}

}  // namespace core::sip
