#include "core/proxy/dns_forwarder.h"

#include "core/base/log.h"
#include "core/net/worker.h"
#include "core/proxy/message_context.h"

namespace core::proxy {

DnsForwarder* DnsForwarder::current(ProxyEnv& env) {
  // Per worker thread: the channel's sockets are on this worker's base, its cache needs no lock.
  thread_local std::unique_ptr<DnsForwarder> mine;
  if (mine) return mine.get();
  core::net::Worker* w = core::net::Worker::current();
  if (w == nullptr) return nullptr;
  mine = std::make_unique<DnsForwarder>(env, w->base());
  return mine.get();
}

DnsForwarder::DnsForwarder(ProxyEnv& env, event_base* base)
    : env_(env),
      dns_(base, env.settings.dns,
           [&locals = env.locals](core::Transport t, int af) {
             return locals.pick(t, af) != nullptr;
           }),
      max_pending_(env.settings.dns_max_pending) {
  if (!dns_.resolver().ok())
    LOG_ERR("%s: next hops by name will get 503", dns_.resolver().error().c_str());
}

void DnsForwarder::resolve(std::unique_ptr<HeldRequest> held) {
  uint64_t id = next_id_++;
  core::dns::NextHop hop = held->hop;
  waiting_.emplace(id, std::move(held));
  env_.stats.dns_resolutions.fetch_add(1, std::memory_order_relaxed);
  dns_.resolve(hop, [this, id](core::dns::Progress p, const core::dns::TargetList& targets) {
    resolved(id, p, targets);
  });
}

void DnsForwarder::resolved(uint64_t id, core::dns::Progress p,
                            const core::dns::TargetList& targets) {
  auto it = waiting_.find(id);
  if (it == waiting_.end()) return;
  std::unique_ptr<HeldRequest> held = std::move(it->second);
  waiting_.erase(it);
  MessageContext ctx(env_, *held);
  if (p != core::dns::Progress::kDone) {
    ctx.unresolved(held->hop);
    return;
  }
  held->targets = targets;
  held->next = 0;
  ctx.forward_held(held);
}

void DnsForwarder::watch(uint64_t token, std::unique_ptr<HeldRequest> held) {
  connecting_.emplace(token, std::move(held));
}

void DnsForwarder::connect_result(uint64_t token, bool connected) {
  auto it = connecting_.find(token);
  if (it == connecting_.end()) return;
  std::unique_ptr<HeldRequest> held = std::move(it->second);
  connecting_.erase(it);
  if (connected) return;
  env_.stats.next_targets.fetch_add(1, std::memory_order_relaxed);
  MessageContext ctx(env_, *held);
  ctx.forward_held(held);
}

}  // namespace core::proxy
