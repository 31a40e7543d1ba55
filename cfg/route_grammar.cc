// Statements of a route block: `{ ... }`, `if (cond) stmt [else stmt]`, `name(args);`,
// `break;`, `drop;`, `exit;`, and the error recovery between them.
#include "cfg/route_grammar.h"

namespace cfg {

Token RouteGrammar::take() {
  Token t = lexer_.next();
  if (t.is_punct("(")) ++paren_balance_;
  if (t.is_punct(")")) --paren_balance_;
  return t;
}

void RouteGrammar::expected(std::string_view what, const Token& found) {
  // A lexical error says more than "found invalid input".
  if (found.kind == TokenKind::kError) {
    diags_.error(found.loc, found.text);
    return;
  }
  diags_.error(found.loc, "expected " + std::string(what) + ", found " + found.describe());
}

bool RouteGrammar::too_deep(const Token& at) {
  if (depth_ < kMaxDepth) return false;
  diags_.error(at.loc, "nesting too deep (more than " + std::to_string(kMaxDepth) + " levels)");
  return true;
}

// Skips the rest of a broken statement: up to and including its `;`, or a whole `{ ... }`,
// or up to (not including) the `}` that ends the enclosing block.
void RouteGrammar::sync() {
  int depth = 0;
  while (!abandoned_) {
    const Token& t = peek();
    if (t.kind == TokenKind::kEnd) return;
    if (depth == 0 && (t.is_punct("}") || next_block_header())) return;
    Token x = take();
    if (x.is_punct("{")) {
      ++depth;
    } else if (x.is_punct("}")) {
      if (--depth == 0) return;
    } else if (depth == 0 && x.is_punct(";")) {
      return;
    }
  }
}

// After a bad condition: skips to the `)` closing the `if (` (paren_base is the balance
// before that `(`), but not past the start of the statement or block that follows.
void RouteGrammar::skip_condition(int paren_base) {
  while (paren_balance_ > paren_base) {
    const Token& t = peek();
    if (t.kind == TokenKind::kEnd || t.is_punct("{") || t.is_punct("}") || t.is_punct(";")) return;
    take();
  }
}

// A block left open runs into the next block's header: `route[X] {`, `route {` or
// `onreply_route`. Recognising it keeps that block for the top-level parser. `route(X);` is
// a statement, so `route` needs a second token of look-ahead: a copy of the lexer.
bool RouteGrammar::next_block_header() {
  const Token& t = peek();
  if (t.is_word("onreply_route")) return true;
  if (!t.is_word("route")) return false;
  Lexer probe = lexer_;
  probe.next();
  const Token& after = probe.peek();
  return after.is_punct("[") || after.is_punct("{");
}

bool RouteGrammar::parse_block(RouteBlock* block) {
  size_t errors_before = diags_.error_count();
  const Token& open = peek();
  if (!open.is_punct("{")) {
    expected("'{' to open the route block", open);
    return false;
  }
  Token brace = take();
  if (block->loc.line == 0) block->loc = brace.loc;
  parse_body(brace.loc, &block->body);
  return diags_.error_count() == errors_before;
}

// After the `{` at `open`: statements up to the matching `}`.
bool RouteGrammar::parse_body(const SourceLoc& open, std::vector<Stmt>* body) {
  while (!abandoned_) {
    const Token& t = peek();
    if (t.is_punct("}")) {
      take();
      return true;
    }
    if (t.kind == TokenKind::kEnd) {
      diags_.error(open, "unterminated block: expected '}' to close it, found end of file");
      abandoned_ = true;
      return false;
    }
    if (next_block_header()) {
      diags_.error(open, "unterminated block: expected '}' to close it before '" + t.text +
                             "' at " + t.loc.to_string());
      abandoned_ = true;
      return false;
    }
    if (t.is_punct(";")) {  // an empty statement, as in C
      take();
      continue;
    }
    Stmt stmt;
    if (parse_nested(&stmt)) body->push_back(std::move(stmt));
  }
  return false;
}

bool RouteGrammar::parse_nested(Stmt* out) {
  switch (parse_stmt(out)) {
    case Parsed::kOk:
      return true;
    case Parsed::kFailed:
      sync();
      return false;
    case Parsed::kRecovered:
      return false;
  }
  return false;
}

RouteGrammar::Parsed RouteGrammar::parse_stmt(Stmt* out) {
  const Token& t = peek();
  if (t.kind == TokenKind::kEnd) return Parsed::kRecovered;  // the block reports it
  if (too_deep(t)) return Parsed::kFailed;
  DepthGuard guard(depth_);
  out->loc = t.loc;
  if (t.is_punct(";")) {  // `if (c) ;`
    take();
    out->kind = Stmt::Kind::kBlock;
    return Parsed::kOk;
  }
  if (t.is_punct("{")) {
    Token open = take();
    out->kind = Stmt::Kind::kBlock;
    return parse_body(open.loc, &out->body) ? Parsed::kOk : Parsed::kRecovered;
  }
  if (t.kind != TokenKind::kWord) {
    expected("a statement", t);
    return Parsed::kFailed;
  }
  if (t.text == "if") return parse_if(out);
  if (t.text == "break") return parse_keyword(out, Stmt::Kind::kBreak);
  if (t.text == "drop") return parse_keyword(out, Stmt::Kind::kDrop);
  if (t.text == "exit") return parse_keyword(out, Stmt::Kind::kExit);
  if (t.text == "else") {
    diags_.error(t.loc, "'else' without a matching 'if'");
    return Parsed::kFailed;
  }
  return parse_action(out);
}

RouteGrammar::Parsed RouteGrammar::parse_if(Stmt* out) {
  take();  // if
  out->kind = Stmt::Kind::kIf;
  if (!peek().is_punct("(")) {
    expected("'(' after 'if'", peek());
    return Parsed::kFailed;
  }
  int paren_base = paren_balance_;
  take();
  out->cond = parse_or();
  if (out->cond && !peek().is_punct(")")) {
    expected("')' after the condition", peek());
    out->cond.reset();
  }
  bool ok = out->cond != nullptr;
  if (ok) {
    take();
  } else {
    skip_condition(paren_base);
    if (peek().kind == TokenKind::kEnd || peek().is_punct("}")) return Parsed::kRecovered;
  }
  out->then_branch = std::make_unique<Stmt>();
  if (peek().is_word("else")) {
    expected("a statement after 'if (...)'", peek());
    ok = false;
  } else {
    ok = parse_nested(out->then_branch.get()) && ok;
  }
  if (!abandoned_ && peek().is_word("else")) {
    take();
    out->else_branch = std::make_unique<Stmt>();
    ok = parse_nested(out->else_branch.get()) && ok;
  }
  return ok ? Parsed::kOk : Parsed::kRecovered;
}

RouteGrammar::Parsed RouteGrammar::parse_keyword(Stmt* out, Stmt::Kind kind) {
  Token word = take();
  out->kind = kind;
  return end_statement(word.text);
}

RouteGrammar::Parsed RouteGrammar::parse_action(Stmt* out) {
  Token name = take();
  out->kind = Stmt::Kind::kCall;
  if (!peek().is_punct("(")) {
    expected("'(' after '" + name.text + "'", peek());
    return Parsed::kFailed;
  }
  std::string shown = name.text + "()";
  if (!parse_call(std::move(name), &out->call)) return Parsed::kFailed;
  return end_statement(shown);
}

// The `;` ending a statement. When it is missing and the next token can start a statement,
// the `;` is taken as forgotten: parsing goes on from there instead of skipping it.
RouteGrammar::Parsed RouteGrammar::end_statement(const std::string& after) {
  const Token& t = peek();
  if (t.is_punct(";")) {
    take();
    return Parsed::kOk;
  }
  expected("';' after '" + after + "'", t);
  bool starts_next =
      t.kind == TokenKind::kWord || t.kind == TokenKind::kEnd || t.is_punct("{") || t.is_punct("}");
  return starts_next ? Parsed::kRecovered : Parsed::kFailed;
}

}  // namespace cfg
