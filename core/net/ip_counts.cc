#include "core/net/ip_counts.h"

#include <cassert>

namespace core::net {

bool IpCounts::try_acquire(const IpKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  uint32_t& n = counts_[key];
  if (max_ > 0 && n >= max_) return false;
  ++n;
  return true;
}

void IpCounts::release(const IpKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counts_.find(key);
  assert(it != counts_.end() && "released an address that holds nothing");
  if (it == counts_.end()) return;
  if (--it->second == 0) counts_.erase(it);
}

uint32_t IpCounts::count(const IpKey& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counts_.find(key);
  return it == counts_.end() ? 0 : it->second;
}

}  // namespace core::net
