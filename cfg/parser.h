#pragma once
// Top-level parser of ser.cfg: `name = value` parameters (driven by param_table.h),
// tls_domain / tls_client_domain blocks, include_file, loadmodule, and the headers of route
// blocks (whose bodies RouteParser reads). Errors are reported with their location and the
// parser resumes at the next line, so one run reports several errors.
#include <string>

#include "cfg/diagnostics.h"
#include "cfg/lexer.h"
#include "cfg/parse_state.h"

namespace cfg {

class Parser {
 public:
  Parser(ParseState& state, Diagnostics& diags) : state_(state), diags_(diags) {}

  // Parses the text of `file` (the name used in messages). include_file statements are
  // followed recursively; the caller pushes `file` on the include stack first.
  void parse(const std::string& file, const std::string& text);

 private:
  void statement(Lexer& lx);
  void assignment(Lexer& lx, const Token& name, PendingDomain* block);
  bool param_allowed(const Token& name, const ParamSpec* spec, const PendingDomain* block);
  bool read_value(Lexer& lx, const Token& name, Token* value);
  void store(const Token& name, const ParamSpec& spec, ParamValue value, PendingDomain* block);
  void domain_block(Lexer& lx, const Token& keyword);
  bool domain_key(Lexer& lx, const Token& keyword, PendingDomain* d);
  bool domain_key_text(const Token& key, PendingDomain* d);
  bool domain_id_text(const Token& key, PendingDomain* d);
  void domain_body(Lexer& lx, PendingDomain* d);
  void route_block(Lexer& lx, const Token& keyword);
  bool route_name(Lexer& lx, const Token& keyword, std::string* name);
  void store_route(const Token& keyword, const std::string& label, RouteBlock block);
  void include(Lexer& lx, const Token& keyword);
  void include_path(const Token& path);
  void loadmodule(Lexer& lx, const Token& keyword);
  void unsupported_block(Lexer& lx, const Token& keyword);

  // After a statement: only `;`, `}` or a new line may follow.
  void end_of_statement(Lexer& lx, int line, const std::string& what);
  // Error recovery: skips the rest of `line` (and any `{ ... }` block opened on it).
  void skip_line(Lexer& lx, int line);
  void skip_block(Lexer& lx);
  std::string describe_next(Lexer& lx, int line);

  ParseState& state_;
  Diagnostics& diags_;
};

}  // namespace cfg
