#include "core/script/script_checker.h"
#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "cfg/did_you_mean.h"
#include "cfg/script_functions.h"
#include "core/script/script_check_values.h"

namespace core::script {

using namespace cfg;  // NOLINT: the checker speaks the AST's vocabulary throughout

namespace {

class ScriptChecker {
 public:
  ScriptChecker(const RouteScript& script, Diagnostics& diags) : script_(script), diags_(diags) {
    for (const auto& [name, block] : script_.named) route_names_.push_back(name);
  }

  void run();

 private:
  void check_body(const std::vector<Stmt>& body, bool onreply);
  void check_stmt(const Stmt& stmt, bool onreply);
  void check_expr(const Expr& expr, bool onreply);
  void check_call(const Call& call, bool onreply, bool as_condition);
  bool check_arity(const Call& call, const FunctionSpec& f);
  void check_route_target(const Call& call);
  void check_recursion();
  void visit(const std::string& name);

  const RouteScript& script_;
  Diagnostics& diags_;
  std::vector<std::string_view> route_names_;
  // Recursion search (depth-first; a call to a block still on the stack closes a cycle).
  std::map<std::string, int> state_;  // absent: not seen, 1: on the stack, 2: done
  std::vector<std::string> stack_;
};

void collect_route_calls(const std::vector<Stmt>& body, std::vector<const Call*>* out);

void collect_route_calls(const Stmt& s, std::vector<const Call*>* out) {
  switch (s.kind) {
    case Stmt::Kind::kCall:
      if (s.call.name == "route" && s.call.args.size() == 1) out->push_back(&s.call);
      break;
    case Stmt::Kind::kBlock:
      collect_route_calls(s.body, out);
      break;
    case Stmt::Kind::kIf:
      if (s.then_branch) collect_route_calls(*s.then_branch, out);
      if (s.else_branch) collect_route_calls(*s.else_branch, out);
      break;
    default:
      break;
  }
}

void collect_route_calls(const std::vector<Stmt>& body, std::vector<const Call*>* out) {
  for (const auto& s : body) collect_route_calls(s, out);
}

void ScriptChecker::run() {
  // Blocks in the order they were written, so that messages come out in file order.
  struct Item {
    const RouteBlock* block;
    bool onreply;
  };
  std::vector<Item> items;
  if (script_.main) items.push_back({&*script_.main, false});
  for (const auto& [name, block] : script_.named) items.push_back({&block, false});
  if (script_.onreply) items.push_back({&*script_.onreply, true});
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    const SourceLoc &x = a.block->loc, &y = b.block->loc;
    return std::tie(x.file, x.line, x.col) < std::tie(y.file, y.line, y.col);
  });
  for (const auto& item : items) check_body(item.block->body, item.onreply);
  check_recursion();
}

void ScriptChecker::check_body(const std::vector<Stmt>& body, bool onreply) {
  for (const auto& s : body) check_stmt(s, onreply);
}

void ScriptChecker::check_stmt(const Stmt& s, bool onreply) {
  switch (s.kind) {
    case Stmt::Kind::kIf:
      if (s.cond) check_expr(*s.cond, onreply);
      if (s.then_branch) check_stmt(*s.then_branch, onreply);
      if (s.else_branch) check_stmt(*s.else_branch, onreply);
      break;
    case Stmt::Kind::kBlock:
      check_body(s.body, onreply);
      break;
    case Stmt::Kind::kCall:
      check_call(s.call, onreply, false);
      break;
    case Stmt::Kind::kBreak:
    case Stmt::Kind::kDrop:
    case Stmt::Kind::kExit:
      break;
  }
}

void ScriptChecker::check_expr(const Expr& e, bool onreply) {
  switch (e.kind) {
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr:
      if (e.left) check_expr(*e.left, onreply);
      if (e.right) check_expr(*e.right, onreply);
      break;
    case Expr::Kind::kNot:
      if (e.left) check_expr(*e.left, onreply);
      break;
    case Expr::Kind::kCompare:
      check_comparison(e, diags_);
      break;
    case Expr::Kind::kCall:
      check_call(e.call, onreply, true);
      break;
  }
}

void ScriptChecker::check_call(const Call& call, bool onreply, bool as_condition) {
  if (std::string why = not_provided_reason(call.name); !why.empty()) {
    diags_.error(call.loc, why);
    return;
  }
  const FunctionSpec* f = find_function(call.name);
  if (!f) {
    std::vector<std::string_view> names;
    for (const auto& spec : builtin_functions()) names.push_back(spec.name);
    diags_.error(call.loc, "unknown function '" + call.name + "'" + did_you_mean(call.name, names));
    return;
  }
  if (!check_arity(call, *f)) return;
  for (size_t i = 0; i < call.args.size(); ++i)
    check_argument(call, *param_at(*f, call.args.size(), i), i, diags_);
  if (call.name == "route") check_route_target(call);
  if (onreply && !f->in_onreply)
    diags_.error(call.loc,
                 call.name + "() is not allowed in onreply_route (it works on requests only)");
  if (as_condition && !f->is_condition)
    diags_.error(call.loc, call.name + "() returns no value and cannot be used as a condition");
}

bool ScriptChecker::check_arity(const Call& call, const FunctionSpec& f) {
  int n = static_cast<int>(call.args.size());
  if (n >= f.min_args && n <= f.max_args) return true;
  std::string takes;
  if (f.max_args == 0) {
    takes = "takes no arguments";
  } else if (f.min_args == f.max_args) {
    takes = "takes " + std::to_string(f.max_args) +
            (f.max_args == 1 ? " argument " : " arguments ") + signature(f);
  } else {
    takes = "takes " + std::to_string(f.min_args) +
            (f.max_args - f.min_args == 1 ? " or " : " to ") + std::to_string(f.max_args) +
            " arguments " + signature(f);
  }
  diags_.error(call.loc, call.name + "() " + takes + ", found " + std::to_string(n));
  return false;
}

void ScriptChecker::check_route_target(const Call& call) {
  const Operand& arg = call.args[0];
  bool named = arg.kind == Operand::Kind::kWord || arg.kind == Operand::Kind::kString ||
               arg.kind == Operand::Kind::kNumber;
  if (!named || arg.text.empty()) return;  // check_argument reported it
  if (script_.named.count(arg.text)) return;
  diags_.error(arg.loc, "unknown route '" + arg.text + "'" + did_you_mean(arg.text, route_names_));
}

void ScriptChecker::check_recursion() {
  for (const auto& [name, block] : script_.named)
    if (!state_.count(name)) visit(name);
}

void ScriptChecker::visit(const std::string& name) {
  state_[name] = 1;
  stack_.push_back(name);
  std::vector<const Call*> calls;
  collect_route_calls(script_.named.at(name).body, &calls);
  for (const Call* call : calls) {
    const std::string& target = call->args[0].text;
    if (!script_.named.count(target)) continue;
    auto it = state_.find(target);
    if (it == state_.end()) {
      visit(target);
    } else if (it->second == 1) {
      std::string path;
      auto from = std::find(stack_.begin(), stack_.end(), target);
      for (; from != stack_.end(); ++from) path += *from + " -> ";
      diags_.error(call->loc, "route recursion: " + path + target +
                                  " (route blocks may not call each other in a cycle)");
    }
  }
  stack_.pop_back();
  state_[name] = 2;
}

}  // namespace

void check_script(const RouteScript& script, Diagnostics& diags) {
  ScriptChecker(script, diags).run();
}

}  // namespace core::script
