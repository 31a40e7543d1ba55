#pragma once
// Turns the AST of cfg/route_ast.h into a Program (script_program.h). Internal to core/script:
// users call CompiledScript::compile.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cfg/diagnostics.h"
#include "cfg/route_ast.h"
#include "core/script/script_program.h"

namespace core::script {

class ScriptCompiler {
 public:
  // client_domain_ids: the ids of the configuration's client domains, for tls_client_domain()
  // (null: none).
  ScriptCompiler(Program* program, cfg::Diagnostics* diags,
                 const std::vector<std::string>* client_domain_ids = nullptr)
      : prog_(*program), diags_(*diags), client_domain_ids_(client_domain_ids) {}

  // Compiles every block (named blocks too, called or not, so that every error is reported).
  // Returns false when an error was reported.
  bool compile(const cfg::RouteScript& script);

 private:
  uint32_t add_route(const std::string& name);
  void compile_route(uint32_t route, const cfg::RouteBlock& block);
  uint32_t compile_block(const std::vector<cfg::Stmt>& body);
  uint32_t compile_stmt(const cfg::Stmt& stmt);
  uint32_t add_stmt(StmtNode node);

  // Conditions (condition_compiler.cc). kNoIndex after reporting an error.
  uint32_t compile_cond(const cfg::Expr& expr);
  bool compile_compare(const cfg::Expr& expr, CondNode* node);
  bool compile_string_compare(const cfg::Expr& expr, CondNode* node);
  bool compile_number_compare(const cfg::Expr& expr, CondNode* node);
  bool compile_ip_compare(const cfg::Expr& expr, CondNode* node);
  bool compile_enum_compare(const cfg::Expr& expr, CondNode* node);
  bool compile_regex(const cfg::Operand& value, CondNode* node);

  // Calls (action_compiler.cc). kNoIndex after reporting an error.
  uint32_t compile_call(const cfg::Call& call);
  bool compile_forward(const cfg::Call& call, ActionNode* node);
  bool compile_reply(const cfg::Call& call, ActionNode* node);
  bool compile_log(const cfg::Call& call, ActionNode* node);
  bool compile_route_call(const cfg::Call& call, ActionNode* node);
  bool compile_client_domain(const cfg::Call& call, ActionNode* node);
  bool want_args(const cfg::Call& call, size_t min, size_t max);
  bool text_arg(const cfg::Call& call, size_t i, std::string* out);
  bool number_arg(const cfg::Call& call, size_t i, int64_t min, int64_t max, int64_t* out);

  void error(const cfg::SourceLoc& loc, std::string message);

  Program& prog_;
  cfg::Diagnostics& diags_;
  const std::vector<std::string>* client_domain_ids_;
  std::map<std::string, uint32_t> named_routes_;
  bool failed_ = false;
};

// Helpers shared by the compiler's files.
const char* field_spelling(cfg::Field f);
const char* op_spelling(cfg::CmpOp op);
// The operand as text when it is a literal (string, number, word, network); false otherwise.
bool operand_text(const cfg::Operand& op, std::string* out);
// The operand as an integer when it is a number or a string/word holding only digits.
bool operand_number(const cfg::Operand& op, int64_t* out);
// Splits a log() text into literal pieces and $tls_* facts.
std::vector<LogPiece> parse_log_template(const std::string& text);

}  // namespace core::script
