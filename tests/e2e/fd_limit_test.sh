#!/usr/bin/env bash
# ser raises its open-file soft limit to the hard limit at start: started from a shell whose
# soft limit is 128 (the hard one untouched), it still holds 300 TCP connections (sipbench,
# which raises its own limit too), and says so in its log.
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
printf 'listen = tcp:127.0.0.1:%s\nlog_level = 3\nroute { sl_send_reply(200, "OK"); }\n' "$T" >"$E2E_TMP/ser.cfg"
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

e2e_finish
