#include "tools/sipbench/pending_table.h"

namespace sipbench {

PendingTable::PendingTable(uint32_t window) : entries_(window) {
  free_.reserve(window);
  for (uint32_t slot = window; slot > 0; --slot) free_.push_back(slot - 1);  // slot 0 first
}

uint32_t PendingTable::add(uint64_t seq, Clock::time_point sent, bool counted) {
  assert(!free_.empty());
  uint32_t slot = free_.back();
  free_.pop_back();
  Entry& e = entries_[slot];
  assert(!e.busy);
  e = Entry{seq, sent, true, counted};
  return slot;
}

const PendingTable::Entry* PendingTable::find(uint32_t slot, uint64_t seq) const {
  if (slot >= entries_.size()) return nullptr;
  const Entry& e = entries_[slot];
  return e.busy && e.seq == seq ? &e : nullptr;
}

PendingTable::Entry PendingTable::release(uint32_t slot) {
  assert(slot < entries_.size() && entries_[slot].busy);
  Entry e = entries_[slot];
  entries_[slot].busy = false;
  free_.push_back(slot);
  return e;
}

}  // namespace sipbench
