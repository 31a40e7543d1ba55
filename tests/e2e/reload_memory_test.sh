#!/usr/bin/env bash
# Memory is flat over repeated reloads: after a warm-up, 1000 reloads through the control
# socket (serctl reload waits for each answer; each builds a new route script and TLS domain
# set and frees the old ones) leave ser's RSS within 5 % and its pools' bytes in use within 1 %
# (shared and per-worker: connections, buffers, and OpenSSL's and libevent's every allocation,
# which the shared pool holds: a domain set, or any OpenSSL state, leaked per reload shows there). A TLS connection stays open
# across them and is answered by the route of the latest reload. The figures are printed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
tls_make_certs
SERCTL="$(dirname "$SER_BIN")/serctl"
[ -x "$SERCTL" ] || { echo "SKIP: serctl not built"; exit 0; }
N=${RELOADS:-1000}
# Under AddressSanitizer freed memory sits in its quarantine (RSS grows by design) and every
# reload is several times slower: LeakSanitizer checks the frees at exit instead, over 100.
SANITIZED=0
[ -n "${ASAN_OPTIONS:-}" ] && { SANITIZED=1; N=${RELOADS:-100}; }

P=$(tls_port)
CTL="$E2E_TMP/ser.ctl"
write_cfg() {
  cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
children = 2
ctl_socket = "unix:$CTL"
$(tls_server_params server)
tls_client_domain[127.0.0.1:5071] {
  tls_server_name = "localhost"
}
route {
  if (method == "OPTIONS") { sl_send_reply(200, "Round $1"); exit; }
  drop;
}
CFG
}
write_cfg 0
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
sc() { timeout 20 "$SERCTL" -s "unix:$CTL" "$@"; }

mkfifo "$E2E_TMP/client.in"
exec {client}<>"$E2E_TMP/client.in"
timeout 600 openssl s_client -connect "127.0.0.1:$P" -CAfile "$CERTS/ca.pem" -noservername \
  -nocommands -quiet <"$E2E_TMP/client.in" >"$E2E_TMP/client.out" 2>&1 &
E2E_PIDS+=("$!")
ask() {  # ask ROUND: the kept connection is answered "200 Round ROUND"
  sip_options_msg TLS "$P" >&"$client"
  wait_for "$E2E_TMP/client.out" "^SIP/2.0 200 Round $1"
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SER_PID/status"; }
pool_bytes() {
  sc --json stats >"$E2E_TMP/stats.json" &&
    python3 -c "import json,sys; print(int(sum(m['value'] for m in json.load(open(sys.argv[1])) if m['name'] == 'pool_in_use_bytes')))" \
      "$E2E_TMP/stats.json"
}
# reloads COUNT ROUND: COUNT reloads of the route answering ROUND; false at the first failure.
reloads() {
  write_cfg "$2"
  for _ in $(seq 1 "$1"); do sc reload >"$E2E_TMP/reload.out" 2>&1 || { cat "$E2E_TMP/reload.out"; return 1; }; done
}

ask 0 || fail "first answer"
reloads 20 warm || fail "warm-up reloads"
ask warm || fail "answer after the warm-up"
rss0=$(rss_kb); pool0=$(pool_bytes)
start=$(date +%s)
ok=1
for round in $(seq 1 10); do
  reloads $((N / 10)) "$round" || { ok=0; break; }
  ask "$round" || { fail "the kept connection after round $round"; ok=0; break; }
done
secs=$(($(date +%s) - start))
rss1=$(rss_kb); pool1=$(pool_bytes)
[ "$ok" = 1 ] && pass "$N reloads in ${secs}s, the TLS connection answered by each round's route" ||
  fail "the reloads did not all succeed"
echo "figures: RSS ${rss0} kB -> ${rss1} kB; pools in use ${pool0} B -> ${pool1} B (after $N reloads)"
python3 - "$rss0" "$rss1" "$pool0" "$pool1" "$SANITIZED" <<'PY' && pass "RSS within 5 % (not checked under ASan), pools within 1 %" || fail "memory grew over the reloads"
import sys
r0, r1, p0, p1 = map(int, sys.argv[1:5])
print("RSS %+.2f %%, pools %+.3f %%" % (100.0 * (r1 - r0) / r0, 100.0 * (p1 - p0) / p0))
rss_ok = r1 <= r0 * 1.05 or sys.argv[5] == "1"
sys.exit(0 if rss_ok and abs(p1 - p0) <= p0 * 0.01 else 1)
PY
grep -q "reload #$((N + 20)) ok" "$E2E_TMP/ser.log" && pass "the log has 'reload #$((N + 20)) ok'" ||
  fail "log lines: $(grep -c 'reload #' "$E2E_TMP/ser.log") reload lines"
e2e_finish
