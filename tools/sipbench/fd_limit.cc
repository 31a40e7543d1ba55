#include "tools/sipbench/fd_limit.h"

namespace sipbench {

namespace {
// stdin/out/err, libevent's epoll and signal pipe, OpenSSL's files: what is not a connection.
constexpr uint64_t kOwnDescriptors = 16;
}  // namespace

std::string fd_limit_warning(uint64_t wanted, uint64_t limit) {
  if (wanted + kOwnDescriptors <= limit) return {};
  uint64_t room = limit > kOwnDescriptors ? limit - kOwnDescriptors : 0;
  return "sipbench: RLIMIT_NOFILE is " + std::to_string(limit) + ": about " + std::to_string(room) +
         " of the " + std::to_string(wanted) +
         " connections can be open at once (raise the hard limit to hold more)";
}

}  // namespace sipbench
