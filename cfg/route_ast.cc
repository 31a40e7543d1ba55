#include "cfg/route_ast.h"

namespace cfg {

const char* field_name(Field f) {
  switch (f) {
    case Field::kMethod:
      return "method";
    case Field::kUri:
      return "uri";
    case Field::kUriHost:
      return "uri:host";
    case Field::kUriPort:
      return "uri:port";
    case Field::kSrcIp:
      return "src_ip";
    case Field::kSrcPort:
      return "src_port";
    case Field::kDstIp:
      return "dst_ip";
    case Field::kDstPort:
      return "dst_port";
    case Field::kProto:
      return "proto";
    case Field::kAf:
      return "af";
    case Field::kMsgLen:
      return "msg:len";
    case Field::kTlsVersion:
      return "$tls_version";
    case Field::kTlsCipher:
      return "$tls_cipher";
    case Field::kTlsPeerSubjectCn:
      return "$tls_peer_subject_cn";
    case Field::kTlsPeerSanDns:
      return "$tls_peer_san_dns";
    case Field::kTlsSni:
      return "$tls_sni";
  }
  return "?";
}

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
