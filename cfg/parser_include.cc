// Parser: include_file and loadmodule statements.
#include <algorithm>
#include <filesystem>

#include "cfg/parser.h"
#include "cfg/route_parser.h"
#include "cfg/script_functions.h"
#include "cfg/text_file.h"

namespace cfg {

namespace fs = std::filesystem;

void Parser::include(Lexer& lx, const Token& keyword) {
  Token path = lx.raw_word();
  if (path.kind == TokenKind::kError) {
    diags_.error(path.loc, path.text);
    return skip_line(lx, path.loc.line);
  }
  if (path.kind == TokenKind::kEnd || path.text.empty()) {
    diags_.error(path.loc, "expected a file name after '" + keyword.text + "', found " +
                               describe_next(lx, keyword.loc.line));
    return skip_line(lx, path.loc.line);
  }
  end_of_statement(lx, path.loc.line, "the file name of '" + keyword.text + "'");
  include_path(path);
}

void Parser::include_path(const Token& path) {
  fs::path p(path.text);
  if (p.is_relative()) p = fs::path(path.loc.file).parent_path() / p;
  std::string shown = p.lexically_normal().string();
  std::error_code ec;
  std::string canonical = fs::weakly_canonical(p, ec).string();
  auto& stack = state_.include_stack;
  auto at = std::find(stack.begin(), stack.end(), canonical);
  if (at != stack.end()) {
    std::string chain;
    for (size_t i = at - stack.begin(); i < stack.size(); ++i)
      chain += state_.include_names[i] + " -> ";
    diags_.error(path.loc, "include cycle: " + chain + shown);
    return;
  }
  std::string text, error;
  if (!read_text_file(shown, &text, &error)) {
    diags_.error(path.loc, "cannot read included file '" + shown + "': " + error);
    return;
  }
  stack.push_back(canonical);
  state_.include_names.push_back(shown);
  parse(shown, text);
  stack.pop_back();
  state_.include_names.pop_back();
}

void Parser::loadmodule(Lexer& lx, const Token& keyword) {
  Token name = lx.raw_word();
  if (name.kind == TokenKind::kError) {
    diags_.error(name.loc, name.text);
    return skip_line(lx, name.loc.line);
  }
  if (name.kind == TokenKind::kEnd || name.text.empty()) {
    diags_.error(name.loc, "expected a module name after '" + keyword.text + "', found " +
                               describe_next(lx, keyword.loc.line));
    return skip_line(lx, name.loc.line);
  }
  end_of_statement(lx, name.loc.line, "the module name of '" + keyword.text + "'");
  std::string base = fs::path(name.text).filename().string();
  if (is_builtin_module(base)) {
    state_.config->modules.push_back(base);
    return;
  }
  diags_.error(name.loc, "loadmodule '" + name.text +
                             "': ser has no loadable modules, its "
                             "functions are built in; expected one of the built-in modules (" +
                             builtin_module_names() + "), found '" + base + "'");
}

}  // namespace cfg
