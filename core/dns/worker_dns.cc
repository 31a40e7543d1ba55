#include "core/dns/worker_dns.h"

namespace core::dns {
namespace {
// Rounds of lookups one resolution may take (NAPTR, SRV, A/AAAA is three; CNAME-less chains
// never need more): a bound against answers that keep asking for more.
constexpr int kMaxRounds = 6;
}  // namespace

WorkerDns::WorkerDns(event_base* base, const DnsSettings& settings, ServerLocator::CanSend can_send)
    : resolver_(base, settings.resolver),
      cache_(settings.cache_size),
      locator_(cache_, std::move(can_send)) {}

Progress WorkerDns::run(const NextHop& hop, TargetList* out, NeedList* need) {
  for (;;) {
    auto now = Cache::Clock::now();
    Progress p = locator_.locate(hop, now, out, need);
    if (p != Progress::kNeed) return p;
    bool from_file = false;
    for (size_t i = 0; i < need->size(); ++i) {
      Answer a;
      const auto& n = (*need)[i];
      if (resolver_.from_hosts(n.view(), n.type, &a)) {
        cache_.put(n.view(), n.type, std::move(a), now);
        from_file = true;
      }
    }
    if (!from_file) return p;
  }
}

Progress WorkerDns::locate(const NextHop& hop, TargetList* out) {
  return run(hop, out, &need_);
}

void WorkerDns::resolve(const NextHop& hop, Done done) {
  uint64_t id = next_id_++;
  Job& job = jobs_[id];
  job.host.assign(hop.host);
  job.hop = hop;
  job.hop.host = job.host;
  job.done = std::move(done);
  advance(id);
}

void WorkerDns::advance(uint64_t id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  Job& job = it->second;
  TargetList targets;
  NeedList need;
  Progress p = run(job.hop, &targets, &need);
  if (p == Progress::kNeed && ++job.rounds > kMaxRounds) p = Progress::kFailed;
  if (p != Progress::kNeed) {
    Done done = std::move(job.done);
    jobs_.erase(it);
    done(p, targets);
    return;
  }
  job.waiting = need.size();
  for (size_t i = 0; i < need.size(); ++i) {
    std::string name(need[i].view());
    RrType type = need[i].type;
    std::string key = std::to_string(static_cast<unsigned>(type)) + " " + name;
    auto [slot, fresh] = in_flight_.try_emplace(key);
    slot->second.push_back(id);
    if (!fresh) continue;
    resolver_.query(name, type,
                    [this, key, name, type](const Answer& a) { answered(key, name, type, a); });
  }
}

void WorkerDns::answered(const std::string& key, std::string_view name, RrType type,
                         const Answer& a) {
  cache_.put(name, type, a, Cache::Clock::now());
  auto it = in_flight_.find(key);
  if (it == in_flight_.end()) return;
  std::vector<uint64_t> waiters = std::move(it->second);
  in_flight_.erase(it);
  for (uint64_t id : waiters) {
    auto job = jobs_.find(id);
    if (job == jobs_.end()) continue;
    if (job->second.waiting > 0 && --job->second.waiting > 0) continue;
    advance(id);
  }
}

}  // namespace core::dns
