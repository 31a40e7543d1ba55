#!/usr/bin/env bash
# Reloading ser.cfg without a restart: a route change made with SIGHUP answers the next request
# of a TLS connection opened before it, without dropping it; a configuration that fails
# `ser -c` fails the reload with the same diagnostics (serctl reload and the log) and changes
# nothing; a parameter only a restart applies (a new listen socket) is reported as such.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
tls_make_certs
SERCTL="$(dirname "$SER_BIN")/serctl"

P=$(tls_port)
PU=$(tls_port)
PX=$(tls_port)
CTL="$E2E_TMP/ser.ctl"
write_cfg() {  # write_cfg REASON [EXTRA-LINES]
  cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
listen = udp:127.0.0.1:$PU
${2:-}
children = 2
ctl_socket = "unix:$CTL"
$(tls_server_params server)
route {
  if (method == "OPTIONS") { sl_send_reply(200, "$1"); exit; }
  drop;
}
CFG
}
write_cfg "First"
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
LOG=$E2E_TMP/ser.log

mkfifo "$E2E_TMP/client.in"
exec {client}<>"$E2E_TMP/client.in"
timeout 60 openssl s_client -connect "127.0.0.1:$P" -CAfile "$CERTS/ca.pem" -noservername \
  -nocommands -quiet <"$E2E_TMP/client.in" >"$E2E_TMP/client.out" 2>&1 &
E2E_PIDS+=("$!")
CLIENT_PID=$!
# ask REASON: an OPTIONS over the kept connection; true when "200 REASON" comes back on it.
ask() {
  local before
  before=$(cat "$E2E_TMP/client.out" 2>/dev/null | grep -ac "^SIP/2.0 200 $1")
  sip_options_msg TLS "$P" >&"$client"
  for _ in $(seq 1 100); do
    [ "$(cat "$E2E_TMP/client.out" 2>/dev/null | grep -ac "^SIP/2.0 200 $1")" -gt "$before" ] && return 0
    sleep 0.1
  done
  return 1
}
ask First && pass "the TLS connection is answered by the first route" ||
  { fail "first answer"; cat "$E2E_TMP/client.out"; }

# 1. A route change, by SIGHUP: the same connection gets the new answer.
write_cfg "Second"
kill -HUP "$SER_PID"
wait_for "$LOG" 'reload #1 ok' || { fail "no 'reload #1 ok' line"; tail "$LOG"; }
if ask Second && kill -0 "$CLIENT_PID" 2>/dev/null; then
  pass "after SIGHUP the route change answers on the connection opened before: $(grep -m1 'reload #1' "$LOG" | sed 's/.*reload/reload/')"
else
  fail "route change on the live connection"; cat "$E2E_TMP/client.out"; tail "$LOG"
fi

# 2. A configuration that fails ser -c: the reload fails with the same diagnostics.
write_cfg "Third"
sed -i 's/sl_send_reply(200, "Third")/sl_send_reply(200, "Third"/' "$E2E_TMP/ser.cfg"
echo 'children = 5000' >>"$E2E_TMP/ser.cfg"
"$SER_BIN" -c -f "$E2E_TMP/ser.cfg" >"$E2E_TMP/check.out" 2>&1 && fail "ser -c accepted the broken file"
grep ': error: ' "$E2E_TMP/check.out" >"$E2E_TMP/check.errors"
[ "$(wc -l <"$E2E_TMP/check.errors")" -ge 2 ] || { fail "ser -c found fewer than 2 errors"; cat "$E2E_TMP/check.out"; }
if [ -x "$SERCTL" ]; then
  timeout 20 "$SERCTL" -s "unix:$CTL" reload >"$E2E_TMP/reload.out" 2>&1
  rc=$?
  grep ': error: ' "$E2E_TMP/reload.out" >"$E2E_TMP/reload.errors"
  if [ "$rc" = 1 ] && cmp -s "$E2E_TMP/check.errors" "$E2E_TMP/reload.errors"; then
    pass "serctl reload fails (exit 1) with ser -c's diagnostics: $(head -1 "$E2E_TMP/reload.errors")"
  else
    fail "serctl reload (rc $rc) vs ser -c"; diff "$E2E_TMP/check.errors" "$E2E_TMP/reload.errors"; cat "$E2E_TMP/reload.out"
  fi
fi
kill -HUP "$SER_PID"
wait_for "$LOG" 'reload failed: .*errors' || fail "no 'reload failed' line after SIGHUP"
sed -n 's/.*reload failed: \(.*: error: .*\)$/\1/p' "$LOG" | sort -u >"$E2E_TMP/log.errors"
sort -u "$E2E_TMP/check.errors" | cmp -s - "$E2E_TMP/log.errors" &&
  pass "the log gives ser -c's diagnostics too" ||
  { fail "log diagnostics differ from ser -c"; diff <(sort -u "$E2E_TMP/check.errors") "$E2E_TMP/log.errors"; }
ask Second && pass "nothing changed: the second route still answers, on the same connection" ||
  { fail "after the failed reload"; cat "$E2E_TMP/client.out"; }

# 3. A new listen socket needs a restart: reported, the rest applied.
write_cfg "Fourth" "listen = udp:127.0.0.1:$PX"
if [ -x "$SERCTL" ]; then
  timeout 20 "$SERCTL" -s "unix:$CTL" reload >"$E2E_TMP/restart.out" 2>&1
  rc=$?
  [ "$rc" = 0 ] && grep -q "listen: + udp:127.0.0.1:$PX" "$E2E_TMP/restart.out" &&
    pass "serctl reload names the restart-only change: $(grep -m1 'listen:' "$E2E_TMP/restart.out")" ||
    { fail "serctl reload with a new listen (rc $rc)"; cat "$E2E_TMP/restart.out"; }
else
  kill -HUP "$SER_PID"
fi
wait_for "$LOG" "listen: \+ udp:127.0.0.1:$PX: not applied until restart" &&
  pass "the log says the new socket is not applied until restart" || { fail "restart log line"; tail "$LOG"; }
ss -Hlun | grep -q "127.0.0.1:$PX " && fail "the new socket was bound without a restart" ||
  pass "no socket bound on $PX before a restart"
ask Fourth && pass "the route of that reload is in service" || fail "route after the restart-only reload"
e2e_finish
