// RFC 5626 flows on the forward path: the Path (RFC 3327) an edge proxy adds to a REGISTER, the
// flow token in its URI and in the Record-Route facing a UA using outbound, and the routing of a
// request whose Route carries such a token back over the flow it names.
#include "core/base/log.h"
#include "core/proxy/message_context.h"
#include "core/sip/header_type.h"
#include "core/sip/name_addr.h"
#include "core/sip/text.h"

namespace core::proxy {

using core::Transport;
using core::sip::HeaderType;
using script::Status;

void MessageContext::note_flow_route(const core::sip::SipUri& route) {
  if (!route.has_user() || !FlowToken::looks_like(route.user()) || flow_route_ == FlowRoute::kFlow)
    return;
  std::optional<Flow> f = env_.flow_token.verify(route.user());
  if (!f) {
    flow_route_ = FlowRoute::kForged;
    return;
  }
  // The token of the flow this request came in on: a request of the UA itself, routed onwards
  // by the rest of its route set (§5.3).
  if (f->same_as(Flow::of(rx_))) return;
  flow_route_ = FlowRoute::kFlow;
  flow_ = *f;
}

std::string_view MessageContext::own_flow_token() {
  if (own_token_.empty()) own_token_ = env_.flow_token.write(Flow::of(rx_), arena_);
  return own_token_;
}

// The UA is directly connected: ours will be the only Via but for its own (RFC 5626 §5.1: only
// the first edge proxy marks a flow for outbound).
bool MessageContext::first_hop() const {
  int vias = 0;
  for (const auto* h = msg_.first(HeaderType::kVia); h; h = msg_.next(h, HeaderType::kVia)) {
    core::sip::ValueSplitter values(msg_.value(*h));
    std::string_view v;
    while (values.next(v))
      if (++vias > 1) return false;
  }
  return vias == 1;
}

// RFC 5626 §4.2.1: a UA registering for outbound says `Supported: outbound` and puts reg-id
// and +sip.instance on its Contact.
bool MessageContext::wants_outbound() const {
  bool supported = false;
  for (const auto* h = msg_.first(HeaderType::kSupported); h && !supported;
       h = msg_.next(h, HeaderType::kSupported)) {
    core::sip::ValueSplitter values(msg_.value(*h));
    std::string_view v;
    while (!supported && values.next(v)) supported = core::sip::iequals(v, "outbound");
  }
  if (!supported) return false;
  for (const auto* h = msg_.first(HeaderType::kContact); h;
       h = msg_.next(h, HeaderType::kContact)) {
    core::sip::ValueSplitter values(msg_.value(*h));
    std::string_view v;
    while (values.next(v)) {
      core::sip::NameAddr na;
      if (na.parse(v).ok() && na.param("reg-id").present() && na.param("+sip.instance").present())
        return true;
    }
  }
  return false;
}

// RFC 5626 §4.3: a UA using outbound marks the Contact of a dialog-forming request with `ob`.
bool MessageContext::contact_has_ob() const {
  const auto* h = msg_.first(HeaderType::kContact);
  if (!h) return false;
  core::sip::ValueSplitter values(msg_.value(*h));
  std::string_view v;
  core::sip::NameAddr na;
  core::sip::SipUri u;
  return values.next(v) && na.parse(v).ok() && na.parse_uri(u).ok() && u.param("ob").present();
}

Status MessageContext::add_path(bool received) {
  if (!msg_.is_request() || msg_.method() != core::sip::Method::kRegister) return Status::kFalse;
  path_ = received ? PathMode::kReceived : PathMode::kPath;
  return Status::kOk;
}

// RFC 3327 §4: our URI on top of Path, where the registrar's requests to this UA are to pass;
// the host:port is the socket facing the registrar, so with several nodes each names itself.
bool MessageContext::add_path_line(core::sip::MessageEdit& edit, const LocalSocket& s,
                                   Transport t) {
  if (path_ == PathMode::kNone) return true;
  std::string_view token = own_flow_token();
  if (token.empty()) return false;
  std::string_view tp;
  if (t != Transport::kUdp) tp = arena_.concat({";transport=", t.name()});
  std::string_view rcv;
  if (path_ == PathMode::kReceived) {
    // Kamailio's spelling: the source as a SIP URI whose ';' and '=' are escaped (RFC 3261
    // §25.1 paramchar), so the registrar can keep it as one parameter.
    char ip[64];
    rx_.src.format(ip, sizeof(ip));
    std::string_view rtp;
    if (rx_.transport != Transport::kUdp)
      rtp = arena_.concat({"%3Btransport%3D", rx_.transport.name()});
    rcv = arena_.concat({";received=sip:", ip, rtp});
    if (rcv.empty()) return false;
  }
  // ";ob": the UA registered for outbound and we are its first hop (RFC 5626 §5.1).
  std::string_view ob = wants_outbound() && first_hop() ? ";ob" : "";
  std::string_view line = arena_.concat(
      {"Path: <sip:", token, "@", s.host, ":", arena_.number(s.port), tp, ";lr", rcv, ob, ">\r\n"});
  return !line.empty() && edit.prepend_header(msg_, line);
}

Status MessageContext::forward_to_flow() {
  const bool ack = msg_.method() == core::sip::Method::kAck;
  if (flow_route_ == FlowRoute::kForged) {
    // RFC 5626 §5.3: a token this node did not write (edited, from another node or an earlier
    // run): 403, and the request goes nowhere.
    env_.stats.forged_flow_tokens.fetch_add(1, std::memory_order_relaxed);
    SER_LOG_THROTTLED(env_.log.forged_flow, LogLevel::kWarning, log_prefix(),
                      "request with a Route flow token that does not verify: refused (403)");
    if (!ack) reply(403, "Forbidden");
    return Status::kError;
  }
  const LocalSocket* local = env_.locals.by_listener(flow_.listener_id);
  if (!local || local->transport != flow_.transport)
    local = env_.locals.pick(flow_.transport, flow_.af);
  if (!local) {  // the socket the flow reached is gone from the configuration
    SER_LOG_THROTTLED(env_.log.next_hop, LogLevel::kError, log_prefix(),
                      "forward: no %s socket of this address family for the flow",
                      flow_.transport.name());
    return Status::kError;
  }
  Target t;
  t.transport = flow_.transport;
  t.addr = flow_.peer;
  to_flow_ = true;
  core::PoolString& out = out_buffer(OutSlot::kForward);
  bool built = false;
  if (!within_budget([&] {
        built = build_forward(t, *local, out);
        return true;
      }) ||
      !built)
    return Status::kError;
  if (!send_to_flow(out)) return Status::kError;
  ++forks_;
  env_.stats.forwarded.fetch_add(1, std::memory_order_relaxed);
  env_.stats.flow_routed.fetch_add(1, std::memory_order_relaxed);
  return Status::kOk;
}

bool MessageContext::send_to_flow(const core::PoolString& out) {
  if (flow_.transport == Transport::kUdp) {
    // A UDP flow is the peer's address and port: it cannot be known to be gone.
    if (env_.sender.send(Transport::kUdp, flow_.peer, out, 0, flow_.listener_id) !=
        core::net::SendResult::kFailed)
      return true;
    env_.stats.send_failed.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  if (env_.sender.send_flow(flow_.transport, flow_.conn_id, out) != core::net::SendResult::kFailed)
    return true;
  // RFC 5626 §5.3: the connection the token names is closed: 430, so that the registrar or
  // proxy upstream tries another flow of this UA. Never a new connection to the Request-URI.
  env_.stats.flow_failed.fetch_add(1, std::memory_order_relaxed);
  SER_LOG_THROTTLED(env_.log.flow_failed, LogLevel::kInfo, log_prefix(),
                    "request for flow c#%llu, which is gone: 430 Flow Failed",
                    static_cast<unsigned long long>(flow_.conn_id));
  if (msg_.method() != core::sip::Method::kAck) reply(430, "Flow Failed");
  return false;
}

}  // namespace core::proxy
