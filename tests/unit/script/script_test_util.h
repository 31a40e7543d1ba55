#pragma once
// Test helpers for core/script: a ScriptContext that records what the script did, and
// builders for hand-made ASTs (cfg/route_ast.h).
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "cfg/diagnostics.h"
#include "cfg/route_ast.h"
#include "core/script/compiled_script.h"
#include "core/script/script_context.h"

namespace core::script::testing {

class FakeContext : public ScriptContext {
 public:
  // Facts, set by the test.
  std::string method_ = "INVITE";
  std::string uri_ = "sip:bob@example.org";
  std::string uri_host_ = "example.org";
  uint16_t uri_port_ = 0;
  IpAddr src_ = IpAddr::v4(192, 0, 2, 10);
  uint16_t src_port_ = 5060;
  IpAddr dst_ = IpAddr::v4(198, 51, 100, 1);
  uint16_t dst_port_ = 5060;
  Transport proto_ = Transport::kUdp;
  Af af_ = Af::kInet;
  size_t msg_len_ = 500;
  std::vector<std::string> myself_ = {"proxy.example.net", "198.51.100.1"};
  std::map<TlsFact, std::string> tls_;
  bool peer_verified_ = false;
  // Statuses the actions return.
  Status forward_status_ = Status::kOk;
  Status reply_status_ = Status::kOk;
  Status maxfwd_status_ = Status::kOk;
  Status rr_status_ = Status::kOk;
  Status hf_status_ = Status::kOk;

  // What the script did, in order: "forward(any,,0)", "reply(404,Not Found)", "log(2,text)" ...
  std::vector<std::string> calls;
  std::vector<std::pair<std::string, uint16_t>> myself_queries;

  std::string_view method() const override { return method_; }
  std::string_view request_uri() const override { return uri_; }
  std::string_view uri_host() const override { return uri_host_; }
  uint16_t uri_port() const override { return uri_port_; }
  IpAddr src_ip() const override { return src_; }
  uint16_t src_port() const override { return src_port_; }
  IpAddr dst_ip() const override { return dst_; }
  uint16_t dst_port() const override { return dst_port_; }
  Transport proto() const override { return proto_; }
  Af af() const override { return af_; }
  size_t msg_len() const override { return msg_len_; }
  bool is_myself(std::string_view host, uint16_t port) const override {
    const_cast<FakeContext*>(this)->myself_queries.emplace_back(std::string(host), port);
    for (const auto& m : myself_)
      if (m == host) return true;
    return false;
  }
  std::string_view tls_fact(TlsFact f) const override {
    auto it = tls_.find(f);
    return it == tls_.end() ? std::string_view() : std::string_view(it->second);
  }
  bool is_peer_verified() const override { return peer_verified_; }

  Status forward(std::optional<Transport> p, std::string_view host, uint16_t port) override {
    calls.push_back(std::string("forward(") + (p ? p->name() : "any") + "," + std::string(host) +
                    "," + std::to_string(port) + ")");
    return forward_status_;
  }
  Status sl_send_reply(int code, std::string_view reason) override {
    calls.push_back("reply(" + std::to_string(code) + "," + std::string(reason) + ")");
    return reply_status_;
  }
  Status mf_process_maxfwd_header(int limit) override {
    calls.push_back("maxfwd(" + std::to_string(limit) + ")");
    return maxfwd_status_;
  }
  Status record_route() override {
    calls.push_back("record_route()");
    return rr_status_;
  }
  Status rewrite_host(std::string_view h) override { return rec("rewritehost", h); }
  Status rewrite_host_port(std::string_view hp) override { return rec("rewritehostport", hp); }
  Status rewrite_uri(std::string_view u) override { return rec("rewriteuri", u); }
  Status append_hf(std::string_view t) override { return rec("append_hf", t, hf_status_); }
  Status remove_hf(std::string_view n) override { return rec("remove_hf", n, hf_status_); }
  void log(int level, std::string_view text) override {
    calls.push_back("log(" + std::to_string(level) + "," + std::string(text) + ")");
  }

 private:
  Status set_tls_client_domain(std::string_view id) override {
    return rec("tls_client_domain", id);
  }
  Status rec(const char* name, std::string_view arg, Status st = Status::kOk) {
    calls.push_back(std::string(name) + "(" + std::string(arg) + ")");
    return st;
  }
};

// ---- AST builders ----
using ExprPtr = std::unique_ptr<cfg::Expr>;

inline cfg::Operand str(std::string s) {
  cfg::Operand o;
  o.kind = cfg::Operand::Kind::kString;
  o.text = std::move(s);
  return o;
}
inline cfg::Operand num(int64_t n) {
  cfg::Operand o;
  o.kind = cfg::Operand::Kind::kNumber;
  o.number = n;
  o.text = std::to_string(n);
  return o;
}
inline cfg::Operand word(std::string s) {
  cfg::Operand o = str(std::move(s));
  o.kind = cfg::Operand::Kind::kWord;
  return o;
}
inline cfg::Operand net(std::string s) {
  cfg::Operand o = str(std::move(s));
  o.kind = cfg::Operand::Kind::kNetwork;
  return o;
}
inline cfg::Operand myself() {
  cfg::Operand o;
  o.kind = cfg::Operand::Kind::kMyself;
  o.text = "myself";
  return o;
}
inline cfg::Operand field(cfg::Field f) {
  cfg::Operand o;
  o.kind = cfg::Operand::Kind::kField;
  o.field = f;
  return o;
}
inline cfg::SourceLoc at(int line, int col = 1) {
  return {"t.cfg", line, col};
}

inline ExprPtr cmp(cfg::Field f, cfg::CmpOp op, cfg::Operand v) {
  auto e = std::make_unique<cfg::Expr>();
  e->kind = cfg::Expr::Kind::kCompare;
  e->field = f;
  e->op = op;
  e->value = std::move(v);
  return e;
}
inline cfg::Call make_call(std::string name, std::vector<cfg::Operand> args = {}) {
  cfg::Call c;
  c.name = std::move(name);
  c.args = std::move(args);
  return c;
}
inline ExprPtr call_expr(std::string name, std::vector<cfg::Operand> args = {}) {
  auto e = std::make_unique<cfg::Expr>();
  e->kind = cfg::Expr::Kind::kCall;
  e->call = make_call(std::move(name), std::move(args));
  return e;
}
inline ExprPtr binary(cfg::Expr::Kind k, ExprPtr l, ExprPtr r) {
  auto e = std::make_unique<cfg::Expr>();
  e->kind = k;
  e->left = std::move(l);
  e->right = std::move(r);
  return e;
}
inline ExprPtr and_(ExprPtr l, ExprPtr r) {
  return binary(cfg::Expr::Kind::kAnd, std::move(l), std::move(r));
}
inline ExprPtr or_(ExprPtr l, ExprPtr r) {
  return binary(cfg::Expr::Kind::kOr, std::move(l), std::move(r));
}
inline ExprPtr not_(ExprPtr x) {
  return binary(cfg::Expr::Kind::kNot, std::move(x), nullptr);
}

inline cfg::Stmt call(std::string name, std::vector<cfg::Operand> args = {}) {
  cfg::Stmt s;
  s.kind = cfg::Stmt::Kind::kCall;
  s.call = make_call(std::move(name), std::move(args));
  return s;
}
inline cfg::Stmt simple(cfg::Stmt::Kind k) {
  cfg::Stmt s;
  s.kind = k;
  return s;
}
inline cfg::Stmt brk() {
  return simple(cfg::Stmt::Kind::kBreak);
}
inline cfg::Stmt drop() {
  return simple(cfg::Stmt::Kind::kDrop);
}
inline cfg::Stmt exit_() {
  return simple(cfg::Stmt::Kind::kExit);
}

template <class... S>
std::vector<cfg::Stmt> stmts(S&&... s) {
  std::vector<cfg::Stmt> v;
  (v.push_back(std::forward<S>(s)), ...);
  return v;
}
template <class... S>
cfg::Stmt block(S&&... s) {
  cfg::Stmt b = simple(cfg::Stmt::Kind::kBlock);
  b.body = stmts(std::forward<S>(s)...);
  return b;
}
inline cfg::Stmt if_(ExprPtr cond, cfg::Stmt then_branch) {
  cfg::Stmt s = simple(cfg::Stmt::Kind::kIf);
  s.cond = std::move(cond);
  s.then_branch = std::make_unique<cfg::Stmt>(std::move(then_branch));
  return s;
}
inline cfg::Stmt if_else(ExprPtr cond, cfg::Stmt then_branch, cfg::Stmt else_branch) {
  cfg::Stmt s = if_(std::move(cond), std::move(then_branch));
  s.else_branch = std::make_unique<cfg::Stmt>(std::move(else_branch));
  return s;
}

inline cfg::RouteBlock route_block(std::vector<cfg::Stmt> body, std::string name = "") {
  cfg::RouteBlock b;
  b.name = std::move(name);
  b.body = std::move(body);
  return b;
}
inline cfg::RouteScript main_only(std::vector<cfg::Stmt> body) {
  cfg::RouteScript s;
  s.main = route_block(std::move(body));
  return s;
}

// Compiles and fails the test (returns nullptr) when there are diagnostics errors.
inline std::unique_ptr<CompiledScript> compile_ok(const cfg::RouteScript& script) {
  cfg::Diagnostics diags;
  auto compiled = CompiledScript::compile(script, diags);
  if (!compiled) ADD_FAILURE() << "compile failed: " << diags.first_error();
  return compiled;
}
// Compiles a script expected to fail; returns the first error.
inline std::string compile_error(const cfg::RouteScript& script) {
  cfg::Diagnostics diags;
  auto compiled = CompiledScript::compile(script, diags);
  EXPECT_EQ(compiled, nullptr);
  return diags.first_error();
}

// `route { if (cond) log(2, "yes"); else log(2, "no"); }` run once: true when "yes" was logged.
inline bool holds(ExprPtr cond, FakeContext& ctx) {
  auto compiled = compile_ok(main_only(stmts(if_else(
      std::move(cond), call("log", {num(2), str("yes")}), call("log", {num(2), str("no")})))));
  if (!compiled) return false;
  ctx.calls.clear();
  compiled->run_request(ctx);
  return !ctx.calls.empty() && ctx.calls.back() == "log(2,yes)";
}

}  // namespace core::script::testing
