#pragma once
// The route set of a request as this proxy sees it (RFC 3261 §16.4, §16.6 step 6): the Route
// values that name us are popped (a strict router's Request-URI undone), the next hop is the
// first Route left or the Request-URI, and a popped Route of ours carrying an RFC 5626 flow
// token names the flow the request goes back over (§5.3). Views into the message only.
#include <array>
#include <optional>
#include <string_view>

#include "core/dns/server_locator.h"
#include "core/proxy/flow_token.h"
#include "core/proxy/handled_message.h"
#include "core/proxy/script_edits.h"
#include "core/sip/message_edit.h"
#include "core/sip/sip_uri.h"

namespace core::proxy {

struct HeldRequest;

class RouteSet {
 public:
  enum class FlowRoute : uint8_t { kNone, kFlow, kForged };

  RouteSet(const HandledMessage& m, ScriptEdits& edits) : m_(m), edits_(edits) {}
  RouteSet(const RouteSet&) = delete;
  RouteSet& operator=(const RouteSet&) = delete;

  // Loose routing before the script (RFC 3261 §16.4): a strict-routed Request-URI naming us is
  // replaced by the last Route; Route values naming us at the top are removed.
  void preprocess();
  // The next hop of forward(): the script's host, port and transport, else the first Route's
  // or the Request-URI's (RFC 3261 §16.6 step 6, RFC 3263 §4).
  bool next_hop(std::optional<core::Transport> proto, std::string_view host, uint16_t port,
                core::dns::NextHop* hop) const;
  // The popped values leave the forwarded request (a Route line all ours goes whole).
  void remove_popped(core::sip::MessageEdit& edit) const;

  FlowRoute flow_route() const { return flow_route_; }
  const Flow& flow() const { return flow_; }  // kFlow: the flow the Route's token names

  void save(HeldRequest& held) const;
  void restore(const HeldRequest& held);

 private:
  void undo_strict_route();
  // A popped Route of ours whose user part is a flow token.
  void note_flow_route(const core::sip::SipUri& route);
  bool is_popped(std::string_view route) const;
  // Calls f(header, value) for each Route value not popped, in order, while f returns true.
  template <typename F>
  void for_each_route(F&& f) const;
  bool next_hop_uri(core::sip::SipUri* uri) const;

  const HandledMessage& m_;
  ScriptEdits& edits_;
  // Route values removed by loose routing (views into the message).
  std::array<std::string_view, 4> popped_routes_{};
  std::array<const core::sip::HeaderField*, 4> popped_headers_{};
  int popped_ = 0;
  FlowRoute flow_route_ = FlowRoute::kNone;
  Flow flow_;
};

}  // namespace core::proxy
