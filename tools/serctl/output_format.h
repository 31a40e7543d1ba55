#pragma once
// serctl's human output: each method's JSON-RPC result (README.md lists their fields) as an
// aligned table or a few lines. `now` (unix time) dates ages and days left, so tests can fix it.
// Text that came from a peer (SNI, certificate subjects) has its control bytes escaped, so a
// crafted certificate cannot drive the operator's terminal.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace serctl {

using Json = nlohmann::ordered_json;

std::string format_tls_list(const Json& connections, int64_t now);
std::string format_tls_info(const Json& domains, int64_t now);
std::string format_ps(const Json& workers, const Json& connections);
std::string format_stats(const Json& metrics);
std::string format_cfg(const Json& parameters);
// mem.stats: a row per pool, then the libraries' shares, TLS connections and the guard.
std::string format_mem(const Json& memory);
// A reload's result ("reload ok ...") or its error's data ("reload failed ...").
std::string format_reload(const Json& result);
// Any other JSON-RPC error object: "error -32601: method not found: x".
std::string format_error(const Json& error);

// Helpers shared by the formats (tested on their own).
std::string format_date(int64_t unix_time);  // "2027-03-01 12:00 UTC", "-" for 0
std::string format_age(double seconds);      // "45s", "12m05s", "3h07m", "2d04h"
std::string format_number(double value);     // "12", "0.25"
std::string escape_terminal(const std::string& text);

}  // namespace serctl
