#pragma once
// Small text helpers for the SIP parsers: ASCII classes, case-insensitive compares without
// lowering copies, linear white space (RFC 3261 §25.1: LWS may contain a folded CRLF), and
// splitting comma-separated header values.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace core::sip {

inline constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

inline constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    // Names and tokens mostly arrive in the case they are compared with: one compare then.
    if (a[i] != b[i] && ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

inline constexpr bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

inline constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline constexpr bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline constexpr bool is_alnum(char c) {
  return is_digit(c) || is_alpha(c);
}
inline constexpr bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Within an unfolded or folded header value every CR and LF belongs to a fold, so they count
// as white space together with SP and HT.
inline constexpr bool is_lws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

namespace detail {
// RFC 3261 §25.1 token characters, one entry per byte: every header name and parameter name of
// every message is scanned with it.
inline constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> t{};
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    t[static_cast<size_t>(i)] = is_alnum(c) || c == '-' || c == '.' || c == '!' || c == '%' ||
                                c == '*' || c == '_' || c == '+' || c == '`' || c == '\'' ||
                                c == '~';
  }
  return t;
}();
}  // namespace detail

// RFC 3261 §25.1 token characters.
inline constexpr bool is_token_char(char c) {
  return detail::kTokenChars[static_cast<unsigned char>(c)];
}

inline constexpr bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

inline constexpr std::string_view trim_lws(std::string_view s) {
  size_t b = 0;
  while (b < s.size() && is_lws(s[b])) ++b;
  size_t e = s.size();
  while (e > b && is_lws(s[e - 1])) --e;
  return s.substr(b, e - b);
}

inline constexpr std::string_view skip_lws(std::string_view s) {
  size_t b = 0;
  while (b < s.size() && is_lws(s[b])) ++b;
  return s.substr(b);
}

// Parses an unsigned decimal made only of digits (no sign, no spaces). Fails on an empty
// string, a non-digit, or a value above `max`.
bool parse_uint(std::string_view s, uint64_t max, uint64_t& out);

// Offset of `part` inside `whole`; `part` must be a view into `whole`.
inline size_t offset_in(std::string_view whole, std::string_view part) {
  return static_cast<size_t>(part.data() - whole.data());
}

// Walks the comma-separated values of one header line (Via, Route, Record-Route, Contact...):
// commas inside a quoted string or inside <...> do not split (RFC 3261 §7.3.1).
class ValueSplitter {
 public:
  explicit ValueSplitter(std::string_view value) : rest_(value) {}

  // Yields the next value, trimmed of LWS; empty values (",,") are skipped. Returns false at
  // the end. Sets malformed() on an unterminated quote or '<'.
  bool next(std::string_view& value);
  bool malformed() const { return malformed_; }

 private:
  std::string_view rest_;
  bool malformed_ = false;
};

// Length of a quoted string starting at s[0] == '"' including both quotes, honouring
// backslash escapes (RFC 3261 §25.1 quoted-pair); 0 when it is not terminated.
size_t quoted_string_length(std::string_view s);

// True when every NUL in `headers` (header lines, folds included) is the escaped octet of a
// quoted-pair inside a quoted string (RFC 3261 §25.1: quoted-pair = "\" (%x00-09 / %x0B-0C /
// %x0E-7F)). A line that is not a fold starts outside any quote.
bool nul_only_in_quoted_pairs(std::string_view headers);

}  // namespace core::sip
