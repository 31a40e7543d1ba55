#pragma once
// The table of every global `name = value` parameter of ser.cfg (CONFIG.md): its type, range,
// scope and the setter that stores it in the model. The parser is driven by this table.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cfg/config_model.h"
#include "cfg/lexer.h"

namespace cfg {

#ifndef SER_WITH_TLS
#define SER_WITH_TLS 1
#endif
inline constexpr bool kWithTls = SER_WITH_TLS != 0;
// Appended to "listen 'tls:...': ", "parameter 'tls_x': ", "'tls_domain': " in TLS=0 builds.
inline constexpr const char* kNoTlsSupport =
    "ser was built without TLS support (rebuild with make TLS=1)";

enum class ParamType {
  kBool,       // yes|no|on|off|true|false|1|0
  kInt,        // decimal integer in [min, max]
  kDuration,   // 30, 30s, 500ms; min/max in milliseconds
  kString,     // quoted string or bare word
  kMethod,     // TLS method name
  kListen,     // PROTO:ADDR[:PORT]
  kAlias,      // host[:port]
  kCtlSocket,  // unix:PATH or tcp:IP:PORT (cfg/control_address.h)
  kAddrPort,   // IP:PORT, [IPv6]:PORT (a numeric address and a port)
  kAddrList,   // "IP[:PORT], [IPv6]:PORT, ..." (numeric addresses, port optional: dns_servers)
};

enum class ParamScope {
  kCore,       // core parameter, global only
  kTlsGlobal,  // TLS parameter, global only (disable_tls, tls_config, ...)
  kTlsDomain,  // TLS parameter, also valid inside tls_domain / tls_client_domain blocks
};

// A parsed value: the field matching the parameter's type is set.
struct ParamValue {
  bool flag = false;
  int64_t number = 0;
  Millis duration{0};
  std::string text;
  TlsMethod method;
  ListenConfig listen;
};

using CoreSetter = void (*)(Config&, const ParamValue&);
using TlsSetter = void (*)(TlsSettings&, const ParamValue&);
// The value in effect, as ser.cfg spells it (`yes`, `30s`, `"text"`, `TLSv1.2+`).
using CoreGetter = std::string (*)(const Config&);
using TlsGetter = std::string (*)(const TlsSettings&);

struct ParamSpec {
  std::string_view name;
  std::string_view canonical;  // == name unless an alias (debug -> log_level)
  ParamType type;
  ParamScope scope;
  int64_t min = 0;
  int64_t max = 0;
  bool repeatable = false;
  CoreSetter set_core = nullptr;  // kCore, kTlsGlobal
  TlsSetter set_tls = nullptr;    // kTlsDomain
  CoreGetter get_core = nullptr;  // kCore, kTlsGlobal (null for the lists listen and alias)
  TlsGetter get_tls = nullptr;    // kTlsDomain

  bool tls_only() const { return scope != ParamScope::kCore; }
  bool domain_ok() const { return scope == ParamScope::kTlsDomain; }
};

const std::vector<ParamSpec>& param_table();
const ParamSpec* find_param(std::string_view name);

// Names for "did you mean": parameters valid in a domain block, or every one usable here
// (TLS parameters only when built with TLS), plus the top-level keywords.
std::vector<std::string_view> param_names(bool in_domain);

// What a value of this parameter must look like: "an integer from 1 to 1024".
std::string expected_value(const ParamSpec& spec);

// Parses `value` (a word or string token) for `spec`. On failure `error` holds
// "expected X, found Y".
bool parse_param_value(const ParamSpec& spec, const Token& value, ParamValue* out,
                       std::string* error);

// Stores a global assignment: core and global-only TLS parameters into `config`,
// per-domain TLS parameters into config->tls.defaults.
void apply_global(const ParamSpec& spec, const ParamValue& value, Config* config);

// Every global parameter's effective value, in table order, as ser.cfg spells it: what
// `serctl cfg` shows. Each `listen` in effect and each `alias` is one entry; a TLS parameter's
// value is the global one (the default domains'); aliases of names (debug) are left out.
// Without TLS built in, the TLS parameters are left out.
std::vector<std::pair<std::string, std::string>> effective_parameters(const Config& config);

}  // namespace cfg
