#pragma once
// The routing script compiled once at load (CompiledScript::compile) and run per message.
// Running is const and allocation-free, so one CompiledScript is shared by all workers.
//
// Semantics (SER's): `break` ends the current route block and returns to its caller, `exit`
// stops the whole script, `drop` stops it and marks the message dropped. Reaching the end of the
// main route without forward() sends nothing: the proxy decides what to do (RunResult tells it
// whether the script replied or forwarded).
#include <memory>
#include <string>
#include <vector>

#include "cfg/diagnostics.h"
#include "cfg/route_ast.h"
#include "core/script/script_context.h"
#include "core/script/script_program.h"

namespace core::script {

enum class Outcome : uint8_t {
  kContinue,  // the route ran to its end or to a `break`
  kDropped,   // `drop` (or the message was discarded because the script went wrong)
  kExited,    // `exit`
};

struct RunResult {
  Outcome outcome = Outcome::kContinue;
  bool replied = false;    // an sl_send_reply() succeeded
  bool forwarded = false;  // a forward*() succeeded
  bool aborted = false;    // route() nesting exceeded kMaxRouteDepth: the message was dropped
};

class CompiledScript {
 public:
  // route(NAME) nesting limit. check_script forbids cycles; this guards against the impossible
  // rather than overflowing the stack of a worker.
  static constexpr int kMaxRouteDepth = 32;
  // log("text") without a level logs at 4 (debug), as SER did (cfg.y: LOG_T with level 4).
  static constexpr int kDefaultLogLevel = 4;

  // Checks (script_checker.h) and compiles every block of script: the one place a route
  // script is judged. Problems are reported to diags with the node's location; returns
  // nullptr when any error was reported.
  // client_domain_ids: the configuration's client domain ids: tls_client_domain("ID") with
  // another literal id is an error here (so at `ser -c`).
  static std::unique_ptr<CompiledScript> compile(
      const cfg::RouteScript& script, cfg::Diagnostics& diags,
      const std::vector<std::string>& client_domain_ids = {});

  // Runs `route { ... }` for a request. Without a main route nothing happens (kContinue).
  RunResult run_request(ScriptContext& ctx) const;
  // Runs `onreply_route { ... }` for a reply about to be forwarded; kDropped means do not.
  RunResult run_onreply(ScriptContext& ctx) const;

  bool has_main_route() const { return program_.main_route != kNoIndex; }
  bool has_onreply_route() const { return program_.onreply_route != kNoIndex; }

  explicit CompiledScript(Program program) : program_(std::move(program)) {}

 private:
  RunResult run_route(uint32_t route, ScriptContext& ctx) const;

  Program program_;
};

}  // namespace core::script
