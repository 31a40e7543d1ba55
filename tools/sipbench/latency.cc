#include "tools/sipbench/latency.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace sipbench {

uint64_t Latency::percentile(double q) {
  assert(q >= 0 && q <= 1);
  if (samples_.empty()) return 0;
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
  // The epsilon keeps 0.99 * 100 (99.00000000000001 in binary) at rank 99.
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(samples_.size()) - 1e-9));
  return samples_[rank == 0 ? 0 : rank - 1];
}

uint64_t Latency::max() {
  return percentile(1.0);
}

}  // namespace sipbench
