#include "core/dns/cache.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace core::dns {

std::string_view Cache::make_key(std::string_view name, RrType type, char* buf, size_t size) {
  int n = std::snprintf(buf, size, "%u ", static_cast<unsigned>(type));
  if (n <= 0) return {};
  std::string_view norm = normalize_name(name, buf + n, size - static_cast<size_t>(n));
  if (norm.empty() && !name.empty()) return {};
  return {buf, static_cast<size_t>(n) + norm.size()};
}

const Answer* Cache::find(std::string_view name, RrType type, Clock::time_point now) {
  char buf[272];
  std::string_view key = make_key(name, type, buf, sizeof(buf));
  auto it = key.empty() ? map_.end() : map_.find(key);
  if (it == map_.end()) {
    ++misses_;
    return nullptr;
  }
  if (it->second->expires <= now) {
    lru_.erase(it->second);
    map_.erase(it);
    ++misses_;
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  ++hits_;
  return &it->second->answer;
}

void Cache::put(std::string_view name, RrType type, Answer answer, Clock::time_point now) {
  char buf[272];
  std::string_view key = make_key(name, type, buf, sizeof(buf));
  if (key.empty()) return;
  uint32_t ttl = answer.ttl;
  switch (answer.status) {
    case Status::kOk:
      ttl = std::min(ttl, kMaxTtl);
      break;
    case Status::kNoData:
    case Status::kNxDomain:
      ttl = std::min(ttl, kMaxNegativeTtl);
      break;
    case Status::kFailed:
      ttl = kFailedTtl;
      break;
  }
  ttl = std::max(ttl, kMinTtl);
  Clock::time_point expires = now + std::chrono::seconds(ttl);
  if (auto it = map_.find(key); it != map_.end()) {
    it->second->answer = std::move(answer);
    it->second->expires = expires;
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  while (map_.size() >= capacity_ && !lru_.empty()) {
    map_.erase(lru_.back().key);
    lru_.pop_back();
    ++evictions_;
  }
  lru_.push_front(Entry{std::string(key), std::move(answer), expires});
  map_.emplace(lru_.front().key, lru_.begin());
}

}  // namespace core::dns
