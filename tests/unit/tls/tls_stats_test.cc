#include "tls/tls_stats.h"

#include <gtest/gtest.h>

#include "core/base/memory_guard.h"

namespace tls {
namespace {

// A handshake that failed for want of memory is a connection dropped on a failed allocation:
// counted by its reason and in the process-wide allocation drops; other failures are not.
TEST(TlsStatsTest, AHandshakeWithoutMemoryIsAnAllocationDrop) {
  TlsStats stats;
  uint64_t drops = core::allocation_drops();
  stats.handshake_failed(HandshakeFailure::kVerify);
  EXPECT_EQ(core::allocation_drops(), drops);
  stats.handshake_failed(HandshakeFailure::kNoMemory);
  EXPECT_EQ(core::allocation_drops(), drops + 1);
  TlsStatsSnapshot s = stats.snapshot();
  EXPECT_EQ(s.failed_by(HandshakeFailure::kNoMemory), 1u);
  EXPECT_EQ(s.failed_by(HandshakeFailure::kVerify), 1u);
  EXPECT_EQ(s.failed_total(), 2u);
}

}  // namespace
}  // namespace tls
