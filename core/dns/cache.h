#pragma once
// Answers kept per (name, type) for their TTL, at most `capacity` of them: the least recently
// used goes first. One per worker, touched only by its thread: no lock on the forward path,
// at the price of each worker asking once for a name (README "How names are resolved").
#include <chrono>
#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/dns/answer.h"

namespace core::dns {

class Cache {
 public:
  using Clock = std::chrono::steady_clock;
  // Bounds of what is kept: a TTL of 0 is kept a second (the RFC 3263 procedure reads the
  // answer right after it arrived), negative answers at most kMaxNegativeTtl (RFC 2308 §5
  // suggests 1 to 3 hours; a name that appears should not wait that long), positive ones a day.
  static constexpr uint32_t kMinTtl = 1;
  static constexpr uint32_t kMaxNegativeTtl = 300;
  static constexpr uint32_t kMaxTtl = 86400;
  // A failure (timeout, SERVFAIL) is kept this long: requests meanwhile get 503 at once
  // instead of each waiting for the timeout (RFC 2308 §7.1 allows up to five minutes).
  static constexpr uint32_t kFailedTtl = 5;

  explicit Cache(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The answer for (name, type) if kept and not expired; null otherwise. `name` as asked
  // (any case, final dot or not). Allocates nothing.
  const Answer* find(std::string_view name, RrType type, Clock::time_point now);
  // Keeps `answer` for its TTL (bounded as above), evicting the least recently used entry when
  // full.
  void put(std::string_view name, RrType type, Answer answer, Clock::time_point now);

  size_t size() const { return map_.size(); }
  size_t capacity() const { return capacity_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t evictions() const { return evictions_; }

 private:
  struct Entry {
    std::string key;
    Answer answer;
    Clock::time_point expires;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using List = std::list<Entry>;
  // "TYPE name" in buf: one key for both parts, built without allocating.
  static std::string_view make_key(std::string_view name, RrType type, char* buf, size_t size);

  size_t capacity_;
  List lru_;  // most recently used first
  std::unordered_map<std::string, List::iterator, Hash, std::equal_to<>> map_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
  uint64_t evictions_ = 0;
};

}  // namespace core::dns
