#!/usr/bin/env bash
# Process basics: the sample etc/ser.cfg starts and answers; SIGTERM and SIGINT stop ser
# cleanly (exit 0, pid file removed); without -D it goes to the background and its pid file
# names the daemon; as root, `user = nobody` drops privileges after binding.
source "$(dirname "$0")/lib.sh"

simple_cfg() {  # simple_cfg FILE PORT [extra lines]
  printf 'listen = udp:127.0.0.1:%s\nchildren = 1\n%s\nroute { if (method == "OPTIONS") { sl_send_reply(200, "OK"); exit; } forward(); }\n' "$2" "${3:-}" >"$1"
}

# 1. The sample configuration runs as shipped (with a test PKI where it expects one).
mkdir -p "$E2E_TMP/sample/etc"
cp "$SER_SOURCE_DIR"/etc/*.cfg "$E2E_TMP/sample/etc/"
"$SER_SOURCE_DIR/tools/make-test-certs.sh" "$E2E_TMP/sample/certs" 2>/dev/null
if [ "${SER_TLS:-1}" != 1 ]; then
  echo "SKIP: the sample etc/ser.cfg needs a TLS build"
elif ss -Hlun | grep -q '127.0.0.1:5060 '; then
  echo "SKIP: port 5060 busy, sample config not started"
else
  start_ser "$E2E_TMP/sample/etc/ser.cfg" sample || fail "sample ser.cfg start"
  pid=$SER_PID
  got=$(options_udp 5060)
  [ "$got" = "SIP/2.0 200 OK" ] && pass "etc/ser.cfg answers OPTIONS: $got" ||
    fail "etc/ser.cfg OPTIONS: got '$got'"
  kill -TERM "$pid"; wait "$pid"; rc=$?
  [ "$rc" -eq 0 ] && pass "sample stopped by SIGTERM, exit 0" || fail "sample exit $rc"
fi

# 2. SIGTERM and SIGINT: exit 0, pid file removed.
for sig in TERM INT; do
  port=$(free_port)
  simple_cfg "$E2E_TMP/s_$sig.cfg" "$port"
  start_ser "$E2E_TMP/s_$sig.cfg" "s_$sig" || { fail "start for SIG$sig"; continue; }
  pid=$SER_PID
  [ "$(options_udp "$port")" = "SIP/2.0 200 OK" ] || fail "answers before SIG$sig"
  kill -"$sig" "$pid"
  rc=124
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || { wait "$pid"; rc=$?; break; }; sleep 0.1; done
  [ "$rc" -eq 0 ] && pass "SIG$sig: exit 0" || fail "SIG$sig: exit $rc"
  [ ! -e "$E2E_TMP/s_$sig.pid" ] && pass "SIG$sig: pid file removed" || fail "SIG$sig: pid file left"
done

# 3. A second ser on the same address is refused instead of sharing it (SO_REUSEPORT).
port=$(free_port)
simple_cfg "$E2E_TMP/dup.cfg" "$port"
start_ser "$E2E_TMP/dup.cfg" dup1 || fail "start first instance"
out=$(timeout 10 "$SER_BIN" -f "$E2E_TMP/dup.cfg" -D -E 2>&1); rc=$?
if [ "$rc" -eq 1 ] && grep -q "already in use" <<<"$out"; then pass "second instance refused: exit 1"
else fail "second instance: exit $rc, output: $out"; fi
[ "$(options_udp "$port")" = "SIP/2.0 200 OK" ] && pass "first instance still serves" ||
  fail "first instance stopped answering"
kill -TERM "$SER_PID"

# 4. Background mode: without -D, the pid file names the daemon, which serves.
port=$(free_port)
simple_cfg "$E2E_TMP/bg.cfg" "$port"
"$SER_BIN" -f "$E2E_TMP/bg.cfg" -P "$E2E_TMP/bg.pid" >/dev/null 2>&1
rc=$?
for _ in $(seq 1 50); do [ -s "$E2E_TMP/bg.pid" ] && break; sleep 0.1; done
bgpid=$(cat "$E2E_TMP/bg.pid" 2>/dev/null)
if [ "$rc" -eq 0 ] && [ -n "$bgpid" ] && kill -0 "$bgpid" 2>/dev/null; then
  E2E_PIDS+=("$bgpid")
  pass "background: launcher exit 0, daemon pid $bgpid alive"
  [ "$(options_udp "$port")" = "SIP/2.0 200 OK" ] && pass "background daemon answers" ||
    fail "background daemon does not answer"
  kill -TERM "$bgpid"
else
  fail "background mode (launcher exit $rc, pid '$bgpid')"
fi

# 5. Privilege drop after binding (only as root).
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
  port=$(free_port)
  simple_cfg "$E2E_TMP/priv.cfg" "$port" "user = \"nobody\""
  start_ser "$E2E_TMP/priv.cfg" priv || fail "start with user=nobody"
  pid=$SER_PID
  uid=$(awk '/^Uid:/{print $3}' "/proc/$pid/status" 2>/dev/null)
  [ "$uid" = "$(id -u nobody)" ] && pass "privileges dropped to nobody (uid $uid)" ||
    fail "effective uid is '$uid', not nobody's"
  [ "$(options_udp "$port")" = "SIP/2.0 200 OK" ] && pass "serves after dropping privileges" ||
    fail "no answer after dropping privileges"
  bad=$(free_port)
  simple_cfg "$E2E_TMP/nouser.cfg" "$bad" "user = \"no-such-user-ser\""
  out=$("$SER_BIN" -f "$E2E_TMP/nouser.cfg" -D -E -P "$E2E_TMP/nouser.pid" 2>&1); rc=$?
  if [ "$rc" -ne 0 ] && grep -q "no-such-user-ser" <<<"$out"; then pass "unknown user refused: exit $rc"
  else fail "unknown user: exit $rc, output: $out"; fi
  [ ! -e "$E2E_TMP/nouser.pid" ] && pass "unknown user: no pid file left behind" ||
    fail "unknown user: pid file $E2E_TMP/nouser.pid left behind"
else
  echo "SKIP: privilege drop needs root"
fi
e2e_finish
