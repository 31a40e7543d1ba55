#pragma once
// Counts what each source address holds (connections, handshakes) against a per-address limit,
// for every worker at once: one mutex, taken once on accept and once on close.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "core/net/ip_key.h"

namespace core::net {

class IpCounts {
 public:
  explicit IpCounts(uint32_t max_per_ip) : max_(max_per_ip) {}  // 0 = no limit
  IpCounts(const IpCounts&) = delete;
  IpCounts& operator=(const IpCounts&) = delete;

  // Counts one more for `key`; false (nothing counted) when it is at the limit.
  bool try_acquire(const IpKey& key);
  void release(const IpKey& key);
  uint32_t count(const IpKey& key) const;
  uint32_t limit() const { return max_; }

 private:
  uint32_t max_;
  mutable std::mutex mu_;
  std::unordered_map<IpKey, uint32_t, IpKeyHash> counts_;
};

}  // namespace core::net
