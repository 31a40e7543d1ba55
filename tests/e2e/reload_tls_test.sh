#!/usr/bin/env bash
# TLS reload without a restart (tls_reload_on_change): the certificate and key of a domain are
# replaced on disk the way an ACME client does it (written beside, renamed over); the next
# handshake gets the new certificate within 2 s, while a connection made before (openssl
# s_client, kept open) keeps working and is not renegotiated. A mismatching key written over
# the served one fails the reload: the old certificate stays in service, the log says why, and
# so does `serctl tls reload`.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
tls_make_certs
SERCTL="$(dirname "$SER_BIN")/serctl"

P=$(tls_port)
CTL="$E2E_TMP/ser.ctl"
LIVE="$E2E_TMP/live"
mkdir -p "$LIVE"
cp "$CERTS/server.pem" "$LIVE/cert.pem"
cp "$CERTS/server.key" "$LIVE/key.pem"
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
children = 2
ctl_socket = "unix:$CTL"
tls_certificate = "$LIVE/cert.pem"
tls_private_key = "$LIVE/key.pem"
tls_reload_on_change = yes
route {
  if (method == "OPTIONS") { sl_send_reply(200, "Alive"); exit; }
  drop;
}
CFG
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
LOG=$E2E_TMP/ser.log
OLD_CN=$(openssl x509 -in "$CERTS/server.pem" -noout -subject | sed 's/.*CN *= *//')
NEW_CN=$(openssl x509 -in "$CERTS/server2.pem" -noout -subject | sed 's/.*CN *= *//')
[ "$OLD_CN" != "$NEW_CN" ] || { fail "the test PKI's server and server2 share a CN"; e2e_finish; }

# served_cn: the CN of the certificate a new handshake gets.
served_cn() {
  sclient "$E2E_TMP/probe" "127.0.0.1:$P"
  peer_cn "$E2E_TMP/probe"
}

# A client connected before the change, kept open: its stdin is a fifo we write requests to.
mkfifo "$E2E_TMP/early.in"
exec {early}<>"$E2E_TMP/early.in"
timeout 60 openssl s_client -connect "127.0.0.1:$P" -CAfile "$CERTS/ca.pem" -noservername \
  -nocommands <"$E2E_TMP/early.in" >"$E2E_TMP/early.out" 2>&1 &
E2E_PIDS+=("$!")
EARLY_PID=$!
for _ in $(seq 1 100); do grep -aq '^subject=' "$E2E_TMP/early.out" 2>/dev/null && break; sleep 0.1; done
# early_options: an OPTIONS over the early connection; true when its 200 comes back.
early_options() {
  local before
  before=$(cat "$E2E_TMP/early.out" 2>/dev/null | grep -ac '^SIP/2.0 200 Alive')
  sip_options_msg TLS "$P" >&"$early"
  for _ in $(seq 1 100); do
    [ "$(cat "$E2E_TMP/early.out" 2>/dev/null | grep -ac '^SIP/2.0 200 Alive')" -gt "$before" ] && return 0
    sleep 0.1
  done
  return 1
}
early_options && [ "$(peer_cn "$E2E_TMP/early.out")" = "$OLD_CN" ] &&
  pass "a client connected before the change got $OLD_CN and is answered" ||
  { fail "the early client"; cat "$E2E_TMP/early.out"; }
[ "$(served_cn)" = "$OLD_CN" ] && pass "new handshakes get $OLD_CN" || fail "served: $(served_cn)"

# 1. The certificate and key replaced as an ACME client does: written beside, renamed over.
cp "$CERTS/server2.pem" "$LIVE/cert.pem.new"
cp "$CERTS/server2.key" "$LIVE/key.pem.new"
start=$(date +%s%N)
mv "$LIVE/cert.pem.new" "$LIVE/cert.pem"
mv "$LIVE/key.pem.new" "$LIVE/key.pem"
got=""
for _ in $(seq 1 50); do
  got=$(served_cn)
  [ "$got" = "$NEW_CN" ] && break
  sleep 0.1
done
ms=$((($(date +%s%N) - start) / 1000000))
# 2 s, plus 1 s of slack for a loaded machine (the quiet period is 0.5 s).
if [ "$got" = "$NEW_CN" ] && [ "$ms" -le 3000 ]; then
  pass "the replaced certificate ($NEW_CN) is served to the next handshake after $ms ms"
else
  fail "after $ms ms new handshakes get '$got', not $NEW_CN"; tail -20 "$LOG"
fi
log_has 'tls_reload_on_change: .*cert.pem.* changed' "$LOG" && log_has 'reload #1 ok' "$LOG" &&
  pass "one reload for the two files, logged" || { fail "reload log lines"; tail -20 "$LOG"; }
[ "$(grep -c 'reload #2' "$LOG")" = 0 ] || fail "the two renames made more than one reload"
if early_options && kill -0 "$EARLY_PID" 2>/dev/null && [ "$(grep -c 'subject=' "$E2E_TMP/early.out")" = 1 ] &&
  [ "$(peer_cn "$E2E_TMP/early.out")" = "$OLD_CN" ]; then
  pass "the early connection still works, on its first handshake with $OLD_CN"
else
  fail "the early connection after the reload"; cat "$E2E_TMP/early.out"
fi

# 2. A key that does not match the certificate: the reload fails, the old pair stays.
cp "$CERTS/server.key" "$LIVE/key.pem.new"
mv "$LIVE/key.pem.new" "$LIVE/key.pem"
wait_for "$LOG" 'reload failed: .*key.pem' &&
  pass "the mismatching key is refused: $(grep -m1 'reload failed: .*key.pem' "$LOG" | sed 's/.*reload failed: //')" ||
  { fail "no reload failure logged for the bad key"; tail -20 "$LOG"; }
[ "$(served_cn)" = "$NEW_CN" ] && pass "the certificate in service stays $NEW_CN" ||
  fail "after the bad key new handshakes get $(served_cn)"
if [ -x "$SERCTL" ]; then
  timeout 20 "$SERCTL" -s "unix:$CTL" tls reload >"$E2E_TMP/serctl.out" 2>&1
  rc=$?
  if [ "$rc" = 1 ] && grep -q 'reload failed' "$E2E_TMP/serctl.out" &&
    grep -q 'key.pem' "$E2E_TMP/serctl.out"; then
    pass "serctl tls reload says why (exit 1): $(grep -m1 'key.pem' "$E2E_TMP/serctl.out")"
  else
    fail "serctl tls reload (rc $rc)"; cat "$E2E_TMP/serctl.out"
  fi
fi
early_options && pass "the early connection still works after the failed reload" ||
  fail "the early connection after the failed reload"

# 3. The right key back: the watch was re-armed after every reload, so it is seen.
cp "$CERTS/server2.key" "$LIVE/key.pem.new"
mv "$LIVE/key.pem.new" "$LIVE/key.pem"
wait_for "$LOG" 'reload #2 ok' && pass "the fixed key reloads (the watch is re-armed)" ||
  { fail "no reload after the key was fixed"; tail -20 "$LOG"; }
e2e_finish
