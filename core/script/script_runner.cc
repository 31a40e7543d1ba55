// Running a compiled script for one message: a walk over index-linked nodes, no allocation
// (log() reuses a thread_local buffer).
#include <string>

#include "core/script/compiled_script.h"

namespace core::script {
namespace {

enum class Flow : uint8_t { kNext, kBreak, kDrop, kExit, kAbort };

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// SER compares strings with `==` case-insensitively (route.c comp_str uses strncasecmp).
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

std::string_view string_field(const ScriptContext& ctx, cfg::Field f) {
  switch (f) {
    case cfg::Field::kMethod:
      return ctx.method();
    case cfg::Field::kUri:
      return ctx.request_uri();
    case cfg::Field::kUriHost:
      return ctx.uri_host();
    default:
      break;
  }
  if (std::optional<TlsFact> fact = tls_fact_of(f)) return ctx.tls_fact(*fact);
  return {};
}

int64_t number_field(const ScriptContext& ctx, cfg::Field f) {
  switch (f) {
    case cfg::Field::kUriPort:
      return ctx.uri_port();
    case cfg::Field::kSrcPort:
      return ctx.src_port();
    case cfg::Field::kDstPort:
      return ctx.dst_port();
    case cfg::Field::kMsgLen:
      return static_cast<int64_t>(ctx.msg_len());
    default:
      return 0;
  }
}

IpAddr ip_field(const ScriptContext& ctx, cfg::Field f) {
  return f == cfg::Field::kDstIp ? ctx.dst_ip() : ctx.src_ip();
}

bool compare_numbers(int64_t left, cfg::CmpOp op, int64_t right) {
  switch (op) {
    case cfg::CmpOp::kEq:
      return left == right;
    case cfg::CmpOp::kNe:
      return left != right;
    case cfg::CmpOp::kGt:
      return left > right;
    case cfg::CmpOp::kLt:
      return left < right;
    case cfg::CmpOp::kGe:
      return left >= right;
    case cfg::CmpOp::kLe:
      return left <= right;
    case cfg::CmpOp::kMatch:
      return false;
  }
  return false;
}

class Runner {
 public:
  Runner(const Program& program, ScriptContext& ctx) : prog_(program), ctx_(ctx) {}

  RunResult run(uint32_t route) {
    Flow flow = run_route(route);
    if (flow == Flow::kDrop || flow == Flow::kAbort) result_.outcome = Outcome::kDropped;
    if (flow == Flow::kExit) result_.outcome = Outcome::kExited;
    return result_;
  }

 private:
  Flow run_route(uint32_t route);
  Flow exec_stmt(uint32_t index);
  Status exec_action(uint32_t index, Flow* flow);
  bool eval(uint32_t index);
  bool eval_compare(const CondNode& c);
  bool is_myself(const CondNode& c);
  void write_log(const ActionNode& a);

  const Program& prog_;
  ScriptContext& ctx_;
  RunResult result_;
  int depth_ = 0;
  // Set when a route() used as a condition ended the script (drop/exit); checked after eval().
  Flow stop_ = Flow::kNext;
};

Flow Runner::run_route(uint32_t route) {
  if (depth_ >= CompiledScript::kMaxRouteDepth) {
    ctx_.log(0, "script: route() nested too deep (route[" + prog_.route_names[route] +
                    "]); message dropped");
    result_.aborted = true;
    return Flow::kAbort;
  }
  ++depth_;
  Flow flow = exec_stmt(prog_.routes[route]);
  --depth_;
  return flow == Flow::kBreak ? Flow::kNext : flow;
}

Flow Runner::exec_stmt(uint32_t index) {
  const StmtNode& s = prog_.stmts[index];
  switch (s.op) {
    case StmtOp::kBlock:
      for (uint32_t i = 0; i < s.b; ++i) {
        Flow flow = exec_stmt(prog_.children[s.a + i]);
        if (flow != Flow::kNext) return flow;
      }
      return Flow::kNext;
    case StmtOp::kIf: {
      bool taken = eval(s.a);
      if (stop_ != Flow::kNext) return stop_;
      if (taken) return exec_stmt(s.b);
      return s.c == kNoIndex ? Flow::kNext : exec_stmt(s.c);
    }
    case StmtOp::kAction: {
      Flow flow = Flow::kNext;
      exec_action(s.a, &flow);
      return flow;
    }
    case StmtOp::kBreak:
      return Flow::kBreak;
    case StmtOp::kDrop:
      return Flow::kDrop;
    case StmtOp::kExit:
      return Flow::kExit;
  }
  return Flow::kNext;
}

Status Runner::exec_action(uint32_t index, Flow* flow) {
  const ActionNode& a = prog_.actions[index];
  Status st = Status::kOk;
  switch (a.op) {
    case ActionOp::kForward: {
      std::string_view host = a.host_from_uri ? ctx_.uri_host() : std::string_view(a.text);
      uint16_t port = a.port_from_uri ? ctx_.uri_port() : a.port;
      st = ctx_.forward(a.proto, host, port);
      if (st == Status::kOk) result_.forwarded = true;
      return st;
    }
    case ActionOp::kSlSendReply:
      st = ctx_.sl_send_reply(a.number, a.text);
      if (st == Status::kOk) result_.replied = true;
      return st;
    case ActionOp::kMaxFwd:
      return ctx_.mf_process_maxfwd_header(a.number);
    case ActionOp::kRecordRoute:
      return ctx_.record_route();
    case ActionOp::kRewriteHost:
      return ctx_.rewrite_host(a.text);
    case ActionOp::kRewriteHostPort:
      return ctx_.rewrite_host_port(a.text);
    case ActionOp::kRewriteUri:
      return ctx_.rewrite_uri(a.text);
    case ActionOp::kAppendHf:
      return ctx_.append_hf(a.text);
    case ActionOp::kRemoveHf:
      return ctx_.remove_hf(a.text);
    case ActionOp::kLog:
      write_log(a);
      return Status::kOk;
    case ActionOp::kIsPeerVerified:
      return ctx_.is_peer_verified() ? Status::kOk : Status::kFalse;
    case ActionOp::kAddPath:
    case ActionOp::kAddPathReceived:
      return ctx_.add_path(a.op == ActionOp::kAddPathReceived);
    case ActionOp::kRoute:
      *flow = run_route(a.route);
      return *flow == Flow::kAbort ? Status::kError : Status::kOk;
    case ActionOp::kTlsClientDomain:
      return ctx_.set_tls_client_domain(a.field ? string_field(ctx_, *a.field)
                                                : std::string_view(a.text));
  }
  return Status::kError;
}

void Runner::write_log(const ActionNode& a) {
  // Reused per thread: after the first lines it has the capacity it needs.
  thread_local std::string line;
  line.clear();
  for (const LogPiece& p : a.pieces) {
    if (p.is_fact)
      line.append(ctx_.tls_fact(p.fact));
    else
      line.append(p.text);
  }
  ctx_.log(a.number, line);
}

bool Runner::eval(uint32_t index) {
  const CondNode& c = prog_.conds[index];
  switch (c.op) {
    case CondOp::kAnd:
      return eval(c.a) && stop_ == Flow::kNext && eval(c.b);
    case CondOp::kOr:
      if (eval(c.a)) return true;
      return stop_ == Flow::kNext && eval(c.b);
    case CondOp::kNot:
      return !eval(c.a);
    case CondOp::kCall: {
      Flow flow = Flow::kNext;
      Status st = exec_action(c.a, &flow);
      if (flow != Flow::kNext) stop_ = flow;
      return st == Status::kOk;
    }
    default:
      return eval_compare(c) != c.negate;
  }
}

bool Runner::is_myself(const CondNode& c) {
  switch (c.field) {
    case cfg::Field::kUri:
      return ctx_.is_myself(ctx_.uri_host(), ctx_.uri_port());
    case cfg::Field::kUriHost:
      return ctx_.is_myself(ctx_.uri_host(), 0);
    default: {
      char buf[kIpTextMax];
      return ctx_.is_myself(format_ip(ip_field(ctx_, c.field), buf, sizeof buf), 0);
    }
  }
}

bool Runner::eval_compare(const CondNode& c) {
  switch (c.op) {
    case CondOp::kStrEq:
      return iequals(string_field(ctx_, c.field), c.text);
    case CondOp::kStrEqField:
      return iequals(string_field(ctx_, c.field), string_field(ctx_, c.rfield));
    case CondOp::kStrMatch:
      return prog_.regexes[c.a]->matches(string_field(ctx_, c.field));
    case CondOp::kMyself:
      return is_myself(c);
    case CondOp::kIpInNet:
      return c.net.contains(ip_field(ctx_, c.field));
    case CondOp::kIpEqField:
      return same_ip(ip_field(ctx_, c.field), ip_field(ctx_, c.rfield));
    case CondOp::kIpMatch: {
      char buf[kIpTextMax];
      return prog_.regexes[c.a]->matches(format_ip(ip_field(ctx_, c.field), buf, sizeof buf));
    }
    case CondOp::kNumCmp:
      return compare_numbers(number_field(ctx_, c.field), c.cmp, c.number);
    case CondOp::kNumCmpField:
      return compare_numbers(number_field(ctx_, c.field), c.cmp, number_field(ctx_, c.rfield));
    case CondOp::kProtoEq:
      return ctx_.proto() == c.proto;
    case CondOp::kAfEq:
      return ctx_.af() == c.af;
    default:
      return false;
  }
}

}  // namespace

RunResult CompiledScript::run_route(uint32_t route, ScriptContext& ctx) const {
  if (route == kNoIndex) return RunResult{};
  Runner runner(program_, ctx);
  return runner.run(route);
}

RunResult CompiledScript::run_request(ScriptContext& ctx) const {
  return run_route(program_.main_route, ctx);
}

RunResult CompiledScript::run_onreply(ScriptContext& ctx) const {
  return run_route(program_.onreply_route, ctx);
}

}  // namespace core::script
