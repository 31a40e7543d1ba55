#pragma once
// What the top-level parser collects across the main file and its included files, before
// the TLS domains are resolved and cross-checked (domain_resolver.h).
#include <map>
#include <string>
#include <vector>

#include "cfg/config_model.h"
#include "cfg/param_table.h"

namespace cfg {

// One `name = value` as read.
struct Assignment {
  const ParamSpec* spec = nullptr;
  ParamValue value;
  SourceLoc loc;  // of the parameter name
};

// A tls_domain / tls_client_domain block. Its settings are resolved only after the whole
// configuration is read, because global tls_* values may come after the block.
struct PendingDomain {
  TlsDomainConfig domain;  // kind, address, SNI from the key, loc
  SourceLoc sni_loc;       // where the key's SNI name was written (when it was)
  std::vector<Assignment> sets;
};

struct ParseState {
  Config* config = nullptr;
  std::vector<PendingDomain> domains;
  std::map<std::string, SourceLoc> global_set_at;  // canonical name -> last global assignment
  std::map<std::string, SourceLoc> route_at;       // "route", "route[X]", "onreply_route"
  std::vector<std::string> include_stack;          // canonical paths of the files being read
  std::vector<std::string> include_names;          // the same, as shown in messages
};

}  // namespace cfg
