#pragma once
// The semantic checks of a parsed route script, run by CompiledScript::compile before it
// compiles anything (cfg/ parses the syntax only): unknown functions (with "did you mean"),
// wrong argument count or type, unknown route names (with "did you mean"), route recursion,
// regular expressions and networks that do not compile, functions not provided (t_relay),
// functions not allowed in onreply_route. Everything that can be known before a message
// arrives is reported here, each with its file:line:col, so that `ser -c`, start-up and reload
// refuse the same scripts with the same messages.
#include "cfg/diagnostics.h"
#include "cfg/route_ast.h"

namespace core::script {

// Reports every problem of `script` to diags (all of them, not just the first).
void check_script(const cfg::RouteScript& script, cfg::Diagnostics& diags);

}  // namespace core::script
