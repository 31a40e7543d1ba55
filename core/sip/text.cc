#include "core/sip/text.h"

#include <array>

namespace core::sip {

bool parse_uint(std::string_view s, uint64_t max, uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;  // 19 digits always fit in 64 bits
  uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) return false;
  out = v;
  return true;
}

size_t quoted_string_length(std::string_view s) {
  if (s.empty() || s[0] != '"') return 0;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;  // the escaped character, whatever it is
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return 0;
}

bool nul_only_in_quoted_pairs(std::string_view headers) {
  bool quoted = false;
  for (size_t i = 0; i < headers.size(); ++i) {
    const char c = headers[i];
    if (c == '\0') return false;  // an escaped NUL is skipped below, never seen here
    if (c == '\n') {
      const bool fold = i + 1 < headers.size() && (headers[i + 1] == ' ' || headers[i + 1] == '\t');
      quoted = quoted && fold;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == '\\' && quoted && i + 1 < headers.size() && headers[i + 1] != '\r' &&
               headers[i + 1] != '\n') {
      ++i;
    }
  }
  return true;
}

namespace {
// The bytes ValueSplitter stops at; every other byte of a value is skipped with one look-up.
constexpr std::array<bool, 256> kSplitStops = [] {
  std::array<bool, 256> t{};
  t['"'] = t['<'] = t['>'] = t[','] = true;
  return t;
}();
}  // namespace

bool ValueSplitter::next(std::string_view& value) {
  while (!rest_.empty()) {
    size_t i = 0;
    bool in_angle = false;
    while (i < rest_.size()) {
      const char c = rest_[i];
      if (!kSplitStops[static_cast<unsigned char>(c)]) {
        ++i;
        continue;
      }
      if (c == '"') {
        const size_t q = quoted_string_length(rest_.substr(i));
        if (q == 0) {
          malformed_ = true;
          i = rest_.size();
          break;
        }
        i += q;
        continue;
      }
      if (c == '<') {
        if (in_angle) malformed_ = true;  // '<' cannot nest
        in_angle = true;
      }
      if (c == '>') in_angle = false;
      if (c == ',' && !in_angle) break;
      ++i;
    }
    if (in_angle) malformed_ = true;
    const std::string_view item = trim_lws(rest_.substr(0, i));
    rest_ = i < rest_.size() ? rest_.substr(i + 1) : std::string_view{};
    if (!item.empty()) {
      value = item;
      return true;
    }
  }
  return false;
}

}  // namespace core::sip
