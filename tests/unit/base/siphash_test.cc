#include "core/base/siphash.h"

#include <gtest/gtest.h>

#include <string>

namespace core {
namespace {

// The reference key 00 01 .. 0f and messages 00 01 .. (n-1) of the SipHash paper's test vectors
// (Appendix A; also what `openssl mac ... SIPHASH` prints).
const SipKey kKey{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};

std::string counting(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i));
  return s;
}

TEST(SipHashTest, MatchesTheReferenceVectors) {
  EXPECT_EQ(siphash24(kKey, counting(0)), 0x726fdb47dd0e0e31ull);
  EXPECT_EQ(siphash24(kKey, counting(15)), 0xa129ca6149be45e5ull);
}

TEST(SipHashTest, PiecesHashLikeTheWhole) {
  std::string m = counting(40);
  uint64_t whole = siphash24(kKey, m);
  EXPECT_EQ(SipHash(kKey).add(m.substr(0, 3)).add(m.substr(3, 17)).add(m.substr(20)).finish(),
            whole);
  EXPECT_EQ(SipHash(kKey).add_u64(0x0706050403020100ull).add(m.substr(8)).finish(), whole);
}

TEST(SipHashTest, RandomKeysDiffer) {
  SipKey a = SipKey::random();
  SipKey b = SipKey::random();
  EXPECT_FALSE(a.k0 == b.k0 && a.k1 == b.k1);
}

}  // namespace
}  // namespace core
