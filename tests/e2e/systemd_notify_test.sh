#!/usr/bin/env bash
# systemd's readiness protocol (sd_notify(3); etc/ser.service is Type=notify) without systemd:
# a unix datagram socket stands in for systemd's (NOTIFY_SOCKET). READY=1 comes from ser's own
# pid once it answers SIP; RELOADING=1 then READY=1 around a SIGHUP reload, good or bad;
# STOPPING=1 at SIGTERM; a ser that cannot start never says READY=1.
source "$(dirname "$0")/lib.sh"

# listen_notify NAME: a notification socket $E2E_TMP/NAME.sock logging to $E2E_TMP/NAME.log.
listen_notify() {
  python3 "$SER_SOURCE_DIR/tests/e2e/sd_notify_listener.py" "$E2E_TMP/$1.sock" "$E2E_TMP/$1.log" 60 &
  E2E_PIDS+=($!)
  for _ in $(seq 1 50); do grep -q listening "$E2E_TMP/$1.log" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# wait_notify NAME REGEX: up to 10 s for a notification matching REGEX.
wait_notify() {
  for _ in $(seq 1 100); do grep -qE "$2" "$E2E_TMP/$1.log" && return 0; sleep 0.1; done
  return 1
}

port=$(free_port)
printf 'listen = udp:127.0.0.1:%s\nchildren = 2\nroute { if (method == "OPTIONS") { sl_send_reply(200, "OK"); exit; } forward(); }\n' \
  "$port" >"$E2E_TMP/ser.cfg"

# 1. READY=1 once serving, from the main pid (systemd's NotifyAccess=main checks it).
listen_notify main || fail "notification socket"
NOTIFY_SOCKET="$E2E_TMP/main.sock" "$SER_BIN" -f "$E2E_TMP/ser.cfg" -D -E >"$E2E_TMP/ser.log" 2>&1 &
pid=$!
E2E_PIDS+=("$pid")
if wait_notify main 'READY=1'; then
  pass "READY=1 received"
  got=$(options_udp "$port")
  [ "$got" = "SIP/2.0 200 OK" ] && pass "serving SIP when READY=1 arrives: $got" ||
    fail "READY=1 before serving: OPTIONS got '$got'"
  grep -q "^pid=$pid READY=1" "$E2E_TMP/main.log" && pass "READY=1 sent by ser's own pid $pid" ||
    fail "READY=1 not from pid $pid: $(grep READY "$E2E_TMP/main.log")"
  grep -qE "READY=1;STATUS=serving with 2 workers" "$E2E_TMP/main.log" &&
    pass "STATUS says what runs" || fail "no STATUS: $(cat "$E2E_TMP/main.log")"
else
  fail "no READY=1 within 10 s: $(cat "$E2E_TMP/main.log") / $(cat "$E2E_TMP/ser.log")"
fi
[ "$(grep -c 'READY=1' "$E2E_TMP/main.log")" = 1 ] && pass "READY=1 said once at start" ||
  fail "READY=1 count: $(grep -c 'READY=1' "$E2E_TMP/main.log")"

# 2. SIGHUP (systemctl reload): RELOADING=1 with the monotonic time, then READY=1 once the
#    reload is over, whether it worked or not (ser serves on with what it has).
reload_notified() {  # reload_notified N WHAT: the Nth reload said RELOADING=1 then READY=1
  local want=$1 what=$2
  for _ in $(seq 1 100); do
    [ "$(grep -c "^pid=$pid RELOADING=1;MONOTONIC_USEC=[0-9]" "$E2E_TMP/main.log")" -ge "$want" ] &&
      [ "$(grep -c 'READY=1' "$E2E_TMP/main.log")" -ge $((want + 1)) ] && break
    sleep 0.1
  done
  if [ "$(grep -cE '^pid=[0-9]+ (RELOADING|READY)=1' "$E2E_TMP/main.log")" -eq $((2 * want + 1)) ] &&
    tail -2 "$E2E_TMP/main.log" | head -1 | grep -q "RELOADING=1" &&
    tail -1 "$E2E_TMP/main.log" | grep -q "READY=1"; then
    pass "$what: RELOADING=1 then READY=1"
  else
    fail "$what: notifications $(tr '\n' '|' <"$E2E_TMP/main.log")"
  fi
}
kill -HUP "$pid"
reload_notified 1 "SIGHUP reload"
log_has_line() { for _ in $(seq 1 50); do grep -qE "$1" "$E2E_TMP/ser.log" && return 0; sleep 0.1; done; return 1; }
log_has_line "reload #1 ok" && pass "the reload worked (log)" || fail "no 'reload #1 ok' in the log"
cp "$E2E_TMP/ser.cfg" "$E2E_TMP/ser.cfg.good"
printf 'children = 2\nroute { no_such_function(); }\n' >>"$E2E_TMP/ser.cfg"
kill -HUP "$pid"
reload_notified 2 "failed reload"
log_has_line "reload failed" && pass "the failed reload said so (log)" || fail "no 'reload failed' in the log"
cp "$E2E_TMP/ser.cfg.good" "$E2E_TMP/ser.cfg"
[ "$(options_udp "$port")" = "SIP/2.0 200 OK" ] && pass "serving after both reloads" ||
  fail "not serving after the reloads"

# 3. SIGTERM: STOPPING=1, then a clean exit.
kill -TERM "$pid"
wait_notify main "^pid=$pid STOPPING=1" && pass "STOPPING=1 at SIGTERM" ||
  fail "no STOPPING=1: $(cat "$E2E_TMP/main.log")"
rc=124
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || { wait "$pid"; rc=$?; break; }; sleep 0.1; done
[ "$rc" -eq 0 ] && pass "exit 0 after STOPPING=1" || fail "exit $rc"

# 4. A ser that cannot start (its port taken) exits 1 without ever saying READY=1.
listen_notify first || fail "notification socket (first)"
NOTIFY_SOCKET="$E2E_TMP/first.sock" start_ser "$E2E_TMP/ser.cfg" first || fail "first instance"
listen_notify second || fail "notification socket (second)"
NOTIFY_SOCKET="$E2E_TMP/second.sock" timeout 10 "$SER_BIN" -f "$E2E_TMP/ser.cfg" -D -E \
  >"$E2E_TMP/second.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] && pass "second instance on a taken port: exit 1" || fail "second instance: exit $rc"
grep -q 'READY=1' "$E2E_TMP/second.log" && fail "READY=1 from a ser that did not start" ||
  pass "no READY=1 from a ser that did not start"

e2e_finish
