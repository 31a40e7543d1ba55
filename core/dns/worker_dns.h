#pragma once
// One worker's DNS: its c-ares channel, its cache and the RFC 3263 procedure, with the lookups
// of several requests for one name made once (coalesced). locate() answers at once from the
// cache or /etc/hosts; resolve() makes the lookups missing and calls back on the worker's
// thread when the procedure is done.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/dns/cache.h"
#include "core/dns/resolver.h"
#include "core/dns/server_locator.h"

namespace core::dns {

struct DnsSettings {
  ResolverSettings resolver;
  size_t cache_size = 10000;  // entries, per worker
};

class WorkerDns {
 public:
  using Done = std::function<void(Progress, const TargetList&)>;

  WorkerDns(event_base* base, const DnsSettings& settings, ServerLocator::CanSend can_send);

  // With what is known now: kDone or kFailed with `out` final, or kNeed (call resolve()).
  Progress locate(const NextHop& hop, TargetList* out);
  // Runs the procedure to its end, asking the DNS for what is missing; `done` runs later on
  // this thread with kDone (targets) or kFailed. The hop's texts are copied.
  void resolve(const NextHop& hop, Done done);

  const Resolver& resolver() const { return resolver_; }
  const Cache& cache() const { return cache_; }
  size_t jobs_pending() const { return jobs_.size(); }

 private:
  struct Job {
    std::string host;
    NextHop hop;  // its host views `host`
    Done done;
    size_t waiting = 0;  // lookups not yet answered
    int rounds = 0;
  };
  // locate() plus what /etc/hosts answers at once.
  Progress run(const NextHop& hop, TargetList* out, NeedList* need);
  void advance(uint64_t id);
  void answered(const std::string& key, std::string_view name, RrType type, const Answer& a);

  Resolver resolver_;
  Cache cache_;
  ServerLocator locator_;
  NeedList need_;  // scratch of locate() (2 KB: not on the stack of every forward)
  std::unordered_map<uint64_t, Job> jobs_;
  std::unordered_map<std::string, std::vector<uint64_t>> in_flight_;  // "TYPE name" -> jobs
  uint64_t next_id_ = 1;
};

}  // namespace core::dns
