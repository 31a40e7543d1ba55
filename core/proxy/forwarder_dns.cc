// Forwarder's path by name: RFC 3263 targets from the worker's DNS (at once when numeric or
// cached, else the request is held), the held request sent once resolved or after a failed
// connect, and 503 when nothing can be reached.
#include "core/base/log.h"
#include "core/proxy/dns_forwarder.h"
#include "core/proxy/forwarder.h"
#include "core/proxy/held_request.h"
#include "core/proxy/local_reply.h"

namespace core::proxy {

using core::Transport;
using core::dns::NextHop;
using core::dns::Progress;
using core::dns::TargetList;
using script::Status;

Status Forwarder::forward_to(const NextHop& hop) {
  TargetList targets;
  DnsForwarder* dns = DnsForwarder::current(m_.env());
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

void Forwarder::forward_held(std::unique_ptr<HeldRequest>& held) {
  try_targets(held->targets, held->next, held->host, &held);
}

void Forwarder::unresolved(const NextHop& hop, const char* why, bool queue_full) {
  ProxyEnv& env = m_.env();
  (queue_full ? env.stats.dns_queue_full : env.stats.dns_failed)
      .fetch_add(1, std::memory_order_relaxed);
  core::LogEscaped host(hop.host);
  bool ack = m_.is_ack();
  SER_LOG_THROTTLED(env.log.dns, LogLevel::kWarning, m_.log_prefix(), "forward: next hop %s %s; %s",
                    host.c_str(), why, ack ? "ACK dropped" : "503 sent");
  // RFC 3261 §16.9 / §17.1.3: an ACK has no response; every other request (CANCEL too, which
  // is a transaction of its own) learns at once that this hop cannot be reached.
  if (!ack) send_local_reply(m_, 503, "Service Unavailable");
}

std::unique_ptr<HeldRequest> Forwarder::hold(const NextHop& hop) const {
  auto h = std::make_unique<HeldRequest>(m_.rx());
  if (!h->parsed()) return nullptr;
  edits_.save(*h);
  routes_.save(*h);
  save(*h);
  h->host.assign(hop.host);
  h->hop = hop;
  h->hop.host = h->host;
  return h;
}

void Forwarder::save(HeldRequest& held) const {
  held.forks = forks_;
}

void Forwarder::restore(const HeldRequest& held) {
  forks_ = held.forks;
}

}  // namespace core::proxy
