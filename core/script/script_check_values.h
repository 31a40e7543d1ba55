#pragma once
// Checks of the values a script writes: function arguments against their parameter types,
// and the right side of comparisons against their field (part of check_script,
// core/script/script_checker.h).
#include <string>
#include <string_view>

#include "cfg/diagnostics.h"
#include "cfg/route_ast.h"
#include "cfg/script_functions.h"

namespace core::script {

// Argument `index` of `call`, whose parameter is `param`.
void check_argument(const cfg::Call& call, const cfg::ArgSpec& param, size_t index,
                    cfg::Diagnostics& diags);
// A kCompare expression: operator allowed for the field, value fits the field, regex compiles.
void check_comparison(const cfg::Expr& compare, cfg::Diagnostics& diags);

// How an operand reads in messages: `string "a\r\n"`, `483`, `'INET7'`, `'uri:host'`.
std::string describe(const cfg::Operand& op);

}  // namespace core::script
