#pragma once
// The compiled form of a routing script: flat vectors of nodes that refer to each other by
// index. Everything a message needs (regexes, networks, numbers, strings) is resolved at load,
// so running the script allocates nothing.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cfg/route_ast.h"
#include "core/script/ip_network.h"
#include "core/script/regex.h"
#include "core/script/script_context.h"

namespace core::script {

// The TLS fact a `$tls_*` field reads (nullopt for other fields).
std::optional<TlsFact> tls_fact_of(cfg::Field f);

constexpr uint32_t kNoIndex = UINT32_MAX;

enum class StmtOp : uint8_t { kBlock, kIf, kAction, kBreak, kDrop, kExit };

struct StmtNode {
  StmtOp op = StmtOp::kBlock;
  uint32_t a = 0;  // kBlock: first entry in Program::children; kIf: condition; kAction: action
  uint32_t b = 0;  // kBlock: number of children; kIf: then statement
  uint32_t c = kNoIndex;  // kIf: else statement or kNoIndex
};

enum class ActionOp : uint8_t {
  kForward,
  kSlSendReply,
  kMaxFwd,
  kRecordRoute,
  kRewriteHost,
  kRewriteHostPort,
  kRewriteUri,
  kAppendHf,
  kRemoveHf,
  kLog,
  kIsPeerVerified,
  kRoute,
  kAddPath,
  kAddPathReceived,
  kTlsClientDomain,
};

// A piece of a log() text: literal text, or a TLS fact substituted when the line is written.
struct LogPiece {
  bool is_fact = false;
  TlsFact fact = TlsFact::kVersion;
  std::string text;
};

struct ActionNode {
  ActionOp op = ActionOp::kRecordRoute;
  std::optional<Transport> proto;   // kForward: nullopt = forward()
  bool host_from_uri = false;       // kForward: host is uri:host
  bool port_from_uri = false;       // kForward: port is uri:port
  uint16_t port = 0;                // kForward: literal port, 0 = default
  int number = 0;                   // kSlSendReply: code; kMaxFwd: limit; kLog: level
  uint32_t route = kNoIndex;        // kRoute: index into Program::routes
  std::string text;                 // host, reason, rewrite argument, header text or name
  std::vector<LogPiece> pieces;     // kLog
  std::optional<cfg::Field> field;  // kTlsClientDomain: the id read from this field
};

// How a comparison's left side is read, after resolving the field's type.
enum class CondOp : uint8_t {
  kAnd,
  kOr,
  kNot,
  kCall,         // a: action
  kStrEq,        // field ==/!= text (case-insensitive, as SER's comp_str)
  kStrEqField,   // field ==/!= rfield
  kStrMatch,     // field =~ regex a
  kMyself,       // uri / uri:host / src_ip / dst_ip == myself
  kIpInNet,      // src_ip / dst_ip == net
  kIpEqField,    // src_ip == dst_ip
  kIpMatch,      // src_ip =~ regex a (on the textual address)
  kNumCmp,       // numeric field <op> number
  kNumCmpField,  // numeric field <op> numeric rfield
  kProtoEq,      // proto ==/!= proto
  kAfEq,         // af ==/!= af
};

struct CondNode {
  CondOp op = CondOp::kCall;
  bool negate = false;  // `!=`
  cfg::Field field = cfg::Field::kMethod;
  cfg::Field rfield = cfg::Field::kMethod;
  cfg::CmpOp cmp = cfg::CmpOp::kEq;
  uint32_t a = 0;  // kAnd/kOr/kNot: left; kCall: action; k*Match: regex
  uint32_t b = 0;  // kAnd/kOr: right
  int64_t number = 0;
  Transport proto = Transport::kUdp;
  Af af = Af::kInet;
  std::string text;
  IpNetwork net;
};

struct Program {
  std::vector<StmtNode> stmts;
  std::vector<uint32_t> children;  // kBlock children, contiguous per block
  std::vector<CondNode> conds;
  std::vector<ActionNode> actions;
  std::vector<std::unique_ptr<Regex>> regexes;
  std::vector<uint32_t> routes;          // root statement (a kBlock) of each route block
  std::vector<std::string> route_names;  // for log lines; "" = main, "onreply" for onreply_route
  uint32_t main_route = kNoIndex;        // index into routes
  uint32_t onreply_route = kNoIndex;     // index into routes
};

}  // namespace core::script
