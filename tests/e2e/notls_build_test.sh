#!/usr/bin/env bash
# `make TLS=0`: the tree builds without OpenSSL (tls/ not compiled), and the result refuses
# listen=tls:, tls_* parameters and tls_domain blocks with "built without TLS support". Builds
# the ser binary and the config tests in a build directory of its own, then runs the CLI test
# and the config tests (their TLS=0 variants) against it.
source "$(dirname "$0")/lib.sh"
: "${SER_BINARY_DIR:?SER_BINARY_DIR must point at the build tree}"
dir="$SER_BINARY_DIR/notls"
# The flags of `make TLS=0` (RelWithDebInfo: -O2, whose warnings -Werror turns into errors)
# without the debug information, which takes a third of the compile time and is never read here.
if cmake -S "$SER_SOURCE_DIR" -B "$dir" -DTLS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
     -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG" >"$E2E_TMP/configure.log" 2>&1 &&
   cmake --build "$dir" --target ser cfg_tests -j 2 >"$E2E_TMP/build.log" 2>&1; then
  pass "TLS=0 build of ser and cfg_tests"
else
  fail "TLS=0 build"; tail -n 30 "$E2E_TMP/build.log" "$E2E_TMP/configure.log"; e2e_finish
fi
if grep -q "ser_tls" "$E2E_TMP/build.log" || nm -C "$dir/ser" | grep -q " SSL_CTX_new"; then
  fail "the TLS=0 build compiled tls/ or links OpenSSL"
else
  pass "no tls/ and no OpenSSL in the TLS=0 binary"
fi
if SER_BIN="$dir/ser" SER_TLS=0 bash "$SER_SOURCE_DIR/tests/e2e/cli_test.sh" >"$E2E_TMP/cli.log" 2>&1; then
  pass "CLI checks of the TLS=0 binary ($(grep -c '^PASS' "$E2E_TMP/cli.log") passed)"
else
  fail "CLI checks of the TLS=0 binary"; grep FAIL -A3 "$E2E_TMP/cli.log"
fi
if (cd "$dir" && ./cfg_tests --gtest_brief=1 >"$E2E_TMP/cfg.log" 2>&1); then
  pass "config tests of the TLS=0 build ($(grep -oE '[0-9]+ tests' "$E2E_TMP/cfg.log" | tail -1))"
else
  fail "config tests of the TLS=0 build"; tail -n 30 "$E2E_TMP/cfg.log"
fi
e2e_finish
