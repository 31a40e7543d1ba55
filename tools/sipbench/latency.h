#pragma once
// Latency samples of a run as a log-linear histogram (as HdrHistogram does): values below 512 µs
// are kept exactly, larger ones in 256 buckets per power of two (at most 0.4 % above the true
// value), so a run of any length costs one fixed array and adding a sample allocates nothing.
// Percentiles use the nearest rank (the smallest sample with at least q of all samples at or
// below it): p100 is the exact maximum and no value below the smallest sample is invented.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sipbench {

class Latency {
 public:
  Latency();
  void add(uint64_t micros);
  uint64_t count() const { return count_; }
  // q in [0, 1]; 0 when there is no sample. The answer is the highest value of the sample's
  // bucket, never above the maximum seen.
  uint64_t percentile(double q) const;
  uint64_t max() const { return max_; }
  void clear();

  // The bucket of a value and the highest value that bucket holds (exposed for the tests).
  static size_t bucket_of(uint64_t micros);
  static uint64_t highest_in(size_t bucket);

 private:
  std::vector<uint64_t> counts_;  // sized once, in the constructor
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

}  // namespace sipbench
