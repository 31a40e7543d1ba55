// MessageContext's forward path by name: the next hop, RFC 3263 targets from the worker's DNS
// (at once when numeric or cached, else the request is held), the next target after a failed
// connect, and 503 when nothing can be reached.
#include "core/base/log.h"
#include "core/proxy/dns_forwarder.h"
#include "core/proxy/held_request.h"
#include "core/proxy/message_context.h"

namespace core::proxy {

using core::Transport;
using core::dns::NextHop;
using core::dns::Progress;
using core::dns::TargetList;
using core::net::SendResult;
using script::Status;

bool MessageContext::next_hop(std::optional<Transport> proto, std::string_view host, uint16_t port,
                              NextHop* hop) const {
  if (host.empty()) {
    core::sip::SipUri u;
    if (!next_hop_uri(&u)) return false;
    host = u.host();
    if (port == 0) port = u.port();
    hop->secure = u.scheme() == core::sip::UriScheme::kSips;
    if (!u.transport_param().empty()) {
      hop->transport = Transport::parse(u.transport_param());
      if (!hop->transport) return false;
    }
  }
  if (proto) hop->transport = *proto;
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  hop->host = host;
  hop->port = port;
  return !host.empty();
}

Status MessageContext::forward_to(const NextHop& hop) {
  TargetList targets;
  DnsForwarder* dns = DnsForwarder::current(env_);
  Progress p;
  if (dns != nullptr) {
    p = dns->locate(hop, &targets);
  } else {
    // Off the workers (tests driving the proxy directly): numeric next hops only.
    Transport t = hop.transport.value_or(hop.secure ? Transport::kTls : Transport::kUdp);
    auto a = core::net::SocketAddr::parse(hop.host, hop.port ? hop.port : t.default_port());
    if (a) targets.add(t, *a);
    p = a ? Progress::kDone : Progress::kFailed;
  }
  if (p == Progress::kFailed) {
    unresolved(hop);
    return Status::kError;
  }
  if (p == Progress::kNeed) {
    if (dns->full()) {
      unresolved(hop, "waits behind too many lookups (dns_max_pending)", true);
      return Status::kError;
    }
    std::unique_ptr<HeldRequest> held = hold(hop);
    if (!held) return Status::kError;
    dns->resolve(std::move(held));
    ++forks_;  // a second forward() of the script gets its own branch
    return Status::kOk;
  }
  std::string_view name = hop.host;
  return try_targets(targets, 0, name, nullptr) ? Status::kOk : Status::kError;
}

bool MessageContext::try_targets(const TargetList& targets, size_t from, std::string_view tls_name,
                                 std::unique_ptr<HeldRequest>* held) {
  DnsForwarder* dns = DnsForwarder::current(env_);
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
      if (i + 1 < targets.size()) env_.stats.next_targets.fetch_add(1, std::memory_order_relaxed);
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
        h->forks = forks_;
        dns->watch(token, std::move(h));
      }
    }
    ++forks_;
    env_.stats.forwarded.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (held != nullptr && *held) unresolved((*held)->hop, "has no target that takes it");
  return false;
}

std::optional<SendResult> MessageContext::send_to(const Target& t, std::string_view tls_name,
                                                  uint64_t connect_token) {
  const LocalSocket* local = env_.locals.pick(t.transport, t.addr.af());
  if (!local) {
    SER_LOG_THROTTLED(env_.log.next_hop, LogLevel::kError, log_prefix(),
                      "forward: no %s socket of this address family for %s", t.transport.name(),
                      t.addr.to_string().c_str());
    return SendResult::kFailed;
  }
  core::PoolString& out = out_buffer(OutSlot::kForward);
  bool built = false;
  if (!within_budget([&] {
        built = build_forward(t, *local, out);
        return true;
      })) {
    SER_LOG_THROTTLED(env_.log.dropped, LogLevel::kWarning, log_prefix(),
                      "forward: not sent: shared memory budget exhausted");
    return std::nullopt;
  }
  if (!built) return std::nullopt;
  int hint = t.transport == Transport::kUdp ? local->listener_id : -1;
  // TLS: the next hop's name is checked in its certificate (RFC 5922 §7.2) and sent as SNI.
  std::string_view name = t.transport == Transport::kTls ? tls_name : std::string_view();
  std::string_view domain = t.transport == Transport::kTls ? client_domain_ : std::string_view();
  SendResult r = env_.sender.send(t.transport, t.addr, out, 0, hint, {domain, name}, connect_token);
  if (r == SendResult::kFailed) {
    env_.stats.send_failed.fetch_add(1, std::memory_order_relaxed);
    SER_LOG_THROTTLED(env_.log.dropped, LogLevel::kWarning, log_prefix(),
                      "forward: sending to %s over %s failed", t.addr.to_string().c_str(),
                      t.transport.name());
  }
  return r;
}

void MessageContext::forward_held(std::unique_ptr<HeldRequest>& held) {
  HeldRequest& h = *held;
  forks_ = h.forks;
  try_targets(h.targets, h.next, h.host, &held);
}

void MessageContext::unresolved(const NextHop& hop, const char* why, bool queue_full) {
  (queue_full ? env_.stats.dns_queue_full : env_.stats.dns_failed)
      .fetch_add(1, std::memory_order_relaxed);
  core::LogEscaped host(hop.host);
  bool ack = msg_.method() == core::sip::Method::kAck;
  SER_LOG_THROTTLED(env_.log.dns, LogLevel::kWarning, log_prefix(), "forward: next hop %s %s; %s",
                    host.c_str(), why, ack ? "ACK dropped" : "503 sent");
  // RFC 3261 §16.9 / §17.1.3: an ACK has no response; every other request (CANCEL too, which
  // is a transaction of its own) learns at once that this hop cannot be reached.
  if (!ack) reply(503, "Service Unavailable");
}

std::unique_ptr<HeldRequest> MessageContext::hold(const NextHop& hop) const {
  auto h = std::make_unique<HeldRequest>(rx_);
  if (!h->parsed()) return nullptr;
  const char* base = msg_.data().data();
  h->uri_rewritten = uri_rewritten_;
  if (uri_rewritten_) h->uri.assign(uri_text_);
  for (int i = 0; i < popped_; ++i) {
    h->popped[i] = {static_cast<uint32_t>(popped_headers_[i] - msg_.headers().data()),
                    static_cast<uint32_t>(popped_routes_[i].data() - base),
                    static_cast<uint32_t>(popped_routes_[i].size())};
  }
  h->popped_count = popped_;
  for (int i = 0; i < appended_count_; ++i) h->appended.emplace_back(appended_[i]);
  for (int i = 0; i < removed_count_; ++i) h->removed.emplace_back(removed_names_[i]);
  h->new_max_forwards = new_max_forwards_;
  h->record_route = record_route_;
  h->path_mode = static_cast<uint8_t>(path_);
  h->client_domain.assign(client_domain_);
  h->forks = forks_;
  h->host.assign(hop.host);
  h->hop = hop;
  h->hop.host = h->host;
  return h;
}

MessageContext::MessageContext(ProxyEnv& env, HeldRequest& held)
    : MessageContext(env, held.rx, held.msg, held.top) {
  if (held.uri_rewritten) {
    uri_text_ = held.uri;
    uri_ok_ = uri_.parse(uri_text_).ok();
    uri_rewritten_ = true;
  }
  std::string_view data = msg_.data();
  for (int i = 0; i < held.popped_count; ++i) {
    popped_headers_[i] = &msg_.headers()[held.popped[i].header];
    popped_routes_[i] = data.substr(held.popped[i].offset, held.popped[i].length);
  }
  popped_ = held.popped_count;
  for (const auto& a : held.appended) appended_[appended_count_++] = a;
  for (const auto& r : held.removed) removed_names_[removed_count_++] = r;
  new_max_forwards_ = held.new_max_forwards;
  record_route_ = held.record_route;
  path_ = static_cast<PathMode>(held.path_mode);
  client_domain_ = held.client_domain;
  forks_ = held.forks;
}

}  // namespace core::proxy
