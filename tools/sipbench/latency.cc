#include "tools/sipbench/latency.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>

namespace sipbench {

namespace {

constexpr unsigned kSubBits = 8;                    // 256 buckets per power of two
constexpr uint64_t kSub = uint64_t{1} << kSubBits;  // 256
constexpr uint64_t kExact = kSub * 2;               // values below 512 have a bucket each
constexpr size_t kBuckets = kExact + (63 - kSubBits) * kSub;

}  // namespace

Latency::Latency() : counts_(kBuckets, 0) {}

size_t Latency::bucket_of(uint64_t v) {
  if (v < kExact) return static_cast<size_t>(v);
  unsigned exponent = static_cast<unsigned>(std::bit_width(v)) - 1;  // >= 9
  unsigned shift = exponent - kSubBits;
  uint64_t sub = (v >> shift) - kSub;  // 0..255
  return static_cast<size_t>(kExact + (exponent - kSubBits - 1) * kSub + sub);
}

uint64_t Latency::highest_in(size_t bucket) {
  if (bucket < kExact) return bucket;
  size_t above = bucket - kExact;
  unsigned shift = static_cast<unsigned>(above / kSub) + 1;
  uint64_t sub = above % kSub + kSub;
  return ((sub + 1) << shift) - 1;
}

void Latency::add(uint64_t micros) {
  ++counts_[bucket_of(micros)];
  ++count_;
  if (micros > max_) max_ = micros;
}

uint64_t Latency::percentile(double q) const {
  assert(q >= 0 && q <= 1);
  if (count_ == 0) return 0;
  // The epsilon keeps 0.99 * 100 (99.00000000000001 in binary) at rank 99.
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_) - 1e-9));
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (size_t b = 0; b < counts_.size(); ++b) {
    seen += counts_[b];
    if (seen >= rank) return std::min(highest_in(b), max_);
  }
  return max_;
}

void Latency::clear() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  max_ = 0;
}

}  // namespace sipbench
