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
// Keys and the ser.cfg parameter each one stands for: its type and range (cfg/param_table)
// apply, and its name is recorded in `overridden`.
//   | tls.cfg key           | ser.cfg parameter       | note                                  |
//   | --------------------- | ----------------------- | ------------------------------------- |
//   | method                | tls_method              | Kamailio's names; sslv2/sslv3 refused |
//   | certificate           | tls_certificate         | file: relative = to tls.cfg's dir     |
//   | private_key           | tls_private_key         | file                                  |
//   | ca_list               | tls_ca_list             | file                                  |
//   | ca_path               | tls_ca_path             | directory (Kamailio 5.5+ has it too)  |
//   | crl                   | tls_crl                 | file                                  |
//   | cipher_list           | tls_ciphers_list        |                                       |
//   | verify_certificate    | tls_verify              |                                       |
//   | require_certificate   | tls_require_certificate |                                       |
//   | verify_depth          | tls_verify_depth        |                                       |
//   | verify_wildcards      | tls_verify_wildcards    | ours (RFC 5922 §7.2 opt-in)           |
//   | server_name           | tls_server_name         | also the domain's SNI name (its key)  |
//   | sni_strict            | tls_sni_strict          | ours                                  |
//   | ciphersuites          | tls_ciphersuites        | ours: Kamailio has no per-domain key  |
//   | groups, curves, curve | tls_groups              | ours                                  |
//   | dh_params             | tls_dh_params           | ours; file                            |
//   | session_cache         | tls_session_cache       | Kamailio: a global modparam           |
//   | session_tickets       | tls_session_tickets     | ours                                  |
//   | session_tickets_count | tls_session_tickets_count | ours                                |
//   | renegotiation         | tls_renegotiation       | Kamailio: a global modparam           |
//   | handshake_timeout     | tls_handshake_timeout   | Kamailio: a global modparam           |
//   | send_timeout          | tls_send_timeout        | Kamailio: a global modparam           |
//   | keylog_file           | tls_keylog_file         | Kamailio: a global modparam; file     |
//   | server_id             | (block key)             | [client:any] only: tls_client_domain["ID"]
//   |
// Kamailio keys we do not have (server_name_mode, ...) are unknown-key errors.
// Sections: [server:default], [client:default], [server:IP:PORT], [client:IP:PORT] (with
// server_name: chosen for that next-hop name, tls_client_domain[IP:PORT, "name"]), and
// [client:any] with server_id = ID (chosen by the script's tls_client_domain("ID"), Kamailio's
// tls_set_connect_server_id; a server_name there overrides the name sent and checked).
// Values may be quoted ("..."). `#` and `;` start comments (inline: after white space).
#include "cfg/tls_ini.h"

#include <ini.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "cfg/did_you_mean.h"
#include "cfg/listen_parse.h"
#include "cfg/param_table.h"
#include "cfg/value_parse.h"

namespace cfg {

namespace {

namespace fs = std::filesystem;

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

// A section as found by the pre-processing pass.
struct Section {
  std::string name;  // text between the brackets
  int line = 0;
  int name_col = 0;    // column of the name's first character
  bool valid = false;  // header understood: keys are applied, else ignored
  bool any = false;    // [client:any]: a domain chosen by its server_id
  TlsDomainConfig domain;
  std::map<std::string, int> keys_seen;  // ini key -> line
};

struct Reader {
  std::string path;
  fs::path dir;  // tls.cfg's directory: relative file values start there
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

// ---- keys ------------------------------------------------------------------------------

struct KeySpec {
  const char* key;
  const char* param;  // ser.cfg name: its type and range apply, recorded in `overridden`
  bool file;          // a relative value is resolved against tls.cfg's directory
};

constexpr KeySpec kKeys[] = {
    {"method", "tls_method", false},
    {"certificate", "tls_certificate", true},
    {"private_key", "tls_private_key", true},
    {"ca_list", "tls_ca_list", true},
    {"ca_path", "tls_ca_path", true},
    {"crl", "tls_crl", true},
    {"cipher_list", "tls_ciphers_list", false},
    {"ciphersuites", "tls_ciphersuites", false},
    {"groups", "tls_groups", false},
    {"curves", "tls_groups", false},
    {"curve", "tls_groups", false},
    {"dh_params", "tls_dh_params", true},
    {"verify_certificate", "tls_verify", false},
    {"require_certificate", "tls_require_certificate", false},
    {"verify_depth", "tls_verify_depth", false},
    {"verify_wildcards", "tls_verify_wildcards", false},
    {"server_name", "tls_server_name", false},
    {"sni_strict", "tls_sni_strict", false},
    {"session_cache", "tls_session_cache", false},
    {"session_tickets", "tls_session_tickets", false},
    {"session_tickets_count", "tls_session_tickets_count", false},
    {"renegotiation", "tls_renegotiation", false},
    {"handshake_timeout", "tls_handshake_timeout", false},
    {"send_timeout", "tls_send_timeout", false},
    {"keylog_file", "tls_keylog_file", true},
};

const KeySpec* find_key(const std::string& key) {
  for (const auto& k : kKeys)
    if (key == k.key) return &k;
  return nullptr;
}

std::string unknown_key_message(const std::string& key) {
  std::string msg = "unknown tls.cfg key '" + key + "'";
  // A ser.cfg parameter name written in tls.cfg: name the INI spelling.
  const ParamSpec* param = find_param(key);
  for (const auto& k : kKeys)
    if (param && param->canonical == k.param)
      return msg + ": tls.cfg spells '" + key + "' as '" + k.key + "'";
  std::vector<std::string_view> names;
  for (const auto& k : kKeys) names.push_back(k.key);
  return msg + did_you_mean(key, names);
}

// Absolute, so that the loader's CFG_DIR resolution leaves it alone and it stays right after
// the daemon changes directory.
std::string resolve_file(const Reader& r, const std::string& value) {
  std::error_code ec;
  fs::path p = fs::absolute(r.dir / fs::path(value), ec);
  return (ec ? r.dir / fs::path(value) : p).lexically_normal().string();
}

// Applies one key to `s`, typed and ranged as the ser.cfg parameter it stands for.
// Returns false (after reporting) on a bad value.
bool apply_value(const Reader& r, const KeySpec& k, const Value& v, TlsDomainConfig* d) {
  const ParamSpec* spec = find_param(k.param);
  if (!spec || !spec->set_tls) {
    r.diags->error(v.loc, std::string("'") + k.key + "' is not available in this build");
    return false;
  }
  bool may_be_empty = spec->type == ParamType::kString && spec->min == 0;
  if (v.text.empty() && !may_be_empty) {
    r.diags->error(
        v.loc, std::string("missing value for '") + k.key + "': expected " + expected_value(*spec));
    return false;
  }
  ParamValue value;
  std::string error;
  if (!parse_param_value(*spec, Token{TokenKind::kWord, v.text, v.loc}, &value, &error)) {
    r.diags->error(v.loc, std::string("invalid value for '") + k.key + "': " + error);
    return false;
  }
  if (k.file && !value.text.empty()) value.text = resolve_file(r, value.text);
  if (spec->canonical == "tls_server_name") {
    // As in ser.cfg: a host name, lower case (SNI matching is case-insensitive, RFC 6066 §3).
    value.text = to_lower(value.text);
    if (!valid_host_name(value.text, d->kind == TlsDomainKind::kServer)) {
      r.diags->error(v.loc,
                     "invalid value for 'server_name': expected a host name like "
                     "sip.example.org, found '" +
                         v.text + "'");
      return false;
    }
  }
  spec->set_tls(d->settings, value);
  return true;
}

// ---- sections --------------------------------------------------------------------------

// "IPv4:PORT" or "[IPv6]:PORT" (`loc` is where `text` starts). Reports and returns false on
// error. Addresses are normalized as ser.cfg's are, so that clashes are found.
bool parse_section_address(const Reader& r, const std::string& text, const SourceLoc& loc,
                           TlsDomainConfig* d) {
  HostPort hp;
  std::string error;
  if (!parse_host_port(text, HostPortRules{false, 1}, &hp, &error)) {
    r.diags->error(loc, "invalid section address: " + error);
    return false;
  }
  if (!hp.port_given) {
    r.diags->error(loc, "missing port: expected IP:PORT or [IPv6]:PORT, found '" + text + "'");
    return false;
  }
  d->host = hp.host;
  d->host_kind = hp.kind;
  d->port = hp.port;
  return true;
}

// `server:default`, `client:IP:PORT`, ... into section->domain; reports errors.
void parse_section_name(const Reader& r, Section* s) {
  SourceLoc loc{r.path, s->line, s->name_col};
  TlsDomainConfig& d = s->domain;
  d.settings = *r.defaults;
  d.loc = {r.path, s->line, s->name_col - 1};
  auto colon = s->name.find(':');
  std::string kind = to_lower(s->name.substr(0, colon));
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
  if (to_lower(rest) == "default") {
    d.is_default = true;
    s->valid = true;
    return;
  }
  if (to_lower(rest) == "any" && d.kind == TlsDomainKind::kClient) {
    s->any = true;  // its server_id is required (finish_domains)
    s->valid = true;
    return;
  }
  if (to_lower(rest) == "any") {
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
    // inih reads a C string: a NUL would end the file there, silently dropping what follows.
    if (size_t nul = line.find('\0'); nul != std::string::npos) {
      r->diags->error({r->path, lineno, static_cast<int>(nul) + 1},
                      "NUL byte in the line (is this a text file?)");
      out += '\n';
      continue;
    }
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

// `server_id = ID` names a [client:any] domain for the script's tls_client_domain("ID").
void on_server_id(Reader* r, Section& s, const SourceLoc& key_loc, int lineno, const char* value) {
  if (!s.any) {
    r->diags->error(key_loc, "server_id in [" + s.name +
                                 "]: only a [client:any] section is chosen by its id (the script's "
                                 "tls_client_domain(\"ID\")); this one is chosen by its address");
    return;
  }
  auto [it, fresh] = s.keys_seen.emplace("server_id", lineno);
  if (!fresh) {
    r->diags->error(key_loc, "duplicate key 'server_id' in section [" + s.name +
                                 "] (first set on line " + std::to_string(it->second) + ")");
    return;
  }
  std::string id = unquote(value);
  if (std::string why = client_domain_id_error(id); !why.empty()) {
    r->diags->error({r->path, lineno, value_col(*r, lineno)},
                    "invalid value for 'server_id' \"" + id + "\": " + why);
    return;
  }
  s.domain.id = id;
}

// inih handler: section is "N" (our index) or "" (before any section); name is "LINE|key".
int on_key(void* user, const char* section, const char* name, const char* value) {
  auto* r = static_cast<Reader*>(user);
  std::string n = name;
  auto bar = n.find('|');
  if (bar == std::string::npos) return 1;  // cannot happen: every key line was prefixed
  int lineno = std::stoi(n.substr(0, bar));
  std::string key = to_lower(n.substr(bar + 1));
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
  if (key == "server_id") {
    on_server_id(r, s, key_loc, lineno, value);
    return 1;
  }
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
  if (apply_value(*r, *k, v, &s.domain)) s.domain.overridden.insert(k->param);
  return 1;
}

std::string address_of(const TlsDomainConfig& d) {
  if (d.is_default) return "default";
  if (d.host_kind == HostKind::kIpv6) return "[" + d.host + "]:" + std::to_string(d.port);
  return d.host + ":" + std::to_string(d.port);
}

// Sections naming the same domain (kind, address, SNI name) are an error: which one applies
// would depend on file order. As for ser.cfg blocks, the SNI name is server_name: the name a
// server domain answers for, or the name a client domain sends (one connection per identity).
// require_certificate on a server that does not verify asks for nothing: as ser.cfg does, say so.
void warn_require_without_verify(const Reader& r, const Section& s) {
  const TlsDomainConfig& d = s.domain;
  if (d.kind != TlsDomainKind::kServer || !d.settings.require_certificate ||
      d.settings.verify_for(false))
    return;
  auto it = s.keys_seen.find("require_certificate");
  if (it == s.keys_seen.end()) it = s.keys_seen.find("verify_certificate");
  if (it == s.keys_seen.end()) return;
  r.diags->warning({r.path, it->second, 1},
                   "require_certificate = yes has no effect without verify_certificate = yes (no "
                   "client certificate is requested)");
}

void finish_domains(Reader* r, std::vector<TlsDomainConfig>* domains) {
  std::map<std::string, const Section*> seen;
  for (auto& s : r->sections) {
    if (!s.valid) continue;
    TlsDomainConfig& d = s.domain;
    bool server = d.kind == TlsDomainKind::kServer;
    if (s.any && d.id.empty()) {
      if (s.keys_seen.count("server_id")) continue;  // its bad value was reported
      r->diags->error({r->path, s.line, s.name_col - 1},
                      "[" + s.name +
                          "] needs server_id = ID: the domain the script chooses with "
                          "tls_client_domain(\"ID\")");
      continue;
    }
    // An id domain's server_name only overrides the name sent and checked.
    if (d.id.empty()) d.sni = d.settings.server_name;
    std::string key =
        d.id.empty() ? std::string(server ? "server:" : "client:") + address_of(d) : d.key();
    if (!d.sni.empty()) key += " " + d.sni;
    auto [it, fresh] = seen.emplace(key, &s);
    if (!fresh) {
      r->diags->error({r->path, s.line, s.name_col - 1},
                      "duplicate section [" + s.name + "]" +
                          (d.sni.empty() ? "" : " with server_name " + d.sni) +
                          (d.id.empty() ? "" : " with server_id " + d.id) +
                          ": first defined on line " + std::to_string(it->second->line));
      continue;
    }
    warn_require_without_verify(*r, s);
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
  r.dir = fs::path(path).parent_path();
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
  return !found.has_errors() && rc == 0;
}

}  // namespace cfg
