#pragma once
// Recursive-descent parser of one route block's body; the engine behind RouteParser
// (cfg/route_parser.h). Statements live in route_grammar.cc, conditions and operands in
// route_grammar_expr.cc.
//
// Error handling: every error is reported once at the offending token, then the parser
// resynchronises (to the next `;`, to the `}` of the block, or past the `)` of an `if`
// condition) so that one run reports the later errors too.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cfg/diagnostics.h"
#include "cfg/lexer.h"
#include "cfg/route_ast.h"

namespace cfg {

class RouteGrammar {
 public:
  RouteGrammar(Lexer& lexer, Diagnostics& diags) : lexer_(lexer), diags_(diags) {}

  bool parse_block(RouteBlock* block);

 private:
  // Outcome of one statement: parsed, failed but already resynchronised, or failed and
  // the caller must skip to the end of the statement.
  enum class Parsed { kOk, kRecovered, kFailed };

  class DepthGuard {
   public:
    explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
    ~DepthGuard() { --depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    int& depth_;
  };

  // Tokens (route_grammar.cc).
  const Token& peek() { return lexer_.peek(); }
  Token take();
  void expected(std::string_view what, const Token& found);
  void sync();
  void skip_condition(int paren_base);
  bool next_block_header();

  // Statements (route_grammar.cc).
  bool parse_body(const SourceLoc& open, std::vector<Stmt>* body);
  bool parse_nested(Stmt* out);
  Parsed parse_stmt(Stmt* out);
  Parsed parse_if(Stmt* out);
  Parsed parse_keyword(Stmt* out, Stmt::Kind kind);
  Parsed parse_action(Stmt* out);
  Parsed end_statement(const std::string& after);
  bool too_deep(const Token& at);

  // Conditions, calls and operands (route_grammar_expr.cc).
  std::unique_ptr<Expr> parse_or();
  std::unique_ptr<Expr> parse_and();
  std::unique_ptr<Expr> parse_unary();
  std::unique_ptr<Expr> parse_primary();
  std::unique_ptr<Expr> parse_compare(Token field_tok);
  bool parse_call(Token name, Call* call);
  bool parse_operand(std::string_view context, Operand* out);
  bool parse_bracketed(const Token& open, Operand* out);
  bool classify_word(const Token& tok, Operand* out);
  void fit_to_field(Field field, Operand* value);
  void normalise_args(Call* call);

  // Bound on nested blocks, `!` and parentheses: the parser recurses, the input is untrusted.
  static constexpr int kMaxDepth = 100;

  Lexer& lexer_;
  Diagnostics& diags_;
  int paren_balance_ = 0;   // '(' minus ')' taken so far: lets a bad condition skip its rest
  int depth_ = 0;           // nesting of blocks and parentheses, bounded (deep input is hostile)
  bool abandoned_ = false;  // end of file or the next block's header reached inside a block
};

}  // namespace cfg
