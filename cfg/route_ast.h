#pragma once
// AST of the routing script (`route`, `route[NAME]`, `onreply_route`). Built by the parser,
// checked once (cfg/script_check), then compiled by core/script into something cheap to run.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cfg/source_loc.h"

namespace cfg {

// Message facts a condition or an argument can name.
enum class Field {
  kMethod,
  kUri,
  kUriHost,  // uri:host
  kUriPort,  // uri:port
  kSrcIp,
  kSrcPort,
  kDstIp,
  kDstPort,
  kProto,
  kAf,
  kMsgLen,  // msg:len
  kTlsVersion,
  kTlsCipher,
  kTlsPeerSubjectCn,
  kTlsPeerSanDns,
  kTlsSni,
  kTlsDomain,
};
// Spelling in ser.cfg: "uri:host", "$tls_sni", ... (the one name table: script_functions.cc).
const char* field_name(Field f);

enum class CmpOp { kEq, kNe, kMatch, kGt, kLt, kGe, kLe };
const char* cmp_op_name(CmpOp op);  // "==", "=~", ...

// A literal or field used as a comparison's right side or as a function argument.
struct Operand {
  enum class Kind {
    kString,   // "text" (text)
    kNumber,   // 42 (number; text holds the spelling)
    kMyself,   // myself
    kNetwork,  // 10.0.0.0/8, 127.0.0.1, [::1], [2001:db8::]/32 (text as written, no brackets)
    kWord,     // a bare word: UDP, TCP, TLS, INET, INET6 (text, as written)
    kField,    // uri:host, $tls_sni ... (field)
  };
  Kind kind = Kind::kString;
  std::string text;
  int64_t number = 0;
  Field field = Field::kMethod;
  SourceLoc loc;
};

struct Call {
  std::string name;
  std::vector<Operand> args;
  SourceLoc loc;
};

struct Expr {
  enum class Kind { kAnd, kOr, kNot, kCompare, kCall };
  Kind kind = Kind::kCall;
  std::unique_ptr<Expr> left;    // kAnd, kOr, kNot (operand)
  std::unique_ptr<Expr> right;   // kAnd, kOr
  Field field = Field::kMethod;  // kCompare: left side
  CmpOp op = CmpOp::kEq;         // kCompare
  Operand value;                 // kCompare: right side
  Call call;                     // kCall
  SourceLoc loc;
};

struct Stmt {
  enum class Kind { kIf, kBlock, kCall, kBreak, kDrop, kExit };
  Kind kind = Kind::kCall;
  std::unique_ptr<Expr> cond;         // kIf
  std::unique_ptr<Stmt> then_branch;  // kIf
  std::unique_ptr<Stmt> else_branch;  // kIf, may be null
  std::vector<Stmt> body;             // kBlock
  Call call;                          // kCall (actions, route(NAME), ...)
  SourceLoc loc;
};

struct RouteBlock {
  std::string name;  // "" for the main `route` and for `onreply_route`
  std::vector<Stmt> body;
  SourceLoc loc;
};

struct RouteScript {
  std::optional<RouteBlock> main;           // route { ... }
  std::map<std::string, RouteBlock> named;  // route[NAME] { ... }
  std::optional<RouteBlock> onreply;        // onreply_route { ... }
};

}  // namespace cfg
