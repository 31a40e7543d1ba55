#pragma once
// Test helper for the routing-script tests: reads block headers (`route`, `route[NAME]`,
// `onreply_route`) the way the top-level parser does and hands each block to RouteParser.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cfg/diagnostics.h"
#include "cfg/lexer.h"
#include "cfg/route_parser.h"

namespace cfg::testing {

struct ParsedScript {
  RouteScript script;
  Diagnostics diags;

  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (const auto& d : diags.all()) out.push_back(d.to_string());
    return out;
  }
};

inline void store_block(RouteScript* script, bool onreply, RouteBlock block) {
  if (onreply) {
    script->onreply = std::move(block);
  } else if (block.name.empty()) {
    script->main = std::move(block);
  } else {
    std::string name = block.name;
    script->named[name] = std::move(block);
  }
}

// Parses `text` as file "t.cfg" holding route blocks only.
inline ParsedScript parse_script(const std::string& text) {
  ParsedScript out;
  Lexer lexer("t.cfg", text);
  RouteParser parser(lexer, out.diags);
  for (;;) {
    Token head = lexer.next();
    if (head.kind == TokenKind::kEnd) break;
    bool onreply = head.is_word("onreply_route");
    if (!onreply && !head.is_word("route")) {
      ADD_FAILURE() << "fixture: unexpected " << head.describe() << " at " << head.loc.to_string();
      break;
    }
    RouteBlock block;
    block.loc = head.loc;
    if (!onreply && lexer.peek().is_punct("[")) {
      lexer.next();
      block.name = lexer.next().text;
      lexer.next();  // ]
    }
    parser.parse_block(&block);
    store_block(&out.script, onreply, std::move(block));
  }
  return out;
}

// Diagnostics of parsing alone.
inline std::vector<std::string> parse_errors(const std::string& text) {
  return parse_script(text).messages();
}

}  // namespace cfg::testing
