// tls/builtin_key_methods.cc as compiled against an OpenSSL without ENGINE support (built with
// no-engine, a system shipping <openssl/engine.h> apart, OpenSSL 4): this binary compiles that
// file with OPENSSL_NO_ENGINE defined. It must still build, refuse with a reason the start log
// can show (ser then keeps the provider decoders and warns), and never claim to be in use.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/opensslv.h>

#include <string>

#include "tls/builtin_key_methods.h"

namespace {

using ::testing::HasSubstr;

TEST(BuiltinKeyMethodsWithoutEngine, RefusedWithTheReasonAndNeverInUse) {
  std::string error;
  EXPECT_FALSE(tls::use_builtin_key_methods(&error));
  EXPECT_THAT(error, HasSubstr("has no ENGINE support"));
  EXPECT_THAT(error, HasSubstr(OPENSSL_VERSION_TEXT)) << "names the library it was built with";
  EXPECT_FALSE(tls::builtin_key_methods_in_use());
  std::string again;
  EXPECT_FALSE(tls::use_builtin_key_methods(&again));
  EXPECT_EQ(again, error);
}

}  // namespace
