#pragma once
// Typed values of `name = value` parameters: booleans, integers, durations, TLS methods.
#include <cstdint>
#include <string>
#include <string_view>

#include "cfg/config_model.h"

namespace cfg {

// yes|no|on|off|true|false|1|0 (case-insensitive).
bool parse_bool(std::string_view text, bool* out);

// A decimal integer, optionally signed; false on anything else or on overflow.
bool parse_int(std::string_view text, int64_t* out);

// `30` (seconds), `30s`, `500ms`; false on anything else or on overflow.
bool parse_duration(std::string_view text, Millis* out);

// "30s", "500ms", "1.5s" style rendering of a duration for messages and summaries.
std::string format_duration(Millis d);

enum class MethodResult { kOk, kUnknown, kRefused };

// TLS method names, case-insensitive: SSLv23, TLSv1, TLSv1+, TLSv1.1, ..., TLSv1.3+.
// SSLv2 and SSLv3 (with or without '+') are kRefused. out->spelling gets the canonical name.
MethodResult parse_tls_method(std::string_view text, TlsMethod* out);

// The accepted method names, for messages.
const char* tls_method_choices();

std::string to_lower(std::string_view s);

// A client domain id (tls_client_domain["ID"], tls.cfg server_id): 1 to 64 letters, digits,
// '.', '-' or '_'. "" when valid, else what is wrong with it.
std::string client_domain_id_error(std::string_view id);

}  // namespace cfg
