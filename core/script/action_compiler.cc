// Function calls of the routing script (actions, route(NAME), is_peer_verified()): arguments are
// checked and converted once here, so running an action only reads its node.
#include <string>

#include "cfg/script_functions.h"
#include "core/script/compiled_script.h"
#include "core/script/script_compiler.h"
#include "core/sip/text.h"

namespace core::script {
namespace {

struct SimpleAction {
  const char* name;
  ActionOp op;
};

// Calls whose only argument, if any, is one text; SER's set* spellings are accepted as aliases.
constexpr SimpleAction kTextActions[] = {
    {"rewritehost", ActionOp::kRewriteHost},
    {"sethost", ActionOp::kRewriteHost},
    {"rewritehostport", ActionOp::kRewriteHostPort},
    {"sethostport", ActionOp::kRewriteHostPort},
    {"rewriteuri", ActionOp::kRewriteUri},
    {"seturi", ActionOp::kRewriteUri},
    {"append_hf", ActionOp::kAppendHf},
    {"remove_hf", ActionOp::kRemoveHf},
};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::vector<LogPiece> parse_log_template(const std::string& text) {
  std::vector<LogPiece> pieces;
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    bool matched = false;
    if (text[i] == '$') {
      for (std::string_view name : cfg::tls_fact_names()) {
        if (text.compare(i, name.size(), name) != 0) continue;
        size_t end = i + name.size();
        if (end < text.size() && is_name_char(text[end])) continue;  // $tls_snix is not $tls_sni
        if (!literal.empty()) pieces.push_back({false, TlsFact::kVersion, std::move(literal)});
        literal.clear();
        pieces.push_back({true, *tls_fact_of(*cfg::find_field(name)), {}});
        i = end;
        matched = true;
        break;
      }
    }
    if (!matched) literal.push_back(text[i++]);
  }
  if (!literal.empty()) pieces.push_back({false, TlsFact::kVersion, std::move(literal)});
  return pieces;
}

bool ScriptCompiler::want_args(const cfg::Call& call, size_t min, size_t max) {
  size_t n = call.args.size();
  if (n >= min && n <= max) return true;
  std::string expected =
      min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max);
  error(call.loc, call.name + "() takes " + expected + " argument" + (max == 1 ? "" : "s") +
                      ", found " + std::to_string(n));
  return false;
}

bool ScriptCompiler::text_arg(const cfg::Call& call, size_t i, std::string* out) {
  if (operand_text(call.args[i], out)) return true;
  error(call.args[i].loc,
        call.name + "(): argument " + std::to_string(i + 1) + " must be a string");
  return false;
}

bool ScriptCompiler::number_arg(const cfg::Call& call, size_t i, int64_t min, int64_t max,
                                int64_t* out) {
  if (operand_number(call.args[i], out) && *out >= min && *out <= max) return true;
  error(call.args[i].loc, call.name + "(): argument " + std::to_string(i + 1) +
                              " must be a number from " + std::to_string(min) + " to " +
                              std::to_string(max) + ", found '" + call.args[i].text + "'");
  return false;
}

uint32_t ScriptCompiler::compile_call(const cfg::Call& call) {
  ActionNode node;
  const std::string& n = call.name;
  bool ok = false;
  if (n == "forward" || n == "forward_udp" || n == "forward_tcp" || n == "forward_tls") {
    ok = compile_forward(call, &node);
  } else if (n == "sl_send_reply") {
    ok = compile_reply(call, &node);
  } else if (n == "log") {
    ok = compile_log(call, &node);
  } else if (n == "route") {
    ok = compile_route_call(call, &node);
  } else if (n == "mf_process_maxfwd_header") {
    int64_t limit = 0;
    node.op = ActionOp::kMaxFwd;
    // Max-Forwards is 0..255 in practice; RFC 3261 §8.1.1.6 recommends 70.
    ok = want_args(call, 1, 1) && number_arg(call, 0, 1, 255, &limit);
    node.number = static_cast<int>(limit);
  } else if (n == "record_route" || n == "is_peer_verified") {
    node.op = n == "record_route" ? ActionOp::kRecordRoute : ActionOp::kIsPeerVerified;
    ok = want_args(call, 0, 0);
  } else if (n == "add_path" || n == "add_path_received") {
    node.op = n == "add_path" ? ActionOp::kAddPath : ActionOp::kAddPathReceived;
    ok = want_args(call, 0, 0);
  } else if (n == "tls_client_domain") {
    ok = compile_client_domain(call, &node);
  } else if (n == "t_relay") {
    error(call.loc, "t_relay() is not provided: ser is a stateless proxy; use forward()");
  } else {
    bool known = false;
    for (const SimpleAction& a : kTextActions) {
      if (n != a.name) continue;
      known = true;
      node.op = a.op;
      ok = want_args(call, 1, 1) && text_arg(call, 0, &node.text);
      break;
    }
    if (!known) error(call.loc, "unknown function '" + n + "()'");
  }
  if (!ok) {
    failed_ = true;
    return kNoIndex;
  }
  prog_.actions.push_back(std::move(node));
  return static_cast<uint32_t>(prog_.actions.size() - 1);
}

bool ScriptCompiler::compile_forward(const cfg::Call& call, ActionNode* node) {
  node->op = ActionOp::kForward;
  const std::string& n = call.name;
  // forward_udp/forward_tcp/forward_tls name theirs; forward() leaves it to the proxy.
  node->proto = n.starts_with("forward_") ? Transport::parse(n.substr(8)) : std::nullopt;
  if (!want_args(call, 0, 2)) return false;
  if (call.args.size() >= 1) {
    const cfg::Operand& host = call.args[0];
    if (host.kind == cfg::Operand::Kind::kField && host.field == cfg::Field::kUriHost) {
      node->host_from_uri = true;
    } else if (host.kind == cfg::Operand::Kind::kField || !operand_text(host, &node->text)) {
      error(host.loc, n + "(): the host must be a string, an address or uri:host");
      return false;
    }
  }
  if (call.args.size() == 2) {
    const cfg::Operand& port = call.args[1];
    if (port.kind == cfg::Operand::Kind::kField && port.field == cfg::Field::kUriPort) {
      node->port_from_uri = true;
      return true;
    }
    if (port.kind == cfg::Operand::Kind::kField) {
      error(port.loc, n + "(): the port must be a number from 1 to 65535 or uri:port");
      return false;
    }
    int64_t value = 0;
    if (!number_arg(call, 1, 1, 65535, &value)) return false;
    node->port = static_cast<uint16_t>(value);
  }
  return true;
}

bool ScriptCompiler::compile_reply(const cfg::Call& call, ActionNode* node) {
  node->op = ActionOp::kSlSendReply;
  int64_t code = 0;
  // RFC 3261 §7.2: status codes are 100..699; a stateless proxy cannot send a 1xx usefully, but
  // SER allowed it, so only the range is checked.
  if (!want_args(call, 2, 2) || !number_arg(call, 0, 100, 699, &code)) return false;
  node->number = static_cast<int>(code);
  return text_arg(call, 1, &node->text);
}

bool ScriptCompiler::compile_log(const cfg::Call& call, ActionNode* node) {
  node->op = ActionOp::kLog;
  node->number = CompiledScript::kDefaultLogLevel;
  if (!want_args(call, 1, 2)) return false;
  size_t text_index = 0;
  if (call.args.size() == 2) {
    int64_t level = 0;
    // SER's negative levels (L_ALERT -3 .. L_ERR -1) are all errors on our 0..4 scale.
    if (!number_arg(call, 0, -3, 4, &level)) return false;
    node->number = level < 0 ? 0 : static_cast<int>(level);
    text_index = 1;
  }
  if (!text_arg(call, text_index, &node->text)) return false;
  node->pieces = parse_log_template(node->text);
  return true;
}

bool ScriptCompiler::compile_route_call(const cfg::Call& call, ActionNode* node) {
  node->op = ActionOp::kRoute;
  std::string name;
  if (!want_args(call, 1, 1) || !text_arg(call, 0, &name)) return false;
  auto it = named_routes_.find(name);
  if (it == named_routes_.end()) {
    error(call.args[0].loc, "route(" + name + "): no route[" + name + "] block");
    return false;
  }
  node->route = it->second;
  node->text = name;
  return true;
}

// A literal id must name a client domain of this configuration (the error is `ser -c`'s); an id
// read from the message is checked when the request is forwarded (Net::send).
bool ScriptCompiler::compile_client_domain(const cfg::Call& call, ActionNode* node) {
  node->op = ActionOp::kTlsClientDomain;
  if (!want_args(call, 1, 1)) return false;
  const cfg::Operand& arg = call.args[0];
  if (arg.kind == cfg::Operand::Kind::kField) {
    node->field = arg.field;
    return true;
  }
  if (!text_arg(call, 0, &node->text)) return false;
  if (client_domain_ids_ != nullptr)
    for (const std::string& id : *client_domain_ids_)
      if (core::sip::iequals(id, node->text)) return true;
  error(arg.loc, "tls_client_domain(\"" + node->text + "\"): no client domain with id \"" +
                     node->text + "\" (declare it: tls_client_domain[\"" + node->text +
                     "\"] { ... }, or tls.cfg [client:any] with server_id = " + node->text + ")");
  return false;
}

}  // namespace core::script
