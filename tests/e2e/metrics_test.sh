#!/usr/bin/env bash
# The Prometheus endpoint (metrics_listen) of a running ser, scraped with python3's urllib as a
# Prometheus server would: the text passes `promtool check metrics`; the families the issue
# asks for are there (connections, handshakes, messages, drops, reloads, pool bytes, each
# domain's certificate notAfter) and the counters moved with UDP and TLS traffic; other paths
# are 404, other methods 405; ser keeps answering SIP throughout.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
command -v promtool >/dev/null || { echo "SKIP: promtool not installed (tools/install-deps.sh test)"; exit 0; }
tls_make_certs

P=$(tls_port)
PU=$(tls_port)
M=$(tls_port)
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
listen = udp:127.0.0.1:$PU
children = 2
metrics_listen = 127.0.0.1:$M
$(tls_server_params server)
route {
  if (method == "OPTIONS") { sl_send_reply(200, "OK"); exit; }
  forward();
}
CFG
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
URL="http://127.0.0.1:$M/metrics"
scrape() { python3 "$SER_SOURCE_DIR/tests/e2e/prom_scrape.py" "$@"; }
# value FILE NAME [LABEL=VALUE...]: a sample's value (summed over the other labels), 0 if none.
value() { local v; v=$(scrape value "$@"); echo "${v:-0}"; }
gt() { python3 -c "import sys; sys.exit(0 if float('$1') > float('$2') else 1)"; }

# check FILE WHAT: promtool accepts the scrape (parser and linter).
check() {
  if out=$(promtool check metrics <"$1" 2>&1); then pass "promtool check metrics: $2"
  else fail "promtool check metrics ($2): $out"; fi
}

# 1. A first scrape: 200, the exposition content type, a valid text.
got=$(scrape get "$URL" "$E2E_TMP/m0.txt")
[ "$got" = "200 text/plain; version=0.0.4; charset=utf-8" ] && pass "GET /metrics: $got" ||
  fail "GET /metrics: $got"
check "$E2E_TMP/m0.txt" "before traffic"

# 2. Traffic: UDP and TLS requests, a client that speaks no TLS to the TLS port, garbage over UDP,
#    a reload.
n_ok=0
for _ in 1 2 3 4 5; do [ "$(options_udp "$PU")" = "SIP/2.0 200 OK" ] && n_ok=$((n_ok + 1)); done
[ "$n_ok" = 5 ] && pass "5 OPTIONS over UDP answered" || fail "UDP OPTIONS answered: $n_ok of 5"
for i in 1 2; do
  got=$(tls_options "$E2E_TMP/tls$i" "127.0.0.1:$P" -servername localhost)
  [ "$got" = "SIP/2.0 200 OK" ] && pass "OPTIONS over TLS $i answered" || fail "TLS OPTIONS $i: '$got'"
done
# Plain text on the TLS port: the handshake fails on ser's side.
exec {fd}<>"/dev/tcp/127.0.0.1/$P"
printf 'OPTIONS sip:x SIP/2.0\r\n\r\n' >&"$fd"
timeout 5 cat <&"$fd" >/dev/null
exec {fd}>&-
send_dgram "$PU" 'this is not SIP\r\n\r\n'
# The TLS client is still connected while we scrape: its connection shows.
TLS_HOLD="$E2E_TMP/hold.in"
mkfifo "$TLS_HOLD"
exec {hold}<>"$TLS_HOLD"
timeout 30 openssl s_client -connect "127.0.0.1:$P" -CAfile "$CERTS/ca.pem" -servername localhost \
  -quiet <"$TLS_HOLD" >"$E2E_TMP/hold.out" 2>&1 &
E2E_PIDS+=("$!")
sip_options_msg TLS "$P" >&"$hold"
wait_for "$E2E_TMP/hold.out" '^SIP/2.0 200' && pass "a TLS client stays connected" ||
  fail "held TLS client: $(cat "$E2E_TMP/hold.out")"

# A reload (SIGHUP), which the reload counters count.
kill -HUP "$SER_PID"
wait_for "$E2E_TMP/ser.log" "reload #1 ok" && pass "SIGHUP reload done" || fail "no 'reload #1 ok' in the log"

# 3. A second scrape: still valid, every family there, the counters moved.
scrape get "$URL" "$E2E_TMP/m1.txt" >/dev/null
check "$E2E_TMP/m1.txt" "after traffic"
for family in ser_connections ser_tls_handshakes_total ser_tls_handshake_failures_total \
  ser_messages_received_total ser_messages_sent_total ser_messages_dropped_total \
  ser_pool_in_use_bytes ser_tls_certificate_not_after_timestamp_seconds ser_reloads_total; do
  grep -q "^# TYPE $family " "$E2E_TMP/m1.txt" && pass "family $family" || fail "no family $family"
done
moved() {  # moved NAME [LABEL=VALUE...]: the value grew between the two scrapes
  local a b
  a=$(value "$E2E_TMP/m0.txt" "$@")
  b=$(value "$E2E_TMP/m1.txt" "$@")
  gt "$b" "$a" && pass "$* moved: $a -> $b" || fail "$* did not move: $a -> $b"
}
moved ser_messages_received_total transport=udp
moved ser_messages_received_total transport=tls
moved ser_messages_sent_total transport=udp
moved ser_messages_sent_total transport=tls
moved ser_tls_handshakes_total
moved ser_tls_handshake_failures_total
moved ser_messages_dropped_total reason=malformed  # the garbage datagram
moved ser_reloads_total result=ok
open=$(value "$E2E_TMP/m1.txt" ser_connections transport=tls)
gt "$open" 0 && pass "open TLS connections: $open" || fail "open TLS connections: $open"
pool=$(value "$E2E_TMP/m1.txt" ser_pool_in_use_bytes)
gt "$pool" 0 && pass "pool bytes in use: $pool" || fail "pool bytes in use: $pool"
# The certificate in service expires when openssl says it does.
want=$(date -d "$(openssl x509 -in "$CERTS/server.pem" -noout -enddate | cut -d= -f2)" +%s)
have=$(value "$E2E_TMP/m1.txt" ser_tls_certificate_not_after_timestamp_seconds \
  "domain=default server domain")
[ "${have%.*}" = "$want" ] && pass "certificate notAfter $have = openssl's" ||
  fail "certificate notAfter: metrics $have, openssl $want"

# 4. Other paths and methods.
[ "$(scrape status "http://127.0.0.1:$M/" GET)" = 404 ] && pass "GET / is 404" || fail "GET / not 404"
[ "$(scrape status "http://127.0.0.1:$M/stats" GET)" = 404 ] && pass "GET /stats is 404" ||
  fail "GET /stats not 404"
for method in POST PUT DELETE; do
  [ "$(scrape status "$URL" "$method")" = 405 ] && pass "$method /metrics is 405" ||
    fail "$method /metrics not 405"
done

# 5. ser still serves SIP, and a scrape still works after all that.
[ "$(options_udp "$PU")" = "SIP/2.0 200 OK" ] && pass "still answering SIP" || fail "SIP stopped"
got=$(scrape get "$URL" "$E2E_TMP/m2.txt")
[ "${got%% *}" = 200 ] && pass "a third scrape: $got" || fail "third scrape: $got"
exec {hold}>&-

# 6. A metrics address that cannot be bound is a start-up error naming it (exit 1).
P2=$(tls_port)
printf 'listen = udp:127.0.0.1:%s\nmetrics_listen = 127.0.0.1:%s\nroute { forward(); }\n' "$P2" "$M" \
  >"$E2E_TMP/busy.cfg"
out=$(timeout 10 "$SER_BIN" -f "$E2E_TMP/busy.cfg" -D -E 2>&1); rc=$?
if [ "$rc" -eq 1 ] && grep -q "metrics_listen: cannot listen on 127.0.0.1:$M: Address already in use" <<<"$out"; then
  pass "metrics address in use: exit 1, said"
else
  fail "metrics address in use: exit $rc, output: $out"
fi

e2e_finish
