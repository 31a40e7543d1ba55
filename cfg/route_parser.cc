#include "cfg/route_parser.h"

#include "cfg/route_grammar.h"

namespace cfg {

bool RouteParser::parse_block(RouteBlock* block) {
  return RouteGrammar(lexer_, diags_).parse_block(block);
}

}  // namespace cfg
