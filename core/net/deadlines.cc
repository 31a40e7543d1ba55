#include "core/net/deadlines.h"

#include <algorithm>

namespace core::net {

Deadlines::Clock::time_point Deadlines::next() const {
  return *std::min_element(at_.begin(), at_.end());
}

std::optional<DeadlineKind> Deadlines::expired(Clock::time_point now) const {
  for (size_t i = 0; i < kKinds; ++i)
    if (at_[i] != kNever && at_[i] <= now) return static_cast<DeadlineKind>(i);
  return std::nullopt;
}

}  // namespace core::net
