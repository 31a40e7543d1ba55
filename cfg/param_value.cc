// Typed parsing of parameter values and storing them in the model (param_table.h).
#include "cfg/control_address.h"
#include "cfg/listen_parse.h"
#include "cfg/param_table.h"
#include "cfg/value_parse.h"

namespace cfg {

std::string expected_value(const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::kBool:
      return "a boolean (yes, no, on, off, true, false, 1, 0)";
    case ParamType::kInt:
      return "an integer from " + std::to_string(spec.min) + " to " + std::to_string(spec.max);
    case ParamType::kDuration:
      return "a duration from " + format_duration(Millis(spec.min)) + " to " +
             format_duration(Millis(spec.max)) +
             " (like 30, 30s or 500ms; a bare number means seconds)";
    case ParamType::kString:
      return spec.min > 0 ? "a non-empty string" : "a string";
    case ParamType::kMethod:
      return std::string("a TLS method (") + tls_method_choices() + ")";
    case ParamType::kListen:
      return "PROTO:ADDR[:PORT]";
    case ParamType::kAlias:
      return "a host name or host:port";
    case ParamType::kCtlSocket:
      return "unix:/PATH or tcp:IP:PORT";
    case ParamType::kAddrPort:
      return "IP:PORT";
    case ParamType::kAddrList:
      return "a list of IP[:PORT] ([IPv6]:PORT), separated by commas";
  }
  return "a value";
}

namespace {

bool parse_number(const ParamSpec& spec, const std::string& text, ParamValue* out) {
  if (spec.type == ParamType::kInt)
    return parse_int(text, &out->number) && out->number >= spec.min && out->number <= spec.max;
  return parse_duration(text, &out->duration) && out->duration.count() >= spec.min &&
         out->duration.count() <= spec.max;
}

bool parse_method(const Token& value, ParamValue* out, std::string* error) {
  switch (parse_tls_method(value.text, &out->method)) {
    case MethodResult::kOk:
      return true;
    case MethodResult::kRefused:
      *error = "'" + value.text +
               "' is refused: SSLv2 and SSLv3 are broken (RFC 6176, RFC 7568); expected one of " +
               tls_method_choices() + ", for example TLSv1.2+";
      return false;
    case MethodResult::kUnknown:
      break;
  }
  *error = std::string("expected a TLS method (") + tls_method_choices() + "), found " +
           value.describe();
  return false;
}

}  // namespace

bool parse_param_value(const ParamSpec& spec, const Token& value, ParamValue* out,
                       std::string* error) {
  const std::string& text = value.text;
  bool ok = true;
  switch (spec.type) {
    case ParamType::kBool:
      ok = parse_bool(text, &out->flag);
      break;
    case ParamType::kInt:
    case ParamType::kDuration:
      ok = parse_number(spec, text, out);
      break;
    case ParamType::kString:
      out->text = text;
      ok = spec.min == 0 || !text.empty();
      break;
    case ParamType::kMethod:
      return parse_method(value, out, error);
    case ParamType::kListen:
      out->listen.loc = value.loc;
      return parse_listen(text, &out->listen, error);
    case ParamType::kAlias:
      out->text = text;
      return check_alias(text, error);
    case ParamType::kCtlSocket: {
      ControlAddress address;
      out->text = text;
      return parse_control_address(text, &address, error);
    }
    case ParamType::kAddrPort:
      return parse_addr_port(text, &out->text, error);
    case ParamType::kAddrList:
      return parse_addr_list(text, 53, &out->text, error);
  }
  if (!ok) *error = "expected " + expected_value(spec) + ", found " + value.describe();
  return ok;
}

void apply_global(const ParamSpec& spec, const ParamValue& value, Config* config) {
  if (spec.set_core) spec.set_core(*config, value);
  if (spec.set_tls) spec.set_tls(config->tls.defaults, value);
}

}  // namespace cfg
