#pragma once
// The routing script's vocabulary: built-in functions (name, arguments, where they may be
// used), the fields a condition can name, and the module names of old configs whose
// functions are built in. Shared by the route parser (number normalisation), the checks
// (cfg/script_check) and the script compiler (core/script).
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cfg/route_ast.h"

namespace cfg {

// What an argument position takes. The checks turn a mismatch into a message; the parser
// turns a number written as a string ("483") into a number where the position takes one.
enum class ArgType {
  kHost,            // "example.org", 10.0.0.1, [::1], uri:host
  kNewHost,         // "example.org", 10.0.0.1, [::1]: a literal (rewritehost sets it once for all)
  kPort,            // 1..65535 or uri:port
  kReplyCode,       // 100..699
  kMaxForwards,     // 1..255
  kText,            // any string (reply reason, log text)
  kHeaderLine,      // "Name: value\r\n"
  kHeaderName,      // "Name"
  kLogLevel,        // -3 .. 4: 0 and SER's negative levels are errors, 4 debug
  kHostPort,        // "host:port"
  kUri,             // "sip:..." / "sips:..."
  kRouteName,       // NAME of a route[NAME] block
  kClientDomainId,  // "tenant-a", or a text field ($tls_peer_subject_cn, $tls_sni, uri:host ...)
};

struct ArgSpec {
  const char* name = "";
  ArgType type = ArgType::kText;
};

inline constexpr size_t kMaxParams = 2;

struct FunctionSpec {
  const char* name;
  int min_args;
  int max_args;
  ArgSpec params[kMaxParams];
  // log([level,] text): with fewer arguments the first parameter is the one left out
  // (everywhere else trailing parameters are the optional ones).
  bool optional_first;
  bool is_condition;  // returns true/false, so `if (f())` is meaningful
  bool in_onreply;    // allowed in onreply_route
};

// Every built-in function, in a stable order (did-you-mean candidates, documentation).
std::span<const FunctionSpec> builtin_functions();
const FunctionSpec* find_function(std::string_view name);

// Parameter of argument `index` when `nargs` arguments are given (nullptr past the end).
const ArgSpec* param_at(const FunctionSpec& f, size_t nargs, size_t index);
// "(host, port)", "([level,] text)", "()".
std::string signature(const FunctionSpec& f);
// True for parameter types whose value is a number (a string of digits is normalised).
bool takes_number(ArgType t);

// Functions of old configs that ser does not provide, with the sentence saying what to do
// instead ("t_relay() is not provided: ser is a stateless proxy; use forward()"), or "".
std::string not_provided_reason(std::string_view name);

// Fields by their ser.cfg spelling ("method", "uri:host", "$tls_sni", ...).
std::optional<Field> find_field(std::string_view name);
std::vector<std::string_view> field_names();     // every spelling, for did-you-mean
std::vector<std::string_view> tls_fact_names();  // "$tls_version", ... (also valid in log text)

// "sl.so, maxfwd.so, textops.so, rr.so, tls.so, path.so": for the message refusing any other module
// (the test itself is is_builtin_module(), cfg/route_parser.h).
std::string builtin_module_names();

}  // namespace cfg
