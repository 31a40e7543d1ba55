// The per-message text arena of the proxy.
#include "core/proxy/sip_text.h"

#include <gtest/gtest.h>

namespace core::proxy {
namespace {

// An absent piece (a default string_view, whose data() is null) is skipped: memcpy from a null
// pointer is undefined even for zero bytes (UBSan: "null pointer passed as argument 2").
TEST(TextArenaTest, ConcatSkipsAbsentPieces) {
  TextArena arena;
  EXPECT_EQ(arena.concat({"a", std::string_view(), "b"}), "ab");
  EXPECT_EQ(arena.concat({std::string_view()}), "");
}

TEST(TextArenaTest, FullArenaGivesAnEmptyViewAndKeepsWhatItHas) {
  TextArena arena;
  std::string big(TextArena::kSize - 1, 'x');
  EXPECT_EQ(arena.concat({big}).size(), big.size());
  EXPECT_TRUE(arena.concat({"yz"}).empty());
  EXPECT_EQ(arena.concat({"y"}), "y");
}

}  // namespace
}  // namespace core::proxy
