#include "core/sip/param_list.h"

#include <array>

#include "core/sip/text.h"

namespace core::sip {
namespace {

// What ends an unquoted parameter value, one entry per byte: every Via branch of every message
// is scanned with it (eleven compares per character were 5 % of a forward's CPU).
constexpr std::array<bool, 256> kValueChars = [] {
  std::array<bool, 256> t{};
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    t[static_cast<size_t>(i)] = !is_lws(c) && c != ';' && c != ',' && c != '"' && c != '<' &&
                                c != '>' && c != '\0' && c != '=';
  }
  return t;
}();

bool is_value_char(char c) {
  return kValueChars[static_cast<unsigned char>(c)];
}

}  // namespace

bool ParamCursor::next(Param& out) {
  if (malformed_) return false;
  if (allow_lws_) rest_ = skip_lws(rest_);
  if (rest_.empty()) return false;
  if (rest_[0] != ';') {
    malformed_ = true;
    return false;
  }
  std::string_view s = rest_.substr(1);
  if (allow_lws_) s = skip_lws(s);
  size_t n = 0;
  while (n < s.size() && is_token_char(s[n])) ++n;
  out = Param{s.substr(0, n), {}, false};
  s = s.substr(n);
  if (n == 0) {
    malformed_ = true;
    return false;
  }
  std::string_view after = allow_lws_ ? skip_lws(s) : s;
  if (!after.empty() && after[0] == '=') {
    s = after.substr(1);
    if (allow_lws_) s = skip_lws(s);
    size_t v = 0;
    if (!s.empty() && s[0] == '"') {
      v = quoted_string_length(s);
    } else {
      while (v < s.size() && is_value_char(s[v])) ++v;
    }
    if (v == 0) {
      malformed_ = true;
      return false;
    }
    out.value = s.substr(0, v);
    out.has_value = true;
    s = s.substr(v);
  }
  if (allow_lws_) s = skip_lws(s);
  if (!s.empty() && s[0] != ';') {
    malformed_ = true;
    return false;
  }
  rest_ = s;
  return true;
}

bool params_well_formed(std::string_view list, bool allow_lws) {
  ParamCursor cursor(list, allow_lws);
  Param p;
  while (cursor.next(p)) {
  }
  return !cursor.malformed();
}

Param find_param(std::string_view list, std::string_view name, bool allow_lws) {
  ParamCursor cursor(list, allow_lws);
  Param p;
  while (cursor.next(p)) {
    if (iequals(p.name, name)) return p;
  }
  return Param{};
}

}  // namespace core::sip
