#!/usr/bin/env bash
# The open-file limit. 1. ser raises its soft limit to the hard limit at start: started from a
# shell whose soft limit is 128 (the hard one untouched), it still holds 300 TCP connections
# (sipbench, which raises its own limit too), and says so in its log. 2. At a hard limit of
# 128, a flood of 300 connections is refused one connection at a time (no worker spins on a
# listener it cannot accept from), and ser serves new clients once descriptors are free.
source "$(dirname "$0")/lib.sh"
: "${SER_BINARY_DIR:?SER_BINARY_DIR must point at the build tree}"
SIPBENCH="$SER_BINARY_DIR/sipbench"
if [ "${SER_TLS:-1}" != 1 ] || [ ! -x "$SIPBENCH" ]; then
  echo "SKIP: sipbench is built with TLS builds only"
  exit 0
fi
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 400 ]; then
  echo "SKIP: the hard open-file limit ($hard) is below 400"
  exit 0
fi

T=$(free_port)
printf 'listen = tcp:127.0.0.1:%s\nlog_level = 3\nctl_socket = unix:%s/ctl\nroute { sl_send_reply(200, "OK"); }\n' \
  "$T" "$E2E_TMP" >"$E2E_TMP/ser.cfg"
ulimit -Sn 128 || { fail "cannot lower the soft limit"; e2e_finish; }
start_ser "$E2E_TMP/ser.cfg" || { fail "ser did not start"; e2e_finish; }

timeout 30 "$SIPBENCH" idle "127.0.0.1:$T" -T tcp -c 300 -p 50 -d 0 -q >"$E2E_TMP/idle.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '"succeeded":300,.*"failed":0' "$E2E_TMP/idle.out"; then
  pass "300 connections held by a ser started with a soft limit of 128"
else
  fail "exit $rc: $(cat "$E2E_TMP/idle.out"; grep -i 'file descriptors' "$E2E_TMP/ser.log" | head -3)"
fi
log_has() { grep -qE -- "$1" "$E2E_TMP/ser.log"; }
log_has "open-file limit raised from 128 to $hard \(the hard limit\)" &&
  pass "the log says the limit was raised" || fail "no log line: $(head -20 "$E2E_TMP/ser.log")"
ulimit -Sn "$hard"

# 2. Hard limit 128 for ser alone.
flood_at_the_limit() {
  local F low held refused
  F=$(free_port)
  printf 'listen = tcp:127.0.0.1:%s\nlog_level = 2\nctl_socket = unix:%s/low.ctl\nroute { sl_send_reply(200, "OK"); }\n' \
    "$F" "$E2E_TMP" >"$E2E_TMP/low.cfg"
  (ulimit -n 128 && exec "$SER_BIN" -f "$E2E_TMP/low.cfg" -D -E -P "$E2E_TMP/low.pid") >"$E2E_TMP/low.log" 2>&1 &
  low=$!
  E2E_PIDS+=("$low")
  for _ in $(seq 1 100); do [ -s "$E2E_TMP/low.pid" ] && break; sleep 0.1; done
  [ -s "$E2E_TMP/low.pid" ] || { fail "ser with 128 descriptors did not start"; return; }
  timeout 30 "$SIPBENCH" idle "127.0.0.1:$F" -T tcp -c 300 -p 300 -d 1 --timeout 3 -q >"$E2E_TMP/flood.out" 2>&1
  held=$(grep -o '"held_max":[0-9]*' "$E2E_TMP/flood.out" | cut -d: -f2)
  [ "${held:-0}" -gt 50 ] && pass "$held connections served up to the limit" || fail "held ${held:-?}"
  # Refusals as the log counts them: one line each, or "and N more" summaries.
  refused=$(awk '/accept: out of file descriptors; connection refused/ { n++ }
    /connection refused: and [0-9,]+ more/ { v = $0; sub(/.* and /, "", v); sub(/ more.*/, "", v);
      gsub(/,/, "", v); n += v } END { print n + 0 }' "$E2E_TMP/low.log")
  [ "$refused" -le 300 ] && pass "refusals counted one per connection ($refused of 300 attempts)" ||
    fail "$refused refusals logged for 300 connection attempts: a worker spins on accept"
  timeout 20 "$SIPBENCH" idle "127.0.0.1:$F" -T tcp -c 5 -d 0 -q >"$E2E_TMP/after.out" 2>&1 &&
    pass "new clients served once the flood has gone" || fail "after the flood: $(cat "$E2E_TMP/after.out")"
}
# UBSan's vptr check probes memory through a pipe (sanitizer_common's IsAccessibleMemoryRange):
# with every descriptor taken it cannot, and reports each virtual call as an invalid vptr.
if [ -n "${UBSAN_OPTIONS:-}" ]; then
  echo "SKIP: part 2 under UBSan (its vptr check needs a free descriptor)"
else
  flood_at_the_limit
fi

e2e_finish
