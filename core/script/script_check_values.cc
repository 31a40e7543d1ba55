#include "core/script/script_check_values.h"

#include <arpa/inet.h>
#include <regex.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "cfg/did_you_mean.h"

namespace core::script {

using namespace cfg;  // NOLINT: the checker speaks the AST's vocabulary throughout

namespace {

using K = Operand::Kind;

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool in_range(const Operand& op, int64_t lo, int64_t hi) {
  return op.kind == K::kNumber && op.number >= lo && op.number <= hi;
}

bool is_port_text(std::string_view s) {
  int port = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size() && port >= 1 &&
         port <= 65535 && std::isdigit(static_cast<unsigned char>(s[0]));
}

// "host:port": the port after the last ':' (an IPv6 host is bracketed: "[::1]:5060").
bool is_host_port(std::string_view s) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || s.substr(0, colon).ends_with(":"))
    return false;
  return is_port_text(s.substr(colon + 1));
}

// "Name: value\r\n" (RFC 3261 §7.3: a header field is a name, a colon and a value, and
// append_hf inserts the text as is, so the line end is the writer's job).
bool is_header_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c == ':' || std::isspace(static_cast<unsigned char>(c)) ||
        !std::isprint(static_cast<unsigned char>(c)))
      return false;
  return true;
}

// Log text may name TLS facts, substituted when the line is written; a misspelt one would
// be printed literally forever, so it is an error.
void check_log_facts(const Operand& text, Diagnostics& diags) {
  const auto facts = tls_fact_names();
  for (size_t pos = text.text.find("$tls_"); pos != std::string::npos;
       pos = text.text.find("$tls_", pos + 1)) {
    size_t end = pos + 1;
    while (end < text.text.size() &&
           (std::isalnum(static_cast<unsigned char>(text.text[end])) || text.text[end] == '_'))
      ++end;
    std::string name = text.text.substr(pos, end - pos);
    if (std::find(facts.begin(), facts.end(), name) == facts.end())
      diags.error(text.loc,
                  "unknown TLS fact '" + name + "' in log text" + did_you_mean(name, facts));
  }
}

// What a parameter type accepts, as said after "must be"; "" when `arg` fits.
std::string argument_problem(ArgType type, const Operand& arg) {
  using P = ArgType;
  switch (type) {
    case P::kHost:
      if ((arg.kind == K::kString && !arg.text.empty()) || arg.kind == K::kWord ||
          arg.kind == K::kNetwork || (arg.kind == K::kField && arg.field == Field::kUriHost))
        return {};
      return "a host name, an address or uri:host";
    case P::kNewHost:
      if ((arg.kind == K::kString && !arg.text.empty()) || arg.kind == K::kWord ||
          arg.kind == K::kNetwork)
        return {};
      return "a host name or an address";
    case P::kPort:
      if (in_range(arg, 1, 65535) || (arg.kind == K::kField && arg.field == Field::kUriPort))
        return {};
      return "a port number between 1 and 65535 or uri:port";
    case P::kReplyCode:
      return in_range(arg, 100, 699) ? "" : "a reply code between 100 and 699";
    case P::kMaxForwards:
      return in_range(arg, 1, 255) ? "" : "a number between 1 and 255";
    case P::kLogLevel:
      // SER's scripts also use its negative levels (L_ALERT -3 .. L_ERR -1): logged as errors.
      return in_range(arg, -3, 4) ? ""
                                  : "a log level between -3 and 4 (0 and below: errors, 4: debug)";
    case P::kText:
      return arg.kind == K::kString ? "" : "a string";
    case P::kHeaderLine:
      if (arg.kind == K::kString && is_header_name(arg.text.substr(0, arg.text.find(':'))) &&
          arg.text.find(':') != std::string::npos)
        return {};
      return "a header line \"Name: value\\r\\n\"";
    case P::kHeaderName:
      return arg.kind == K::kString && is_header_name(arg.text) ? ""
                                                                : "a header name such as \"X-Foo\"";
    case P::kHostPort:
      if ((arg.kind == K::kString || arg.kind == K::kWord) && is_host_port(arg.text)) return {};
      return "\"host:port\" with a port between 1 and 65535";
    case P::kUri: {
      std::string_view t = arg.text;
      bool sip = iequals(t.substr(0, 4), "sip:") || iequals(t.substr(0, 5), "sips:");
      return arg.kind == K::kString && sip ? "" : "a SIP URI (\"sip:...\" or \"sips:...\")";
    }
    case P::kClientDomainId:
      if ((arg.kind == K::kString && !arg.text.empty()) ||
          (arg.kind == K::kField &&
           (arg.field == Field::kUriHost || arg.field == Field::kTlsSni ||
            arg.field == Field::kTlsPeerSubjectCn || arg.field == Field::kTlsPeerSanDns)))
        return {};
      return "a client domain id (\"tenant-a\") or one of uri:host, $tls_sni, "
             "$tls_peer_subject_cn, $tls_peer_san_dns";
    case P::kRouteName:
      if ((arg.kind == K::kWord || arg.kind == K::kString || arg.kind == K::kNumber) &&
          !arg.text.empty())
        return {};
      return "a route name";
  }
  return {};
}

}  // namespace

std::string describe(const Operand& op) {
  switch (op.kind) {
    case K::kString:
      return "string \"" + escape(op.text) + "\"";
    case K::kNumber:
      return op.text;
    case K::kMyself:
      return "'myself'";
    case K::kField:
      return std::string("'") + field_name(op.field) + "'";
    case K::kNetwork:
    case K::kWord:
      return "'" + op.text + "'";
  }
  return "'" + op.text + "'";
}

void check_argument(const Call& call, const ArgSpec& param, size_t index, Diagnostics& diags) {
  const Operand& arg = call.args[index];
  std::string where =
      call.name + "() argument " + std::to_string(index + 1) + " (" + param.name + ")";
  std::string must = argument_problem(param.type, arg);
  if (!must.empty()) {
    diags.error(arg.loc, where + " must be " + must + ", found " + describe(arg));
    return;
  }
  if (param.type == ArgType::kHeaderLine && !arg.text.ends_with("\r\n")) {
    diags.error(arg.loc, where + " must end with \"\\r\\n\", found " + describe(arg));
    return;
  }
  if (param.type == ArgType::kText && call.name == "log") check_log_facts(arg, diags);
}

// ---- comparisons ----

namespace {

enum class Values { kString, kStringOrMyself, kPort, kCount, kNetwork, kProto, kAf };

enum class Ops { kEquality, kMatch, kOrder };  // == != / and =~ / and < > <= >=

const char* ops_name(Ops ops) {
  switch (ops) {
    case Ops::kEquality:
      return "== or !=";
    case Ops::kMatch:
      return "==, != or =~";
    case Ops::kOrder:
      return "==, !=, <, >, <= or >=";
  }
  return "";
}

struct FieldRule {
  Values values;
  Ops ops;
  const char* expects;  // "can only be compared with ..."
};

FieldRule rule_for(Field f) {
  switch (f) {
    case Field::kMethod:
      return {Values::kString, Ops::kMatch, "a method name in a string, such as \"INVITE\""};
    case Field::kUri:
    case Field::kUriHost:
      return {Values::kStringOrMyself, Ops::kMatch, "a string or myself"};
    case Field::kUriPort:
    case Field::kSrcPort:
    case Field::kDstPort:
      return {Values::kPort, Ops::kOrder, "a port number between 1 and 65535"};
    case Field::kMsgLen:
      return {Values::kCount, Ops::kOrder, "a number"};
    case Field::kSrcIp:
    case Field::kDstIp:
      return {Values::kNetwork, Ops::kEquality,
              "an IP address, a network (address/prefix) or myself"};
    case Field::kProto:
      return {Values::kProto, Ops::kEquality, "UDP, TCP or TLS"};
    case Field::kAf:
      return {Values::kAf, Ops::kEquality, "INET or INET6"};
    default:  // $tls_* facts
      return {Values::kString, Ops::kMatch, "a string"};
  }
}

bool op_allowed(const FieldRule& rule, CmpOp op) {
  if (op == CmpOp::kEq || op == CmpOp::kNe) return true;
  if (op == CmpOp::kMatch) return rule.ops == Ops::kMatch;
  return rule.ops == Ops::kOrder;
}

bool one_of(const Operand& v, std::initializer_list<std::string_view> names) {
  if (v.kind != K::kWord && v.kind != K::kString) return false;
  for (auto n : names)
    if (iequals(v.text, n)) return true;
  return false;
}

// "" for a valid address or address/prefix, else why not.
std::string network_problem(const std::string& text, bool* not_an_address) {
  size_t slash = text.find('/');
  std::string addr = text.substr(0, slash);
  unsigned char buf[16];
  int bits = 0;
  if (inet_pton(AF_INET, addr.c_str(), buf) == 1) {
    bits = 32;
  } else if (inet_pton(AF_INET6, addr.c_str(), buf) == 1) {
    bits = 128;
  } else {
    *not_an_address = true;
    return "not an address";
  }
  if (slash == std::string::npos) return {};
  std::string_view prefix = std::string_view(text).substr(slash + 1);
  int len = -1;
  auto [end, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), len);
  if (prefix.empty() || ec != std::errc() || end != prefix.data() + prefix.size() || len < 0 ||
      len > bits || !std::isdigit(static_cast<unsigned char>(prefix[0])))
    return "the prefix length must be between 0 and " + std::to_string(bits);
  return {};
}

bool value_fits(Values values, const Operand& v, Diagnostics& diags) {
  switch (values) {
    case Values::kString:
      return v.kind == K::kString;
    case Values::kStringOrMyself:
      return v.kind == K::kString || v.kind == K::kMyself;
    case Values::kPort:
      return in_range(v, 1, 65535);
    case Values::kCount:
      return v.kind == K::kNumber;
    case Values::kProto:
      return one_of(v, {"UDP", "TCP", "TLS"});
    case Values::kAf:
      return one_of(v, {"INET", "INET6"});
    case Values::kNetwork: {
      if (v.kind == K::kMyself) return true;
      if (v.kind != K::kNetwork) return false;
      bool not_an_address = false;
      std::string why = network_problem(v.text, &not_an_address);
      if (why.empty() || not_an_address) return why.empty();
      diags.error(v.loc, "invalid network '" + v.text + "': " + why);
      return true;  // reported
    }
  }
  return true;
}

// POSIX extended regular expressions (regcomp(3)), as SER used them. The script compiler
// must use REG_EXTENDED too (REG_ICASE may be added: it does not change what compiles), so
// a regex that passes here cannot fail when the script is built.
void check_regex(const Operand& v, Diagnostics& diags) {
  regex_t re;
  int rc = regcomp(&re, v.text.c_str(), REG_EXTENDED | REG_NOSUB);
  if (rc == 0) {
    regfree(&re);
    return;
  }
  char buf[256];
  regerror(rc, &re, buf, sizeof buf);
  diags.error(v.loc, "invalid regular expression \"" + escape(v.text) + "\": " + buf);
}

}  // namespace

void check_comparison(const Expr& e, Diagnostics& diags) {
  FieldRule rule = rule_for(e.field);
  const char* field = field_name(e.field);
  if (!op_allowed(rule, e.op)) {
    diags.error(e.loc, std::string("'") + cmp_op_name(e.op) + "' cannot be used with " + field +
                           ": use " + ops_name(rule.ops));
    return;
  }
  if (e.op == CmpOp::kMatch) {
    if (e.value.kind != K::kString) {
      diags.error(e.value.loc,
                  "'=~' needs a regular expression in a string, found " + describe(e.value));
      return;
    }
    check_regex(e.value, diags);
    return;
  }
  if (!value_fits(rule.values, e.value, diags)) {
    diags.error(e.value.loc, std::string(field) + " can only be compared with " + rule.expects +
                                 ", found " + describe(e.value));
  }
}

}  // namespace core::script
