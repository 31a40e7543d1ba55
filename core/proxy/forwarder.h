#pragma once
// Where a request goes and how it leaves: the next hop (RouteSet), its RFC 3263 targets from the
// worker's DNS (at once when numeric or cached, else the request is held), each target tried in
// turn (the next after a failed connect), a flow named by a Route's token (RFC 5626 §5.3), and
// 503/430/403 when nothing can take it. ForwardBuilder writes each attempt.
#include <memory>
#include <optional>
#include <string_view>

#include "core/dns/server_locator.h"
#include "core/dns/target_list.h"
#include "core/net/net.h"
#include "core/proxy/forward_builder.h"
#include "core/proxy/handled_message.h"
#include "core/proxy/route_set.h"
#include "core/proxy/script_edits.h"
#include "core/script/script_context.h"

namespace core::proxy {

struct HeldRequest;

class Forwarder {
 public:
  Forwarder(HandledMessage& m, const ScriptEdits& edits, const RouteSet& routes)
      : m_(m), edits_(edits), routes_(routes), builder_(m, edits, routes) {}
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // The script's forward(): host "" = the next hop of the route set, port 0 = its own or the
  // transport's default, proto nullopt = the URI's transport or RFC 3263's choice.
  core::script::Status forward(std::optional<core::Transport> proto, std::string_view host,
                               uint16_t port);

  // ---- held requests (forwarder_dns.cc) ----
  // The held request's next hop has no target (NXDOMAIN, no usable record, a lookup failed,
  // or every target failed): 503 Service Unavailable, or nothing for an ACK; counted, logged.
  void unresolved(const core::dns::NextHop& hop, const char* why = "cannot be resolved",
                  bool queue_full = false);
  // Sends the held request (the one restore() read: its forks too) to its targets from
  // held->next on; it stays held (moved out of `held`) while a connect with more targets left
  // is in progress.
  void forward_held(std::unique_ptr<HeldRequest>& held);
  void save(HeldRequest& held) const;
  void restore(const HeldRequest& held);

 private:
  using Target = core::dns::Target;
  core::script::Status forward_to(const core::dns::NextHop& hop);
  // A copy of the message and of the edits so far, for forwarding later; null when the copy
  // does not parse (it always does: the same bytes parsed before).
  std::unique_ptr<HeldRequest> hold(const core::dns::NextHop& hop) const;
  // Tries targets[from...] in turn until one takes the request (TCP/TLS: a connect refused at
  // once moves on; one in progress with targets left holds the request under a connect
  // token). True when sent or held.
  bool try_targets(const core::dns::TargetList& targets, size_t from, std::string_view tls_name,
                   std::unique_ptr<HeldRequest>* held);
  // Builds and sends to one target; nullopt when the request cannot be built (no target helps).
  std::optional<core::net::SendResult> send_to(const Target& t, std::string_view tls_name,
                                               uint64_t connect_token);
  // Builds into the forward buffer; false (483 sent when Max-Forwards ran out) when it cannot.
  bool build(const Target& t, const LocalSocket& local, bool to_flow, core::PoolString& out);
  // ---- RFC 5626 flows ----
  core::script::Status forward_to_flow();
  bool send_to_flow(const core::PoolString& out);

  HandledMessage& m_;
  const ScriptEdits& edits_;
  const RouteSet& routes_;
  ForwardBuilder builder_;
  unsigned forks_ = 0;  // each forward() of the script gets its own branch
};

}  // namespace core::proxy
