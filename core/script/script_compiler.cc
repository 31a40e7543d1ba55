#include "core/script/script_compiler.h"

#include <charconv>

#include "core/script/compiled_script.h"
#include "core/script/script_checker.h"

namespace core::script {

const char* field_spelling(cfg::Field f) {
  return cfg::field_name(f);
}

std::optional<TlsFact> tls_fact_of(cfg::Field f) {
  switch (f) {
    case cfg::Field::kTlsVersion:
      return TlsFact::kVersion;
    case cfg::Field::kTlsCipher:
      return TlsFact::kCipher;
    case cfg::Field::kTlsPeerSubjectCn:
      return TlsFact::kPeerSubjectCn;
    case cfg::Field::kTlsPeerSanDns:
      return TlsFact::kPeerSanDns;
    case cfg::Field::kTlsSni:
      return TlsFact::kSni;
    case cfg::Field::kTlsDomain:
      return TlsFact::kDomain;
    default:
      return std::nullopt;
  }
}

const char* op_spelling(cfg::CmpOp op) {
  switch (op) {
    case cfg::CmpOp::kEq:
      return "==";
    case cfg::CmpOp::kNe:
      return "!=";
    case cfg::CmpOp::kMatch:
      return "=~";
    case cfg::CmpOp::kGt:
      return ">";
    case cfg::CmpOp::kLt:
      return "<";
    case cfg::CmpOp::kGe:
      return ">=";
    case cfg::CmpOp::kLe:
      return "<=";
  }
  return "?";
}

bool operand_text(const cfg::Operand& op, std::string* out) {
  switch (op.kind) {
    case cfg::Operand::Kind::kString:
    case cfg::Operand::Kind::kWord:
    case cfg::Operand::Kind::kNetwork:
      *out = op.text;
      return true;
    case cfg::Operand::Kind::kNumber:
      *out = op.text.empty() ? std::to_string(op.number) : op.text;
      return true;
    case cfg::Operand::Kind::kMyself:
    case cfg::Operand::Kind::kField:
      return false;
  }
  return false;
}

bool operand_number(const cfg::Operand& op, int64_t* out) {
  if (op.kind != cfg::Operand::Kind::kNumber && op.kind != cfg::Operand::Kind::kString &&
      op.kind != cfg::Operand::Kind::kWord)
    return false;
  const std::string& t = op.text;
  if (t.empty()) {
    // A hand-built or parser-made number may carry only its value.
    if (op.kind != cfg::Operand::Kind::kNumber) return false;
    *out = op.number;
    return true;
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size()) return false;
  *out = value;
  return true;
}

void ScriptCompiler::error(const cfg::SourceLoc& loc, std::string message) {
  diags_.error(loc, std::move(message));
  failed_ = true;
}

bool ScriptCompiler::compile(const cfg::RouteScript& script) {
  // Number every block first so that route(NAME) resolves whatever the order of definition.
  if (script.main) prog_.main_route = add_route("");
  for (const auto& [name, block] : script.named) named_routes_[name] = add_route(name);
  if (script.onreply) prog_.onreply_route = add_route("onreply");

  if (script.main) compile_route(prog_.main_route, *script.main);
  for (const auto& [name, block] : script.named) compile_route(named_routes_[name], block);
  if (script.onreply) compile_route(prog_.onreply_route, *script.onreply);
  return !failed_;
}

uint32_t ScriptCompiler::add_route(const std::string& name) {
  prog_.routes.push_back(kNoIndex);
  prog_.route_names.push_back(name);
  return static_cast<uint32_t>(prog_.routes.size() - 1);
}

void ScriptCompiler::compile_route(uint32_t route, const cfg::RouteBlock& block) {
  prog_.routes[route] = compile_block(block.body);
}

uint32_t ScriptCompiler::add_stmt(StmtNode node) {
  prog_.stmts.push_back(node);
  return static_cast<uint32_t>(prog_.stmts.size() - 1);
}

uint32_t ScriptCompiler::compile_block(const std::vector<cfg::Stmt>& body) {
  // Children are compiled first (they may add nested blocks' children), then stored contiguously.
  std::vector<uint32_t> kids;
  kids.reserve(body.size());
  for (const cfg::Stmt& s : body) {
    uint32_t k = compile_stmt(s);
    if (k != kNoIndex) kids.push_back(k);
  }
  StmtNode node;
  node.op = StmtOp::kBlock;
  node.a = static_cast<uint32_t>(prog_.children.size());
  node.b = static_cast<uint32_t>(kids.size());
  prog_.children.insert(prog_.children.end(), kids.begin(), kids.end());
  return add_stmt(node);
}

uint32_t ScriptCompiler::compile_stmt(const cfg::Stmt& stmt) {
  StmtNode node;
  switch (stmt.kind) {
    case cfg::Stmt::Kind::kBlock:
      return compile_block(stmt.body);
    case cfg::Stmt::Kind::kBreak:
      node.op = StmtOp::kBreak;
      return add_stmt(node);
    case cfg::Stmt::Kind::kDrop:
      node.op = StmtOp::kDrop;
      return add_stmt(node);
    case cfg::Stmt::Kind::kExit:
      node.op = StmtOp::kExit;
      return add_stmt(node);
    case cfg::Stmt::Kind::kCall:
      node.op = StmtOp::kAction;
      node.a = compile_call(stmt.call);
      return node.a == kNoIndex ? kNoIndex : add_stmt(node);
    case cfg::Stmt::Kind::kIf:
      break;
  }
  if (!stmt.cond || !stmt.then_branch) {
    error(stmt.loc, "internal: malformed if statement (missing condition or branch)");
    return kNoIndex;
  }
  node.op = StmtOp::kIf;
  node.a = compile_cond(*stmt.cond);
  node.b = compile_stmt(*stmt.then_branch);
  node.c = stmt.else_branch ? compile_stmt(*stmt.else_branch) : kNoIndex;
  if (node.a == kNoIndex || node.b == kNoIndex) return kNoIndex;
  if (stmt.else_branch && node.c == kNoIndex) return kNoIndex;
  return add_stmt(node);
}

std::unique_ptr<CompiledScript> CompiledScript::compile(
    const cfg::RouteScript& script, cfg::Diagnostics& diags,
    const std::vector<std::string>& client_domain_ids) {
  // The checks first: a script they refuse is reported with their messages (the ones with
  // "did you mean"), and the compiler below only meets scripts that passed them.
  size_t errors_before = diags.error_count();
  check_script(script, diags);
  if (diags.error_count() > errors_before) return nullptr;
  Program program;
  ScriptCompiler compiler(&program, &diags, &client_domain_ids);
  if (!compiler.compile(script)) return nullptr;
  return std::make_unique<CompiledScript>(std::move(program));
}

}  // namespace core::script
