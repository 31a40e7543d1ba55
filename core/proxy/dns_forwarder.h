#pragma once
// One worker's side of forwarding by name: its WorkerDns (c-ares on the worker's loop, cache,
// RFC 3263), the requests held while their lookup runs, and those held while the connect to a
// target is in progress with more targets left (RFC 3263 §4.3: a failed connect moves the
// request to the next target). Both kinds count against dns_max_pending; everything here runs
// on the worker's thread.
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "core/dns/worker_dns.h"
#include "core/proxy/held_request.h"
#include "core/proxy/proxy_types.h"

namespace core::proxy {

class DnsForwarder {
 public:
  // The calling worker's, made at its first use; null off the workers (a proxy driven directly
  // by tests), where only numeric next hops are used. Freed when the worker's thread ends.
  static DnsForwarder* current(ProxyEnv& env);

  DnsForwarder(ProxyEnv& env, event_base* base);

  core::dns::Progress locate(const core::dns::NextHop& hop, core::dns::TargetList* out) {
    return dns_.locate(hop, out);
  }
  // dns_max_pending reached: a request that needs holding gets 503 instead.
  bool full() const { return waiting_.size() + connecting_.size() >= max_pending_; }
  // Holds `held` until its next hop is resolved, then forwards it (or answers 503).
  void resolve(std::unique_ptr<HeldRequest> held);
  // A token for a send whose connect may fail over to the next target.
  uint64_t next_token() { return next_token_++; }
  // Holds `held` under `token` until Net reports its connect (connect_result).
  void watch(uint64_t token, std::unique_ptr<HeldRequest> held);
  // Net's ConnectObserver: connected, the held copy goes; failed, the next target is tried.
  void connect_result(uint64_t token, bool connected);

  size_t held() const { return waiting_.size() + connecting_.size(); }

 private:
  void resolved(uint64_t id, core::dns::Progress p, const core::dns::TargetList& targets);

  ProxyEnv& env_;
  core::dns::WorkerDns dns_;
  size_t max_pending_;
  std::unordered_map<uint64_t, std::unique_ptr<HeldRequest>> waiting_;     // for DNS
  std::unordered_map<uint64_t, std::unique_ptr<HeldRequest>> connecting_;  // by token
  uint64_t next_id_ = 1;
  uint64_t next_token_ = 1;
};

}  // namespace core::proxy
