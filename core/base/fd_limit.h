#pragma once
// The process's open-file limit (RLIMIT_NOFILE). ser and sipbench hold one descriptor per
// connection: the soft limit a shell gives (often 1,024) would stop them long before their own
// limits, so each raises it to the hard limit, what the administrator allows (systemd's
// LimitNOFILE= sets both).
#include <cstdint>

namespace core {

struct FdLimit {
  uint64_t before = 0;  // the soft limit found
  uint64_t now = 0;     // the soft limit in force afterwards (before when it could not be raised)
};

// Raises the soft limit to the hard limit.
FdLimit raise_fd_limit();

}  // namespace core
