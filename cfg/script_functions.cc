#include "cfg/script_functions.h"

#include "cfg/route_parser.h"

namespace cfg {

namespace {

using P = ArgType;

// clang-format off
constexpr FunctionSpec kFunctions[] = {
  // name                       min max  params                                        opt1   cond   onreply
  {"forward",                   0,  2, {{"host", P::kHost}, {"port", P::kPort}},       false, false, false},
  {"forward_udp",               2,  2, {{"host", P::kHost}, {"port", P::kPort}},       false, false, false},
  {"forward_tcp",               2,  2, {{"host", P::kHost}, {"port", P::kPort}},       false, false, false},
  {"forward_tls",               2,  2, {{"host", P::kHost}, {"port", P::kPort}},       false, false, false},
  {"sl_send_reply",             2,  2, {{"code", P::kReplyCode}, {"reason", P::kText}}, false, false, false},
  {"mf_process_maxfwd_header",  1,  1, {{"N", P::kMaxForwards}},                       false, true,  false},
  {"record_route",              0,  0, {},                                             false, false, false},
  {"rewritehost",               1,  1, {{"host", P::kNewHost}},                        false, false, false},
  {"rewritehostport",           1,  1, {{"hostport", P::kHostPort}},                   false, false, false},
  {"rewriteuri",                1,  1, {{"uri", P::kUri}},                             false, false, false},
  // SER's spellings of the three above.
  {"sethost",                   1,  1, {{"host", P::kNewHost}},                        false, false, false},
  {"sethostport",               1,  1, {{"hostport", P::kHostPort}},                   false, false, false},
  {"seturi",                    1,  1, {{"uri", P::kUri}},                             false, false, false},
  {"append_hf",                 1,  1, {{"header", P::kHeaderLine}},                   false, false, true},
  {"remove_hf",                 1,  1, {{"name", P::kHeaderName}},                     false, false, true},
  {"log",                       1,  2, {{"level", P::kLogLevel}, {"text", P::kText}},  true,  false, true},
  {"is_peer_verified",          0,  0, {},                                             false, true,  true},
  {"route",                     1,  1, {{"name", P::kRouteName}},                      false, false, true},
  // RFC 3327 Path with an RFC 5626 flow token (Kamailio's path module spellings): REGISTER only.
  {"add_path",                  0,  0, {},                                             false, true,  false},
  {"add_path_received",         0,  0, {},                                             false, true,  false},
  // Kamailio: tls_set_connect_server_id(). Chooses the client domain of forward()'s TLS.
  {"tls_client_domain",         1,  1, {{"id", P::kClientDomainId}},                   false, false, false},
};
// clang-format on

struct NotProvided {
  std::string_view name;
  std::string_view instead;
};

// Transaction-stateful functions (SER's tm module) that old configs call. A stateless core
// cannot honour them; silently ignoring them would change what the proxy does.
constexpr NotProvided kNotProvided[] = {
    {"t_relay", "use forward()"},
    {"t_relay_to_udp", "use forward_udp()"},
    {"t_relay_to_tcp", "use forward_tcp()"},
    {"t_relay_to_tls", "use forward_tls()"},
    {"t_reply", "use sl_send_reply()"},
    {"t_newtran", "remove it"},
    {"t_on_reply", "use onreply_route"},
    {"t_on_failure", "failure routes need transactions"},
};

struct FieldName {
  std::string_view name;
  Field field;
};

constexpr FieldName kFields[] = {
    {"method", Field::kMethod},
    {"uri", Field::kUri},
    {"uri:host", Field::kUriHost},
    {"uri:port", Field::kUriPort},
    {"src_ip", Field::kSrcIp},
    {"src_port", Field::kSrcPort},
    {"dst_ip", Field::kDstIp},
    {"dst_port", Field::kDstPort},
    {"proto", Field::kProto},
    {"af", Field::kAf},
    {"msg:len", Field::kMsgLen},
    {"$tls_version", Field::kTlsVersion},
    {"$tls_cipher", Field::kTlsCipher},
    {"$tls_peer_subject_cn", Field::kTlsPeerSubjectCn},
    {"$tls_peer_san_dns", Field::kTlsPeerSanDns},
    {"$tls_sni", Field::kTlsSni},
    {"$tls_domain", Field::kTlsDomain},
};

// Modules of SER/Kamailio whose functions ser has built in (CONFIG.md "Built-in actions").
constexpr std::string_view kBuiltinModules[] = {"sl", "maxfwd", "textops", "rr", "tls", "path"};

}  // namespace

std::span<const FunctionSpec> builtin_functions() {
  return kFunctions;
}

const FunctionSpec* find_function(std::string_view name) {
  for (const auto& f : kFunctions)
    if (name == f.name) return &f;
  return nullptr;
}

const ArgSpec* param_at(const FunctionSpec& f, size_t nargs, size_t index) {
  if (index >= nargs || index >= static_cast<size_t>(f.max_args)) return nullptr;
  size_t skipped = f.optional_first ? static_cast<size_t>(f.max_args) - nargs : 0;
  if (nargs > static_cast<size_t>(f.max_args)) skipped = 0;
  return &f.params[index + skipped];
}

std::string signature(const FunctionSpec& f) {
  std::string out = "(";
  bool need_comma = false;
  for (int i = 0; i < f.max_args; ++i) {
    if (f.optional_first && i < f.max_args - f.min_args) {
      out += std::string("[") + f.params[i].name + ",] ";
      continue;
    }
    if (need_comma) out += ", ";
    out += f.params[i].name;
    need_comma = true;
  }
  return out + ")";
}

bool takes_number(ArgType t) {
  return t == P::kPort || t == P::kReplyCode || t == P::kMaxForwards || t == P::kLogLevel;
}

std::string not_provided_reason(std::string_view name) {
  for (const auto& n : kNotProvided) {
    if (n.name == name) {
      return std::string(name) + "() is not provided: ser is a stateless proxy; " +
             std::string(n.instead);
    }
  }
  return {};
}

std::optional<Field> find_field(std::string_view name) {
  for (const auto& f : kFields)
    if (f.name == name) return f.field;
  return std::nullopt;
}

const char* field_name(Field f) {
  for (const auto& n : kFields)
    if (n.field == f) return n.name.data();
  return "?";
}

std::vector<std::string_view> field_names() {
  std::vector<std::string_view> out;
  for (const auto& f : kFields) out.push_back(f.name);
  return out;
}

std::vector<std::string_view> tls_fact_names() {
  std::vector<std::string_view> out;
  for (const auto& f : kFields)
    if (f.name.front() == '$') out.push_back(f.name);
  return out;
}

std::string builtin_module_names() {
  std::string out;
  for (auto m : kBuiltinModules) out += (out.empty() ? "" : ", ") + std::string(m) + ".so";
  return out;
}

// Old configs name modules by path ("/usr/lib/ser/modules/sl.so") or, in Kamailio, without
// the extension ("sl"): the basename decides.
bool is_builtin_module(const std::string& name) {
  std::string_view base = name;
  if (size_t slash = base.rfind('/'); slash != std::string_view::npos)
    base.remove_prefix(slash + 1);
  if (base.size() > 3 && base.substr(base.size() - 3) == ".so") base.remove_suffix(3);
  for (auto m : kBuiltinModules)
    if (base == m) return true;
  return false;
}

}  // namespace cfg
