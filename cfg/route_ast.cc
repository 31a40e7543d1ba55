#include "cfg/route_ast.h"

namespace cfg {

const char* cmp_op_name(CmpOp op) {
  switch (op) {
    case CmpOp::kEq:
      return "==";
    case CmpOp::kNe:
      return "!=";
    case CmpOp::kMatch:
      return "=~";
    case CmpOp::kGt:
      return ">";
    case CmpOp::kLt:
      return "<";
    case CmpOp::kGe:
      return ">=";
    case CmpOp::kLe:
      return "<=";
  }
  return "?";
}

}  // namespace cfg
