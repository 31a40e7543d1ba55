// tls.cfg: Kamailio's INI domain file, read with inih (CONFIG.md, "tls_config").
//
// inih is the INI parser; this file adds what inih lacks for our purpose:
//  - inih ends a section name at the first `]`, so `[server:[::1]:5061]` would read as
//    "server:[::1". Section headers are therefore rewritten before inih sees the text as
//    `[N]`, N indexing the sections found here (the original text keeps its line).
//  - inih's handler gets no line number (Debian builds it without INI_HANDLER_LINENO), so
//    every key line is rewritten as `LINE|key = value`: the handler reads its line back.
//  - Sections without keys never reach the handler; the sections list made here has them.
// Line numbers are kept (one output line per input line), so inih's own error lines match.
//
// Keys and the ser.cfg parameter each one sets (the name recorded in `overridden`):
//   | tls.cfg key          | ser.cfg parameter        | value                                 |
//   | -------------------- | ------------------------ | ------------------------------------- |
//   | method               | tls_method               | SSLv23, TLSv1[.N][+]; sslv2/3 refused |
//   | certificate          | tls_certificate          | file (relative: to tls.cfg's dir)     |
//   | private_key          | tls_private_key          | file                                  |
//   | ca_list              | tls_ca_list              | file                                  |
//   | ca_path              | tls_ca_path              | directory                             |
//   | crl                  | tls_crl                  | file                                  |
//   | cipher_list          | tls_ciphers_list         | OpenSSL cipher string (TLS <= 1.2)    |
//   | ciphersuites         | tls_ciphersuites         | OpenSSL TLS 1.3 suites                |
//   | groups, curves, curve| tls_groups               | key-exchange groups                   |
//   | dh_params            | tls_dh_params            | file                                  |
//   | verify_certificate   | tls_verify               | boolean                               |
//   | require_certificate  | tls_require_certificate  | boolean                               |
//   | verify_depth         | tls_verify_depth         | 0..100                                |
//   | server_name          | tls_server_name          | SNI name (server: also the domain's)  |
//   | session_cache        | tls_session_cache        | boolean                               |
//   | session_tickets      | tls_session_tickets      | boolean                               |
//   | renegotiation        | tls_renegotiation        | boolean                               |
//   | handshake_timeout    | tls_handshake_timeout    | duration: 30, 30s, 500ms (1ms..1h)    |
//   | send_timeout         | tls_send_timeout         | duration                              |
//   | keylog_file          | tls_keylog_file          | file                                  |
// Values may be quoted ("..."). `#` and `;` start comments (inline: after white space).
#include "cfg/tls_ini.h"

#include <arpa/inet.h>
#include <ini.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "cfg/did_you_mean.h"

namespace cfg {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

// A section as found by the pre-processing pass.
struct Section {
  std::string name;  // text between the brackets
  int line = 0;
  int name_col = 0;    // column of the name's first character
  bool valid = false;  // header understood: keys are applied, else ignored
  TlsDomainConfig domain;
  std::map<std::string, int> keys_seen;  // ini key -> line
};

struct Reader {
  std::string path;
  std::filesystem::path dir;  // tls.cfg's directory: relative file values start there
  const TlsSettings* defaults = nullptr;
  Diagnostics* diags = nullptr;
  std::vector<std::string> lines;  // original text, one entry per line
  std::vector<Section> sections;
};

// A key's value and where it is.
struct Value {
  std::string text;
  SourceLoc loc;
};

// ---- values ----------------------------------------------------------------------------

bool parse_bool(const std::string& text, bool* out) {
  static const char* kTrue[] = {"yes", "on", "true", "1"};
  static const char* kFalse[] = {"no", "off", "false", "0"};
  std::string t = lower(text);
  for (auto* s : kTrue)
    if (t == s) return *out = true, true;
  for (auto* s : kFalse)
    if (t == s) return *out = false, true;
  return false;
}

bool parse_int(const std::string& text, long min, long max, long* out) {
  if (text.empty() || text.size() > 9) return false;
  for (char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  long v = std::stol(text);
  if (v < min || v > max) return false;
  *out = v;
  return true;
}

// `30` (seconds), `30s`, `500ms`.
bool parse_duration(const std::string& text, Millis* out) {
  std::string t = lower(text);
  long scale = 1000;
  if (t.size() > 2 && t.ends_with("ms")) {
    t.resize(t.size() - 2);
    scale = 1;
  } else if (t.size() > 1 && t.ends_with("s")) {
    t.pop_back();
  }
  long v = 0;
  if (!parse_int(t, 1, 3600L * 1000 / scale, &v)) return false;
  *out = Millis(v * scale);
  return true;
}

struct MethodSpelling {
  const char* spelling;
  TlsVersion min;
  TlsVersion max;
};

constexpr MethodSpelling kMethods[] = {
    {"SSLv23", TlsVersion::kNone, TlsVersion::kNone},
    {"TLSv1", TlsVersion::kTls1_0, TlsVersion::kTls1_0},
    {"TLSv1+", TlsVersion::kTls1_0, TlsVersion::kNone},
    {"TLSv1.1", TlsVersion::kTls1_1, TlsVersion::kTls1_1},
    {"TLSv1.1+", TlsVersion::kTls1_1, TlsVersion::kNone},
    {"TLSv1.2", TlsVersion::kTls1_2, TlsVersion::kTls1_2},
    {"TLSv1.2+", TlsVersion::kTls1_2, TlsVersion::kNone},
    {"TLSv1.3", TlsVersion::kTls1_3, TlsVersion::kTls1_3},
    {"TLSv1.3+", TlsVersion::kTls1_3, TlsVersion::kNone},
};

// Returns "" on success, else the error message.
std::string parse_method(const std::string& text, TlsMethod* out) {
  std::string t = lower(text);
  for (const auto& m : kMethods) {
    if (t == lower(m.spelling)) {
      *out = TlsMethod{m.min, m.max, m.spelling};
      return {};
    }
  }
  if (t == "sslv2" || t == "sslv3" || t == "sslv2+" || t == "sslv3+")
    return "TLS method '" + text +
           "' is refused: SSLv2 and SSLv3 are broken (RFC 6176, RFC 7568); use TLSv1.2+";
  std::vector<std::string_view> names;
  for (const auto& m : kMethods) names.push_back(m.spelling);
  return "unknown TLS method '" + text +
         "': expected SSLv23, TLSv1, TLSv1+, TLSv1.1, TLSv1.1+, TLSv1.2, TLSv1.2+, TLSv1.3 or "
         "TLSv1.3+" +
         did_you_mean(text, names);
}

// ---- keys ------------------------------------------------------------------------------

enum class Type { kFile, kString, kCipherString, kBool, kVerify, kDepth, kDuration, kMethod };

struct KeySpec {
  const char* key;
  const char* param;  // ser.cfg name, recorded in `overridden`
  Type type;
};

constexpr KeySpec kKeys[] = {
    {"method", "tls_method", Type::kMethod},
    {"certificate", "tls_certificate", Type::kFile},
    {"private_key", "tls_private_key", Type::kFile},
    {"ca_list", "tls_ca_list", Type::kFile},
    {"ca_path", "tls_ca_path", Type::kFile},
    {"crl", "tls_crl", Type::kFile},
    {"cipher_list", "tls_ciphers_list", Type::kCipherString},
    {"ciphersuites", "tls_ciphersuites", Type::kString},
    {"groups", "tls_groups", Type::kCipherString},
    {"curves", "tls_groups", Type::kCipherString},
    {"curve", "tls_groups", Type::kCipherString},
    {"dh_params", "tls_dh_params", Type::kFile},
    {"verify_certificate", "tls_verify", Type::kVerify},
    {"require_certificate", "tls_require_certificate", Type::kBool},
    {"verify_depth", "tls_verify_depth", Type::kDepth},
    {"server_name", "tls_server_name", Type::kString},
    {"session_cache", "tls_session_cache", Type::kBool},
    {"session_tickets", "tls_session_tickets", Type::kBool},
    {"renegotiation", "tls_renegotiation", Type::kBool},
    {"handshake_timeout", "tls_handshake_timeout", Type::kDuration},
    {"send_timeout", "tls_send_timeout", Type::kDuration},
    {"keylog_file", "tls_keylog_file", Type::kFile},
};

const KeySpec* find_key(const std::string& key) {
  for (const auto& k : kKeys)
    if (key == k.key) return &k;
  return nullptr;
}

std::string unknown_key_message(const std::string& key) {
  std::string msg = "unknown tls.cfg key '" + key + "'";
  // A ser.cfg parameter name written in tls.cfg: name the INI spelling.
  for (const auto& k : kKeys)
    if (key == k.param || (key == "tls_ciphers_list" && std::string(k.key) == "cipher_list") ||
        (key == "tls_verify" && std::string(k.key) == "verify_certificate"))
      return msg + ": tls.cfg spells it '" + k.key + "'";
  std::vector<std::string_view> names;
  for (const auto& k : kKeys) names.push_back(k.key);
  return msg + did_you_mean(key, names);
}

bool bool_ok(const Value& v, bool* out, const char* key, Diagnostics* diags) {
  if (parse_bool(v.text, out)) return true;
  diags->error(v.loc, std::string("invalid value '") + v.text + "' for '" + key +
                          "': expected a boolean (yes, no, on, off, true, false, 1, 0)");
  return false;
}

std::string resolve_file(const Reader& r, const std::string& value) {
  std::filesystem::path p(value);
  if (p.is_absolute() || r.dir.empty()) return p.lexically_normal().string();
  return (r.dir / p).lexically_normal().string();
}

std::string* string_field(const std::string& param, TlsSettings* s) {
  static const std::map<std::string, std::string TlsSettings::*> kFields = {
      {"tls_certificate", &TlsSettings::certificate},
      {"tls_private_key", &TlsSettings::private_key},
      {"tls_ca_list", &TlsSettings::ca_list},
      {"tls_ca_path", &TlsSettings::ca_path},
      {"tls_crl", &TlsSettings::crl},
      {"tls_ciphers_list", &TlsSettings::ciphers_list},
      {"tls_ciphersuites", &TlsSettings::ciphersuites},
      {"tls_groups", &TlsSettings::groups},
      {"tls_dh_params", &TlsSettings::dh_params},
      {"tls_server_name", &TlsSettings::server_name},
      {"tls_keylog_file", &TlsSettings::keylog_file},
  };
  auto it = kFields.find(param);
  return it == kFields.end() ? nullptr : &(s->*(it->second));
}

bool* bool_field(const std::string& param, TlsSettings* s) {
  if (param == "tls_require_certificate") return &s->require_certificate;
  if (param == "tls_session_cache") return &s->session_cache;
  if (param == "tls_session_tickets") return &s->session_tickets;
  if (param == "tls_renegotiation") return &s->renegotiation;
  return nullptr;
}

// Applies one key to `s`. Returns false (after reporting) on a bad value.
bool apply_value(const Reader& r, const KeySpec& k, const Value& v, TlsSettings* s) {
  Diagnostics* diags = r.diags;
  const std::string param = k.param;
  bool needs_text = k.type != Type::kFile && k.type != Type::kString;
  if (needs_text && v.text.empty()) {
    diags->error(v.loc, std::string("missing value for '") + k.key + "'");
    return false;
  }
  switch (k.type) {
    case Type::kFile:
      *string_field(param, s) = v.text.empty() ? std::string() : resolve_file(r, v.text);
      return true;
    case Type::kString:
    case Type::kCipherString:
      *string_field(param, s) = param == "tls_server_name" ? lower(v.text) : v.text;
      return true;
    case Type::kBool:
      return bool_ok(v, bool_field(param, s), k.key, diags);
    case Type::kVerify: {
      bool b = false;
      if (!bool_ok(v, &b, k.key, diags)) return false;
      s->verify = b;
      return true;
    }
    case Type::kDepth: {
      long n = 0;
      if (parse_int(v.text, 0, 100, &n)) return s->verify_depth = static_cast<int>(n), true;
      diags->error(v.loc, "invalid value '" + v.text +
                              "' for 'verify_depth': expected a number from 0 to 100");
      return false;
    }
    case Type::kDuration: {
      Millis* field = param == "tls_handshake_timeout" ? &s->handshake_timeout : &s->send_timeout;
      if (parse_duration(v.text, field)) return true;
      diags->error(v.loc, "invalid value '" + v.text + "' for '" + k.key +
                              "': expected a duration from 1ms to 3600s (30 = 30 seconds, "
                              "500ms)");
      return false;
    }
    case Type::kMethod: {
      std::string err = parse_method(v.text, &s->method);
      if (!err.empty()) diags->error(v.loc, err);
      return err.empty();
    }
  }
  return false;
}

// ---- sections --------------------------------------------------------------------------

// "IPv4:PORT" or "[IPv6]:PORT" at `text`; col = column of text[0]. Reports and returns false
// on error.
bool parse_section_address(const Reader& r, const std::string& text, SourceLoc loc,
                           TlsDomainConfig* d) {
  std::string host, port;
  if (!text.empty() && text[0] == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) {
      r.diags->error(loc, "expected ']' after the IPv6 address in '" + text + "'");
      return false;
    }
    host = text.substr(1, close - 1);
    d->host_kind = HostKind::kIpv6;
    in6_addr a6{};
    if (inet_pton(AF_INET6, host.c_str(), &a6) != 1) {
      r.diags->error(loc, "invalid IPv6 address '" + host + "' in section");
      return false;
    }
    if (close + 1 < text.size() && text[close + 1] == ':')
      port = text.substr(close + 2);
    else if (close + 1 < text.size()) {
      r.diags->error(
          loc, "expected ':PORT' after '[" + host + "]', found '" + text.substr(close + 1) + "'");
      return false;
    }
    loc.col += static_cast<int>(close) + 2;
  } else {
    auto colon = text.rfind(':');
    host = text.substr(0, colon);
    if (colon != std::string::npos) port = text.substr(colon + 1);
    d->host_kind = HostKind::kIpv4;
    in_addr a4{};
    if (host.find(':') != std::string::npos) {
      r.diags->error(
          loc, "IPv6 address '" + host + "' must be written in brackets: [" + host + "]:PORT");
      return false;
    }
    if (inet_pton(AF_INET, host.c_str(), &a4) != 1) {
      r.diags->error(
          loc, "expected an IPv4 address, '[IPv6]' address or 'default', found '" + host + "'");
      return false;
    }
    if (colon != std::string::npos) loc.col += static_cast<int>(colon) + 1;
  }
  long p = 0;
  if (!parse_int(port, 1, 65535, &p)) {
    r.diags->error(loc, port.empty() ? "missing port: sections are written [server:IP:PORT]"
                                     : "invalid port '" + port + "': expected 1 to 65535");
    return false;
  }
  d->host = host;
  d->port = static_cast<uint16_t>(p);
  return true;
}

// `server:default`, `client:IP:PORT`, ... into section->domain; reports errors.
void parse_section_name(const Reader& r, Section* s) {
  SourceLoc loc{r.path, s->line, s->name_col};
  TlsDomainConfig& d = s->domain;
  d.settings = *r.defaults;
  d.loc = {r.path, s->line, s->name_col - 1};
  auto colon = s->name.find(':');
  std::string kind = lower(s->name.substr(0, colon));
  if (kind == "server") {
    d.kind = TlsDomainKind::kServer;
  } else if (kind == "client") {
    d.kind = TlsDomainKind::kClient;
  } else {
    r.diags->error(loc, "unknown section '[" + s->name +
                            "]': expected [server:...] or [client:...]" +
                            did_you_mean(kind, {"server", "client"}));
    return;
  }
  if (colon == std::string::npos) {
    r.diags->error(
        loc, "expected '" + kind + ":default' or '" + kind + ":IP:PORT', found '" + s->name + "'");
    return;
  }
  std::string rest = s->name.substr(colon + 1);
  loc.col += static_cast<int>(colon) + 1;
  if (lower(rest) == "default") {
    d.is_default = true;
    s->valid = true;
    return;
  }
  if (lower(rest) == "any") {
    r.diags->error(loc, "'" + kind +
                            ":any' is not supported: name the socket's IP:PORT and set "
                            "server_name for SNI");
    return;
  }
  s->valid = parse_section_address(r, rest, loc, &d);
}

// ---- pre-processing --------------------------------------------------------------------

// Cuts a `#` comment that follows white space (Kamailio's files use `#` comments; inih
// only knows inline `;`), outside double quotes.
std::string cut_hash_comment(const std::string& line) {
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"') quoted = !quoted;
    if (line[i] == '#' && !quoted && i > 0 && is_blank(line[i - 1])) return line.substr(0, i);
  }
  return line;
}

// Rewrites one header line `[name]` (first non-blank at `start`) as `[N]`.
std::string rewrite_section(Reader* r, const std::string& line, size_t start, int lineno) {
  int depth = 0;
  size_t close = std::string::npos;
  for (size_t i = start; i < line.size() && close == std::string::npos; ++i) {
    if (line[i] == '[') ++depth;
    if (line[i] == ']' && --depth == 0) close = i;
  }
  Section s;
  s.line = lineno;
  s.name_col = static_cast<int>(start) + 2;
  if (close == std::string::npos) {
    r->diags->error({r->path, lineno, static_cast<int>(line.size()) + 1},
                    "expected ']' to end the section header");
  } else {
    std::string after = line.substr(close + 1);
    size_t junk = after.find_first_not_of(" \t\r");
    if (junk != std::string::npos && after[junk] != '#' && after[junk] != ';')
      r->diags->error({r->path, lineno, static_cast<int>(close + junk) + 2},
                      "unexpected text after the section header");
    s.name = line.substr(start + 1, close - start - 1);
    parse_section_name(*r, &s);
  }
  r->sections.push_back(std::move(s));
  return "[" + std::to_string(r->sections.size() - 1) + "]";
}

std::string preprocess(Reader* r) {
  std::string out;
  for (size_t i = 0; i < r->lines.size(); ++i) {
    const std::string& line = r->lines[i];
    int lineno = static_cast<int>(i) + 1;
    size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#' || line[start] == ';') {
      out += '\n';
      continue;
    }
    if (line[start] == '[') {
      out += rewrite_section(r, line, start, lineno) + '\n';
      continue;
    }
    std::string body = cut_hash_comment(line.substr(start));
    if (body.find_first_of("=:") == std::string::npos) {
      r->diags->error({r->path, lineno, static_cast<int>(start) + 1},
                      "expected 'key = value', found '" +
                          body.substr(0, body.find_last_not_of(" \t\r") + 1) + "'");
      out += '\n';
      continue;
    }
    out += std::to_string(lineno) + "|" + body + '\n';
  }
  return out;
}

// Column of the value on line `lineno` (after `=` or `:` and blanks).
int value_col(const Reader& r, int lineno) {
  const std::string& line = r.lines[static_cast<size_t>(lineno) - 1];
  size_t eq = line.find_first_of("=:");
  size_t v = line.find_first_not_of(" \t", eq + 1);
  return static_cast<int>(v == std::string::npos ? line.size() : v) + 1;
}

std::string unquote(const std::string& v) {
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return v;
  std::string out;
  for (size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] == '\\' && i + 2 < v.size()) ++i;
    out += v[i];
  }
  return out;
}

// inih handler: section is "N" (our index) or "" (before any section); name is "LINE|key".
int on_key(void* user, const char* section, const char* name, const char* value) {
  auto* r = static_cast<Reader*>(user);
  std::string n = name;
  auto bar = n.find('|');
  if (bar == std::string::npos) return 1;  // cannot happen: every key line was prefixed
  int lineno = std::stoi(n.substr(0, bar));
  std::string key = lower(n.substr(bar + 1));
  int col = static_cast<int>(r->lines[static_cast<size_t>(lineno) - 1].find_first_not_of(" \t"));
  SourceLoc key_loc{r->path, lineno, col + 1};
  if (*section == '\0') {
    r->diags->error(key_loc, "key '" + key +
                                 "' outside a section: start with [server:default], "
                                 "[server:IP:PORT] or a [client:...] section");
    return 1;
  }
  Section& s = r->sections[std::stoul(section)];
  if (!s.valid) return 1;  // the header's error was reported; its keys would only add noise
  const KeySpec* k = find_key(key);
  if (!k) {
    r->diags->error(key_loc, unknown_key_message(key));
    return 1;
  }
  auto [it, fresh] = s.keys_seen.emplace(key, lineno);
  if (!fresh) {
    r->diags->error(key_loc, "duplicate key '" + key + "' in section [" + s.name +
                                 "] (first set on line " + std::to_string(it->second) + ")");
    return 1;
  }
  Value v{unquote(value), {r->path, lineno, value_col(*r, lineno)}};
  if (apply_value(*r, *k, v, &s.domain.settings)) s.domain.overridden.insert(k->param);
  return 1;
}

std::string address_of(const TlsDomainConfig& d) {
  if (d.is_default) return "default";
  if (d.host_kind == HostKind::kIpv6) return "[" + d.host + "]:" + std::to_string(d.port);
  return d.host + ":" + std::to_string(d.port);
}

// Sections naming the same domain (kind, address and, for servers, SNI name) are an error:
// which one applies would depend on file order.
void finish_domains(Reader* r, std::vector<TlsDomainConfig>* domains) {
  std::map<std::string, const Section*> seen;
  for (auto& s : r->sections) {
    if (!s.valid) continue;
    TlsDomainConfig& d = s.domain;
    bool server = d.kind == TlsDomainKind::kServer;
    if (server) d.sni = d.settings.server_name;
    std::string key = std::string(server ? "server:" : "client:") + address_of(d);
    if (server && !d.sni.empty()) key += " " + d.sni;
    auto [it, fresh] = seen.emplace(key, &s);
    if (!fresh) {
      r->diags->error({r->path, s.line, s.name_col - 1},
                      "duplicate section [" + s.name + "]" +
                          (server && !d.sni.empty() ? " with server_name " + d.sni : "") +
                          ": first defined on line " + std::to_string(it->second->line));
      continue;
    }
    domains->push_back(std::move(d));
  }
}

}  // namespace

bool read_tls_ini(const std::string& path, const TlsSettings& defaults,
                  std::vector<TlsDomainConfig>* domains, Diagnostics* diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags->error({path, 0, 0}, std::string("cannot open tls.cfg file: ") + std::strerror(errno));
    return false;
  }
  Reader r;
  r.path = path;
  r.dir = std::filesystem::path(path).parent_path();
  r.defaults = &defaults;
  Diagnostics found;  // reported in line order at the end: section errors are found first
  r.diags = &found;
  for (std::string line; std::getline(in, line);) r.lines.push_back(line);

  std::string text = preprocess(&r);
  size_t longest = 0;
  for (const auto& l : r.lines) longest = std::max(longest, l.size());
  // inih reads fixed-size lines (Debian: the ini_max_line knob); long cipher lists must fit.
  ini_max_line = std::max(ini_max_line, static_cast<int>(longest) + 32);
  int rc = ini_parse_string(text.c_str(), on_key, &r);
  if (rc > 0) diags->error({path, rc, 1}, "malformed line");
  if (rc < 0) diags->error({path, 0, 0}, "tls.cfg: out of memory while parsing");
  finish_domains(&r, domains);
  std::vector<Diagnostic> sorted = found.all();
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.loc.line < b.loc.line;
  });
  for (auto& d : sorted) {
    if (d.severity == Severity::kError)
      diags->error(d.loc, std::move(d.message));
    else if (d.severity == Severity::kWarning)
      diags->warning(d.loc, std::move(d.message));
    else
      diags->note(d.loc, std::move(d.message));
  }
  return !found.has_errors();
}

}  // namespace cfg
