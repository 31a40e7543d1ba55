// Conditions (`||` below `&&` below `!`, parentheses, comparisons, calls), call arguments
// and the operands they are made of.
#include <cctype>
#include <charconv>

#include "cfg/did_you_mean.h"
#include "cfg/route_grammar.h"
#include "cfg/script_functions.h"

namespace cfg {

namespace {

// A decimal number that fits an int64_t; false for anything else (signs included).
bool parse_number(std::string_view text, int64_t* out) {
  if (text.empty()) return false;
  for (char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::optional<CmpOp> comparison(const Token& t) {
  if (t.kind != TokenKind::kPunct) return std::nullopt;
  if (t.text == "==") return CmpOp::kEq;
  if (t.text == "!=") return CmpOp::kNe;
  if (t.text == "=~") return CmpOp::kMatch;
  if (t.text == ">") return CmpOp::kGt;
  if (t.text == "<") return CmpOp::kLt;
  if (t.text == ">=") return CmpOp::kGe;
  if (t.text == "<=") return CmpOp::kLe;
  return std::nullopt;
}

// Words that can only be meant as fields: `uri:hots`, `msg:length`, `$tls_snii`.
bool looks_like_field(std::string_view w) {
  return w.starts_with("$") || w.starts_with("uri:") || w.starts_with("msg:");
}

bool is_identifier(std::string_view w) {
  return !w.empty() && (std::isalpha(static_cast<unsigned char>(w[0])) || w[0] == '_');
}

std::unique_ptr<Expr> binary(Expr::Kind kind, std::unique_ptr<Expr> l, std::unique_ptr<Expr> r) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->loc = l->loc;
  e->left = std::move(l);
  e->right = std::move(r);
  return e;
}

}  // namespace

std::unique_ptr<Expr> RouteGrammar::parse_or() {
  auto left = parse_and();
  while (left && peek().is_punct("||")) {
    take();
    auto right = parse_and();
    if (!right) return nullptr;
    left = binary(Expr::Kind::kOr, std::move(left), std::move(right));
  }
  return left;
}

std::unique_ptr<Expr> RouteGrammar::parse_and() {
  auto left = parse_unary();
  while (left && peek().is_punct("&&")) {
    take();
    auto right = parse_unary();
    if (!right) return nullptr;
    left = binary(Expr::Kind::kAnd, std::move(left), std::move(right));
  }
  return left;
}

std::unique_ptr<Expr> RouteGrammar::parse_unary() {
  if (too_deep(peek())) return nullptr;
  DepthGuard guard(depth_);
  if (!peek().is_punct("!")) return parse_primary();
  Token bang = take();
  auto operand = parse_unary();
  if (!operand) return nullptr;
  auto e = std::make_unique<Expr>();
  e->kind = Expr::Kind::kNot;
  e->loc = bang.loc;
  e->left = std::move(operand);
  return e;
}

std::unique_ptr<Expr> RouteGrammar::parse_primary() {
  const Token& t = peek();
  if (t.is_punct("(")) {
    take();
    auto inner = parse_or();
    if (!inner) return nullptr;
    if (!peek().is_punct(")")) {
      expected("')' after the condition", peek());
      return nullptr;
    }
    take();
    return inner;
  }
  if (t.kind != TokenKind::kWord) {
    expected("a condition", t);
    return nullptr;
  }
  Token word = take();
  if (peek().is_punct("(")) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kCall;
    e->loc = word.loc;
    if (!parse_call(std::move(word), &e->call)) return nullptr;
    return e;
  }
  if (find_field(word.text)) return parse_compare(std::move(word));
  if (find_function(word.text) || !not_provided_reason(word.text).empty()) {
    expected("'(' after '" + word.text + "'", peek());
  } else if (is_identifier(word.text) || looks_like_field(word.text)) {
    diags_.error(word.loc, "unknown field '" + word.text + "' in condition" +
                               did_you_mean(word.text, field_names()));
  } else {
    expected("a condition", word);
  }
  return nullptr;
}

std::unique_ptr<Expr> RouteGrammar::parse_compare(Token field_tok) {
  const Token& op = peek();
  std::optional<CmpOp> cmp = comparison(op);
  if (!cmp) {
    std::string what = "a comparison operator after '" + field_tok.text + "'";
    if (op.is_punct("=")) {
      diags_.error(op.loc, "expected " + what + ", found '=' (use '==' to compare)");
    } else {
      expected(what, op);
    }
    return nullptr;
  }
  Token op_tok = take();
  auto e = std::make_unique<Expr>();
  e->kind = Expr::Kind::kCompare;
  e->loc = field_tok.loc;
  e->field = *find_field(field_tok.text);
  e->op = *cmp;
  if (!parse_operand("a value after '" + field_tok.text + " " + op_tok.text + "'", &e->value))
    return nullptr;
  fit_to_field(e->field, &e->value);
  return e;
}

// `name(arg, ...)`, the lexer at `(`.
bool RouteGrammar::parse_call(Token name, Call* call) {
  call->name = name.text;
  call->loc = name.loc;
  take();  // (
  if (peek().is_punct(")")) {
    take();
    normalise_args(call);
    return true;
  }
  std::string shown = "'" + name.text + "()'";
  for (;;) {
    Operand arg;
    if (!parse_operand("an argument of " + shown, &arg)) return false;
    call->args.push_back(std::move(arg));
    const Token& t = peek();
    if (t.is_punct(",")) {
      take();
      continue;
    }
    if (t.is_punct(")")) {
      take();
      break;
    }
    expected("',' or ')' after an argument of " + shown, t);
    return false;
  }
  normalise_args(call);
  return true;
}

bool RouteGrammar::parse_operand(std::string_view context, Operand* out) {
  const Token& t = peek();
  if (t.kind == TokenKind::kString) {
    Token s = take();
    out->kind = Operand::Kind::kString;
    out->text = std::move(s.text);
    out->loc = s.loc;
    return true;
  }
  if (t.kind == TokenKind::kWord) return classify_word(take(), out);
  if (t.is_punct("[")) return parse_bracketed(take(), out);
  expected(context, t);
  return false;
}

// `[::1]` or `[2001:db8::]/32`, the `[` taken. The lexer ends words at brackets, so the
// address is read raw, and a `/prefix` glued to the `]` is read raw as well (on a copy of
// the lexer first: anything else after the `]` must stay for the normal tokens).
bool RouteGrammar::parse_bracketed(const Token& open, Operand* out) {
  // On a missing ']' the raw read has eaten the rest of the line (the block's `}` too):
  // report it, and let recovery resume right after the '[' instead.
  Lexer attempt = lexer_;
  Token inner = attempt.raw_bracketed();
  if (inner.kind == TokenKind::kError) {
    diags_.error(open.loc, inner.text);
    return false;
  }
  lexer_ = std::move(attempt);
  out->kind = Operand::Kind::kNetwork;
  out->text = inner.text;
  out->loc = open.loc;
  int after_bracket = inner.loc.col + static_cast<int>(inner.text.size()) + 1;
  Lexer probe = lexer_;
  Token suffix = probe.raw_word();
  if (suffix.kind == TokenKind::kWord && suffix.text.starts_with("/") &&
      suffix.loc.line == inner.loc.line && suffix.loc.col == after_bracket) {
    out->text += suffix.text;
    lexer_ = std::move(probe);
  }
  return true;
}

bool RouteGrammar::classify_word(const Token& tok, Operand* out) {
  out->loc = tok.loc;
  out->text = tok.text;
  if (all_digits(tok.text)) {
    if (!parse_number(tok.text, &out->number)) {
      diags_.error(tok.loc, "number '" + tok.text + "' is too large");
      return false;
    }
    out->kind = Operand::Kind::kNumber;
  } else if (tok.text == "myself") {
    out->kind = Operand::Kind::kMyself;
  } else if (auto field = find_field(tok.text)) {
    out->kind = Operand::Kind::kField;
    out->field = *field;
  } else if (looks_like_field(tok.text)) {
    diags_.error(tok.loc,
                 "unknown field '" + tok.text + "'" + did_you_mean(tok.text, field_names()));
    return false;
  } else {
    out->kind = Operand::Kind::kWord;
  }
  return true;
}

// The right side of a comparison, read as its field needs: any address spelling is a
// network for src_ip/dst_ip, and a number written as a string is a number for ports.
void RouteGrammar::fit_to_field(Field field, Operand* value) {
  using K = Operand::Kind;
  switch (field) {
    case Field::kSrcIp:
    case Field::kDstIp:
      if (value->kind == K::kWord || value->kind == K::kNumber || value->kind == K::kString)
        value->kind = K::kNetwork;
      break;
    case Field::kSrcPort:
    case Field::kDstPort:
    case Field::kUriPort:
    case Field::kMsgLen:
      if (value->kind == K::kString && parse_number(value->text, &value->number))
        value->kind = K::kNumber;
      break;
    default:
      break;
  }
}

// `sl_send_reply("483", ...)` as old configs write it: the string is the number 483.
void RouteGrammar::normalise_args(Call* call) {
  const FunctionSpec* f = find_function(call->name);
  if (!f) return;
  for (size_t i = 0; i < call->args.size(); ++i) {
    const ArgSpec* p = param_at(*f, call->args.size(), i);
    Operand& arg = call->args[i];
    if (p && takes_number(p->type) && arg.kind == Operand::Kind::kString &&
        parse_number(arg.text, &arg.number))
      arg.kind = Operand::Kind::kNumber;
  }
}

}  // namespace cfg
