#pragma once
// Parser of the routing script's blocks (`route`, `route[NAME]`, `onreply_route`): syntax
// only; the semantic checks are the compiler's (core/script/script_checker.h). The top-level parser
// (cfg/parser) consumes the block header and hands the lexer over positioned at the block's `{`.
#include "cfg/diagnostics.h"
#include "cfg/lexer.h"
#include "cfg/route_ast.h"

namespace cfg {

class RouteParser {
 public:
  RouteParser(Lexer& lexer, Diagnostics& diags) : lexer_(lexer), diags_(diags) {}

  // Parses `{ statements }` into block->body. On a syntax error it reports it and recovers
  // (skips to the end of the statement or of the block) so that later errors are reported too.
  // Returns false when any error was reported.
  bool parse_block(RouteBlock* block);

 private:
  Lexer& lexer_;
  Diagnostics& diags_;
};

// True for `loadmodule` names of old configs whose functions are built in ("sl.so", ...).
bool is_builtin_module(const std::string& name);

}  // namespace cfg
