#pragma once
// Writes the request this proxy forwards (RFC 3261 §16.6, stateless §16.11) in one pass over
// the received one: the script's edits (ScriptEdits), the popped Routes gone (RouteSet),
// received/rport on the sender's Via, Max-Forwards decremented, our Via with a branch derived
// from the request (and over a stream the connection's authenticated id), Record-Route and Path
// when asked, with RFC 5626 flow tokens where they face a flow.
#include <string_view>

#include "core/base/pool.h"
#include "core/dns/target_list.h"
#include "core/proxy/flow_token.h"
#include "core/proxy/handled_message.h"
#include "core/proxy/local_sockets.h"
#include "core/proxy/route_set.h"
#include "core/proxy/script_edits.h"
#include "core/sip/message_edit.h"

namespace core::proxy {

class ForwardBuilder {
 public:
  enum class Result : uint8_t {
    kBuilt,
    kTooManyHops,  // Max-Forwards reached 0: the caller answers 483 (RFC 3261 §16.3 step 2)
    kFailed,       // the edits do not fit or conflict (logged)
  };

  ForwardBuilder(HandledMessage& m, const ScriptEdits& edits, const RouteSet& routes)
      : m_(m), edits_(edits), routes_(routes) {}
  ForwardBuilder(const ForwardBuilder&) = delete;
  ForwardBuilder& operator=(const ForwardBuilder&) = delete;

  // The request for target `t`, sent from `local`, as fork number `fork` (its own branch);
  // `to_flow`: it leaves over the flow RouteSet::flow() names.
  Result build(const core::dns::Target& t, const LocalSocket& local, unsigned fork, bool to_flow,
               core::PoolString& out);

 private:
  bool max_forwards_edit(core::sip::MessageEdit& edit);
  bool add_own_headers(core::sip::MessageEdit& edit, const core::dns::Target& t,
                       const LocalSocket& local, unsigned fork, bool to_flow);
  bool add_record_routes(core::sip::MessageEdit& edit, const core::dns::Target& t,
                         const LocalSocket& local, bool to_flow);
  std::string_view record_route_line(const LocalSocket& s, core::Transport t,
                                     std::string_view user = {});
  // ---- RFC 5626 flows and RFC 3327 Path (forward_builder_flows.cc) ----
  // The Path line (add_path) with our URI on `s` for transport `t`; true when not asked.
  bool add_path_line(core::sip::MessageEdit& edit, const LocalSocket& s, core::Transport t);
  // The flow token of the incoming flow, once per message (empty when the arena is full).
  std::string_view own_flow_token();
  bool first_hop() const;
  bool wants_outbound() const;
  bool contact_has_ob() const;

  HandledMessage& m_;
  const ScriptEdits& edits_;
  const RouteSet& routes_;
  std::string_view own_token_;
};

}  // namespace core::proxy
