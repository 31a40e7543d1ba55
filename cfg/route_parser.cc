// TEMPORARY STUB (skeleton): skips a balanced { } block. Replaced by the route parser.
#include "cfg/route_parser.h"

namespace cfg {

bool RouteParser::parse_block(RouteBlock* block) {
  (void)block;
  int depth = 0;
  for (;;) {
    Token t = lexer_.next();
    if (t.kind == TokenKind::kEnd) return false;
    if (t.is_punct("{")) ++depth;
    if (t.is_punct("}") && --depth == 0) return true;
  }
}

void check_script(const RouteScript&, Diagnostics&) {}

bool is_builtin_module(const std::string&) { return true; }

}  // namespace cfg
