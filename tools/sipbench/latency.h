#pragma once
// Latency samples of one run and their percentiles (nearest rank: the smallest sample with at
// least q of all samples at or below it, so p100 is the maximum and no value is invented).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sipbench {

class Latency {
 public:
  void reserve(size_t n) { samples_.reserve(n); }
  void add(uint64_t micros) {
    samples_.push_back(micros);
    sorted_ = false;
  }
  size_t count() const { return samples_.size(); }
  // q in [0, 1]; 0 when there is no sample.
  uint64_t percentile(double q);
  uint64_t max();

 private:
  std::vector<uint64_t> samples_;
  bool sorted_ = true;
};

}  // namespace sipbench
