#pragma once
// The requests one connection has outstanding: a fixed table of `window` slots (the slot number
// is in each request's id, so an answer finds its request without a search or a map), with the
// send time for the latency and whether the request counts (sent in the measured run).
#include <cassert>
#include <chrono>
#include <cstdint>
#include <vector>

namespace sipbench {

class PendingTable {
 public:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    uint64_t seq = 0;
    Clock::time_point sent;
    bool busy = false;
    bool counted = false;
  };

  explicit PendingTable(uint32_t window);

  bool full() const { return free_.empty(); }
  uint32_t outstanding() const { return static_cast<uint32_t>(entries_.size() - free_.size()); }

  // Puts request `seq` in a free slot (there must be one) and returns the slot.
  uint32_t add(uint64_t seq, Clock::time_point sent, bool counted);
  // The request (`slot`, `seq`) while it is outstanding; null for an unknown, answered or
  // expired one (a duplicate or late answer).
  const Entry* find(uint32_t slot, uint64_t seq) const;
  // Frees `slot` (outstanding) and returns what it held.
  Entry release(uint32_t slot);
  // Frees every request sent before `before` (all of them with Clock::time_point::max()),
  // calling `on_expired(entry)` for each.
  template <typename F>
  void expire(Clock::time_point before, F&& on_expired) {
    for (uint32_t slot = 0; slot < entries_.size(); ++slot) {
      if (entries_[slot].busy && entries_[slot].sent < before) on_expired(release(slot));
    }
  }

 private:
  std::vector<Entry> entries_;
  std::vector<uint32_t> free_;  // a stack of free slots, sized once
};

}  // namespace sipbench
