#include "core/proxy/forwarder.h"

#include "core/base/log.h"
#include "core/proxy/dns_forwarder.h"
#include "core/proxy/held_request.h"
#include "core/proxy/local_reply.h"

namespace core::proxy {

using core::Transport;
using core::dns::NextHop;
using core::dns::TargetList;
using core::net::SendResult;
using script::Status;

Status Forwarder::forward(std::optional<Transport> proto, std::string_view host, uint16_t port) {
  // RFC 5626 §5.3: a Route of ours with a flow token decides the next hop of a forward() that
  // names none; the Request-URI (a Contact behind NAT) is not where it goes.
  if (host.empty() && !proto && routes_.flow_route() != RouteSet::FlowRoute::kNone)
    return forward_to_flow();
  NextHop hop;
  if (!routes_.next_hop(proto, host, port, &hop)) {
    core::LogEscaped uri(edits_.uri_text());
    SER_LOG_THROTTLED(m_.env().log.next_hop, LogLevel::kError, m_.log_prefix(),
                      "forward: cannot resolve the next hop of %s", uri.c_str());
    return Status::kError;
  }
  return forward_to(hop);
}

bool Forwarder::try_targets(const TargetList& targets, size_t from, std::string_view tls_name,
                            std::unique_ptr<HeldRequest>* held) {
  ProxyEnv& env = m_.env();
  DnsForwarder* dns = DnsForwarder::current(env);
  for (size_t i = from; i < targets.size(); ++i) {
    const Target& t = targets[i];
    // Another target to fail over to (RFC 3263 §4.3) when this connect fails: UDP gives no
    // word of failure here (no ICMP is read), so a UDP target is the last one tried.
    bool more = i + 1 < targets.size() && t.transport != Transport::kUdp && dns != nullptr &&
                (held != nullptr || !dns->full());
    uint64_t token = more ? dns->next_token() : 0;
    std::optional<SendResult> r = send_to(t, tls_name, token);
    if (!r) return false;
    if (*r == SendResult::kFailed) {
      if (i + 1 < targets.size()) env.stats.next_targets.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (*r == SendResult::kConnecting) {
      std::unique_ptr<HeldRequest> h = held != nullptr ? std::move(*held) : nullptr;
      if (!h) {
        NextHop hop;
        hop.host = tls_name;
        h = hold(hop);
        if (h) h->targets = targets;
      }
      if (h) {
        h->next = i + 1;
        dns->watch(token, std::move(h));
      }
    }
    ++forks_;
    env.stats.forwarded.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (held != nullptr && *held) unresolved((*held)->hop, "has no target that takes it");
  return false;
}

bool Forwarder::build(const Target& t, const LocalSocket& local, bool to_flow,
                      core::PoolString& out) {
  ForwardBuilder::Result r = ForwardBuilder::Result::kFailed;
  if (!within_budget([&] {
        r = builder_.build(t, local, forks_, to_flow, out);
        return true;
      })) {
    SER_LOG_THROTTLED(m_.env().log.dropped, LogLevel::kWarning, m_.log_prefix(),
                      "forward: not sent: shared memory budget exhausted");
    return false;
  }
  // RFC 3261 §16.3 step 2; an ACK gets no reply.
  if (r == ForwardBuilder::Result::kTooManyHops && !m_.is_ack())
    send_local_reply(m_, 483, "Too Many Hops");
  return r == ForwardBuilder::Result::kBuilt;
}

std::optional<SendResult> Forwarder::send_to(const Target& t, std::string_view tls_name,
                                             uint64_t connect_token) {
  ProxyEnv& env = m_.env();
  const LocalSocket* local = env.locals.pick(t.transport, t.addr.af());
  if (!local) {
    SER_LOG_THROTTLED(env.log.next_hop, LogLevel::kError, m_.log_prefix(),
                      "forward: no %s socket of this address family for %s", t.transport.name(),
                      t.addr.to_string().c_str());
    return SendResult::kFailed;
  }
  core::PoolString& out = out_buffer(OutSlot::kForward);
  if (!build(t, *local, false, out)) return std::nullopt;
  int hint = t.transport == Transport::kUdp ? local->listener_id : -1;
  // TLS: the next hop's name is checked in its certificate (RFC 5922 §7.2) and sent as SNI.
  std::string_view name = t.transport == Transport::kTls ? tls_name : std::string_view();
  std::string_view domain =
      t.transport == Transport::kTls ? edits_.client_domain : std::string_view();
  SendResult r = env.sender.send(t.transport, t.addr, out, 0, hint, {domain, name}, connect_token);
  if (r == SendResult::kFailed) {
    env.stats.send_failed.fetch_add(1, std::memory_order_relaxed);
    SER_LOG_THROTTLED(env.log.dropped, LogLevel::kWarning, m_.log_prefix(),
                      "forward: sending to %s over %s failed", t.addr.to_string().c_str(),
                      t.transport.name());
  }
  return r;
}

Status Forwarder::forward_to_flow() {
  ProxyEnv& env = m_.env();
  if (routes_.flow_route() == RouteSet::FlowRoute::kForged) {
    // RFC 5626 §5.3: a token this node did not write (edited, from another node or an earlier
    // run): 403, and the request goes nowhere.
    env.stats.forged_flow_tokens.fetch_add(1, std::memory_order_relaxed);
    SER_LOG_THROTTLED(env.log.forged_flow, LogLevel::kWarning, m_.log_prefix(),
                      "request with a Route flow token that does not verify: refused (403)");
    if (!m_.is_ack()) send_local_reply(m_, 403, "Forbidden");
    return Status::kError;
  }
  const Flow& flow = routes_.flow();
  const LocalSocket* local = env.locals.by_listener(flow.listener_id);
  if (!local || local->transport != flow.transport)
    local = env.locals.pick(flow.transport, flow.af);
  if (!local) {  // the socket the flow reached is gone from the configuration
    SER_LOG_THROTTLED(env.log.next_hop, LogLevel::kError, m_.log_prefix(),
                      "forward: no %s socket of this address family for the flow",
                      flow.transport.name());
    return Status::kError;
  }
  Target t;
  t.transport = flow.transport;
  t.addr = flow.peer;
  core::PoolString& out = out_buffer(OutSlot::kForward);
  if (!build(t, *local, true, out)) return Status::kError;
  if (!send_to_flow(out)) return Status::kError;
  ++forks_;
  env.stats.forwarded.fetch_add(1, std::memory_order_relaxed);
  env.stats.flow_routed.fetch_add(1, std::memory_order_relaxed);
  return Status::kOk;
}

bool Forwarder::send_to_flow(const core::PoolString& out) {
  ProxyEnv& env = m_.env();
  const Flow& flow = routes_.flow();
  if (flow.transport == Transport::kUdp) {
    // A UDP flow is the peer's address and port: it cannot be known to be gone.
    if (env.sender.send(Transport::kUdp, flow.peer, out, 0, flow.listener_id) !=
        core::net::SendResult::kFailed)
      return true;
    env.stats.send_failed.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  if (env.sender.send_flow(flow.transport, flow.conn_id, out) != core::net::SendResult::kFailed)
    return true;
  // RFC 5626 §5.3: the connection the token names is closed: 430, so that the registrar or
  // proxy upstream tries another flow of this UA. Never a new connection to the Request-URI.
  env.stats.flow_failed.fetch_add(1, std::memory_order_relaxed);
  SER_LOG_THROTTLED(env.log.flow_failed, LogLevel::kInfo, m_.log_prefix(),
                    "request for flow c#%llu, which is gone: 430 Flow Failed",
                    static_cast<unsigned long long>(flow.conn_id));
  if (!m_.is_ack()) send_local_reply(m_, 430, "Flow Failed");
  return false;
}

}  // namespace core::proxy
