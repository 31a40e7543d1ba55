// Conditions of the routing script: each comparison is resolved at load to one CondOp that reads
// the field the cheapest way (a regex compiled once, a network parsed to bytes, a word to an enum).
#include <string>

#include "core/script/script_compiler.h"

namespace core::script {
namespace {

enum class FieldType { kString, kNumber, kIp, kProto, kAf };

FieldType field_type(cfg::Field f) {
  switch (f) {
    case cfg::Field::kUriPort:
    case cfg::Field::kSrcPort:
    case cfg::Field::kDstPort:
    case cfg::Field::kMsgLen:
      return FieldType::kNumber;
    case cfg::Field::kSrcIp:
    case cfg::Field::kDstIp:
      return FieldType::kIp;
    case cfg::Field::kProto:
      return FieldType::kProto;
    case cfg::Field::kAf:
      return FieldType::kAf;
    default:
      return FieldType::kString;
  }
}

bool is_equality(cfg::CmpOp op) {
  return op == cfg::CmpOp::kEq || op == cfg::CmpOp::kNe;
}

bool iequals(const std::string& a, const char* b) {
  size_t i = 0;
  for (; i < a.size() && b[i] != '\0'; ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return i == a.size() && b[i] == '\0';
}

}  // namespace

uint32_t ScriptCompiler::compile_cond(const cfg::Expr& expr) {
  CondNode node;
  switch (expr.kind) {
    case cfg::Expr::Kind::kAnd:
    case cfg::Expr::Kind::kOr:
      if (!expr.left || !expr.right) {
        error(expr.loc, "internal: malformed && / || expression (missing operand)");
        return kNoIndex;
      }
      node.op = expr.kind == cfg::Expr::Kind::kAnd ? CondOp::kAnd : CondOp::kOr;
      node.a = compile_cond(*expr.left);
      node.b = compile_cond(*expr.right);
      if (node.a == kNoIndex || node.b == kNoIndex) return kNoIndex;
      break;
    case cfg::Expr::Kind::kNot:
      if (!expr.left) {
        error(expr.loc, "internal: malformed ! expression (missing operand)");
        return kNoIndex;
      }
      node.op = CondOp::kNot;
      node.a = compile_cond(*expr.left);
      if (node.a == kNoIndex) return kNoIndex;
      break;
    case cfg::Expr::Kind::kCall:
      node.op = CondOp::kCall;
      node.a = compile_call(expr.call);
      if (node.a == kNoIndex) return kNoIndex;
      break;
    case cfg::Expr::Kind::kCompare:
      if (!compile_compare(expr, &node)) return kNoIndex;
      break;
  }
  prog_.conds.push_back(std::move(node));
  return static_cast<uint32_t>(prog_.conds.size() - 1);
}

bool ScriptCompiler::compile_compare(const cfg::Expr& expr, CondNode* node) {
  node->field = expr.field;
  node->cmp = expr.op;
  node->negate = expr.op == cfg::CmpOp::kNe;
  FieldType type = field_type(expr.field);
  bool ordering = !is_equality(expr.op) && expr.op != cfg::CmpOp::kMatch;
  if (ordering && type != FieldType::kNumber) {
    error(expr.loc, std::string("'") + op_spelling(expr.op) + "' compares numbers, but " +
                        field_spelling(expr.field) + " is not a number");
    return false;
  }
  switch (type) {
    case FieldType::kString:
      return compile_string_compare(expr, node);
    case FieldType::kNumber:
      return compile_number_compare(expr, node);
    case FieldType::kIp:
      return compile_ip_compare(expr, node);
    case FieldType::kProto:
    case FieldType::kAf:
      return compile_enum_compare(expr, node);
  }
  return false;
}

bool ScriptCompiler::compile_regex(const cfg::Operand& value, CondNode* node) {
  std::string pattern;
  if (!operand_text(value, &pattern)) {
    error(value.loc, "'=~' needs a regular expression in a string");
    return false;
  }
  // REG_ICASE for every `=~`, as SER compiled them (route.c fix_expr): method names are
  // case-sensitive tokens (RFC 3261 §7.1), but configs written for SER rely on `method=~"invite"`
  // matching, and scheme and host are case-insensitive anyway (RFC 3261 §19.1.4).
  std::string why;
  auto re = Regex::compile(pattern, /*icase=*/true, &why);
  if (!re) {
    error(value.loc, "bad regular expression \"" + pattern + "\": " + why);
    return false;
  }
  node->text = pattern;
  node->a = static_cast<uint32_t>(prog_.regexes.size());
  prog_.regexes.push_back(std::move(re));
  return true;
}

bool ScriptCompiler::compile_string_compare(const cfg::Expr& expr, CondNode* node) {
  const cfg::Operand& v = expr.value;
  if (expr.op == cfg::CmpOp::kMatch) {
    node->op = CondOp::kStrMatch;
    return compile_regex(v, node);
  }
  if (v.kind == cfg::Operand::Kind::kMyself) {
    if (expr.field != cfg::Field::kUri && expr.field != cfg::Field::kUriHost) {
      error(v.loc, std::string("'myself' compares with uri, uri:host, src_ip or dst_ip, not ") +
                       field_spelling(expr.field));
      return false;
    }
    node->op = CondOp::kMyself;
    return true;
  }
  if (v.kind == cfg::Operand::Kind::kField) {
    if (field_type(v.field) != FieldType::kString) {
      error(v.loc, std::string("cannot compare ") + field_spelling(expr.field) + " (text) with " +
                       field_spelling(v.field));
      return false;
    }
    node->op = CondOp::kStrEqField;
    node->rfield = v.field;
    return true;
  }
  node->op = CondOp::kStrEq;
  return operand_text(v, &node->text);
}

bool ScriptCompiler::compile_number_compare(const cfg::Expr& expr, CondNode* node) {
  const cfg::Operand& v = expr.value;
  node->negate = false;  // compare_numbers() applies every operator, `!=` included
  if (expr.op == cfg::CmpOp::kMatch) {
    error(expr.loc, std::string("'=~' matches text, but ") + field_spelling(expr.field) +
                        " is a number (use ==, !=, <, >, <=, >=)");
    return false;
  }
  if (v.kind == cfg::Operand::Kind::kField) {
    if (field_type(v.field) != FieldType::kNumber) {
      error(v.loc, std::string("cannot compare ") + field_spelling(expr.field) +
                       " (a number) with " + field_spelling(v.field));
      return false;
    }
    node->op = CondOp::kNumCmpField;
    node->rfield = v.field;
    return true;
  }
  if (!operand_number(v, &node->number)) {
    error(v.loc, std::string(field_spelling(expr.field)) + " compares with a number, found '" +
                     v.text + "'");
    return false;
  }
  node->op = CondOp::kNumCmp;
  return true;
}

bool ScriptCompiler::compile_ip_compare(const cfg::Expr& expr, CondNode* node) {
  const cfg::Operand& v = expr.value;
  if (expr.op == cfg::CmpOp::kMatch) {
    node->op = CondOp::kIpMatch;  // on the textual address, as SER did
    return compile_regex(v, node);
  }
  if (v.kind == cfg::Operand::Kind::kMyself) {
    node->op = CondOp::kMyself;
    return true;
  }
  if (v.kind == cfg::Operand::Kind::kField) {
    if (field_type(v.field) != FieldType::kIp) {
      error(v.loc, std::string("cannot compare ") + field_spelling(expr.field) +
                       " (an address) with " + field_spelling(v.field));
      return false;
    }
    node->op = CondOp::kIpEqField;
    node->rfield = v.field;
    return true;
  }
  std::string text;
  std::string why;
  bool host_bits = false;
  if (!operand_text(v, &text)) {
    error(v.loc, std::string(field_spelling(expr.field)) + " compares with an address");
    return false;
  }
  auto net = IpNetwork::parse(text, &why, &host_bits);
  if (!net) {
    error(v.loc, std::string(field_spelling(expr.field)) + " compares with an address or a " +
                     "network (10.0.0.0/8, 2001:db8::/32): " + why);
    return false;
  }
  if (host_bits)
    diags_.warning(v.loc, "network '" + text + "' has host bits set; they are ignored");
  node->op = CondOp::kIpInNet;
  node->net = *net;
  node->text = text;
  return true;
}

bool ScriptCompiler::compile_enum_compare(const cfg::Expr& expr, CondNode* node) {
  const cfg::Operand& v = expr.value;
  const char* what = expr.field == cfg::Field::kProto ? "UDP, TCP or TLS" : "INET or INET6";
  std::string word;
  if (!is_equality(expr.op) || !operand_text(v, &word)) {
    error(v.loc, std::string(field_spelling(expr.field)) + " compares (== or !=) with " + what);
    return false;
  }
  if (expr.field == cfg::Field::kProto) {
    node->op = CondOp::kProtoEq;
    if (auto t = Transport::parse(word)) return node->proto = *t, true;
  } else {
    node->op = CondOp::kAfEq;
    if (iequals(word, "inet") || word == "4") return node->af = Af::kInet, true;
    if (iequals(word, "inet6") || word == "6") return node->af = Af::kInet6, true;
  }
  error(v.loc, std::string(field_spelling(expr.field)) + " compares with " + what + ", found '" +
                   word + "'");
  return false;
}

}  // namespace core::script
