#!/usr/bin/env bash
# `make install` (cmake --install) into a scratch prefix: ser, serctl, the sample configs and the
# systemd unit, whose paths name that prefix; systemd-analyze verifies the unit when present.
source "$(dirname "$0")/lib.sh"
: "${SER_BINARY_DIR:?SER_BINARY_DIR must point at the build tree}"

prefix="$E2E_TMP/prefix"
if cmake --install "$SER_BINARY_DIR" --prefix "$prefix" >"$E2E_TMP/install.log" 2>&1; then
  pass "cmake --install into $prefix"
else
  fail "cmake --install: $(cat "$E2E_TMP/install.log")"
fi
installed=(sbin/ser sbin/serctl etc/ser/ser.cfg lib/systemd/system/ser.service)
[ "${SER_TLS:-1}" = 1 ] && installed+=(bin/sipbench)  # the load tool speaks TLS: TLS builds only
for f in "${installed[@]}"; do
  [ -e "$prefix/$f" ] && pass "installed $f" || fail "missing $f"
done

unit="$prefix/lib/systemd/system/ser.service"
grep -qx "ExecStart=$prefix/sbin/ser -D -f $prefix/etc/ser/ser.cfg" "$unit" &&
  pass "the unit starts the installed ser in the foreground on the installed config" ||
  fail "ExecStart: $(grep ExecStart "$unit")"
grep -q "/usr/local/" "$unit" && fail "the unit still names /usr/local: $(grep /usr/local/ "$unit")" ||
  pass "no path outside the prefix"
grep -qx "Type=notify" "$unit" && grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$unit" &&
  grep -qx "RuntimeDirectory=ser" "$unit" && grep -qx "AmbientCapabilities=CAP_NET_BIND_SERVICE" "$unit" &&
  pass "Type=notify, reload by SIGHUP, /run/ser, may bind ports below 1024" ||
  fail "unit settings: $(grep -E '^(Type|ExecReload|RuntimeDirectory|AmbientCapabilities)=' "$unit")"

# The installed ser runs as the unit runs it (its config checked the way start-up builds it).
"$prefix/sbin/ser" -V >/dev/null 2>&1 && pass "installed ser runs" || fail "installed ser -V"

if command -v systemd-analyze >/dev/null; then
  if out=$(systemd-analyze verify "$unit" 2>&1); then pass "systemd-analyze verify: clean"
  else fail "systemd-analyze verify: $out"; fi
else
  echo "SKIP: systemd-analyze not installed"
fi

e2e_finish
