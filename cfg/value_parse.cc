#include "cfg/value_parse.h"

#include <array>
#include <cctype>
#include <charconv>
#include <limits>

namespace cfg {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string client_domain_id_error(std::string_view id) {
  if (id.empty()) return "the id is empty";
  if (id.size() > 64) return "the id is longer than 64 characters";
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_';
    if (!ok)
      return std::string("'") + c + "' is not allowed in an id (letters, digits, '.', '-', '_')";
  }
  return {};
}

bool parse_bool(std::string_view text, bool* out) {
  std::string t = to_lower(text);
  if (t == "yes" || t == "on" || t == "true" || t == "1") {
    *out = true;
    return true;
  }
  if (t == "no" || t == "off" || t == "false" || t == "0") {
    *out = false;
    return true;
  }
  return false;
}

bool parse_int(std::string_view text, int64_t* out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

bool parse_duration(std::string_view text, Millis* out) {
  int64_t scale = 1000;
  if (text.ends_with("ms")) {
    scale = 1;
    text.remove_suffix(2);
  } else if (text.ends_with("s")) {
    text.remove_suffix(1);
  }
  int64_t n = 0;
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) return false;
  if (!parse_int(text, &n) || n > std::numeric_limits<int64_t>::max() / scale) return false;
  *out = Millis(n * scale);
  return true;
}

std::string format_duration(Millis d) {
  int64_t ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

namespace {

struct MethodName {
  const char* lower;
  const char* canonical;
  TlsVersion min;
  TlsVersion max;
};

constexpr std::array<MethodName, 10> kMethods = {{
    {"sslv23", "SSLv23", TlsVersion::kNone, TlsVersion::kNone},
    {"tlsv1", "TLSv1", TlsVersion::kTls1_0, TlsVersion::kTls1_0},
    {"tlsv1+", "TLSv1+", TlsVersion::kTls1_0, TlsVersion::kNone},
    {"tlsv1.1", "TLSv1.1", TlsVersion::kTls1_1, TlsVersion::kTls1_1},
    {"tlsv1.1+", "TLSv1.1+", TlsVersion::kTls1_1, TlsVersion::kNone},
    {"tlsv1.2", "TLSv1.2", TlsVersion::kTls1_2, TlsVersion::kTls1_2},
    {"tlsv1.2+", "TLSv1.2+", TlsVersion::kTls1_2, TlsVersion::kNone},
    {"tlsv1.3", "TLSv1.3", TlsVersion::kTls1_3, TlsVersion::kTls1_3},
    {"tlsv1.3+", "TLSv1.3+", TlsVersion::kTls1_3, TlsVersion::kNone},
    // Kamailio spells TLS 1.0 "TLSv1.0" too.
    {"tlsv1.0", "TLSv1", TlsVersion::kTls1_0, TlsVersion::kTls1_0},
}};

}  // namespace

MethodResult parse_tls_method(std::string_view text, TlsMethod* out) {
  std::string t = to_lower(text);
  if (t == "sslv2" || t == "sslv3" || t == "sslv2+" || t == "sslv3+") return MethodResult::kRefused;
  for (const auto& m : kMethods) {
    if (t == m.lower) {
      *out = TlsMethod{m.min, m.max, m.canonical};
      return MethodResult::kOk;
    }
  }
  return MethodResult::kUnknown;
}

const char* tls_method_choices() {
  return "SSLv23, TLSv1, TLSv1+, TLSv1.1, TLSv1.1+, TLSv1.2, TLSv1.2+, TLSv1.3, TLSv1.3+";
}

}  // namespace cfg
