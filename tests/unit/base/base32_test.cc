#include "core/base/base32.h"

#include <gtest/gtest.h>

#include <string>

namespace core {
namespace {

std::string encode(std::string_view bytes) {
  std::string out(base32_chars(bytes.size()), '?');
  size_t n =
      base32_encode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), out.data());
  EXPECT_EQ(n, out.size());
  return out;
}

TEST(Base32Test, Rfc4648VectorsInLowerCaseWithoutPadding) {
  EXPECT_EQ(encode("f"), "my");
  EXPECT_EQ(encode("fo"), "mzxq");
  EXPECT_EQ(encode("foobar"), "mzxw6ytboi");
  EXPECT_EQ(base32_chars(8), 13u);
}

TEST(Base32Test, DecodesOnlyWhatEncodeWrites) {
  uint8_t out[16];
  ASSERT_EQ(base32_decode("mzxw6ytboi", out, sizeof(out)), 6u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 6), "foobar");
  EXPECT_EQ(base32_decode("MZXQ", out, sizeof(out)), 0u) << "upper case";
  EXPECT_EQ(base32_decode("mzxr", out, sizeof(out)), 0u) << "padding bits not zero";
  EXPECT_EQ(base32_decode("mzxw6ytboi", out, 5), 0u) << "longer than the buffer";
}

}  // namespace
}  // namespace core
