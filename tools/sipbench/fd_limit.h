#pragma once
// sipbench holds one descriptor per connection: it raises its RLIMIT_NOFILE soft limit to the
// hard one (core::raise_fd_limit), and says beforehand when that cannot cover the connections
// asked for.
#include <cstdint>
#include <string>

namespace sipbench {

// A warning when `wanted` connections (plus a few descriptors of our own) exceed `limit`; empty
// when they fit.
std::string fd_limit_warning(uint64_t wanted, uint64_t limit);

}  // namespace sipbench
