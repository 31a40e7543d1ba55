#!/usr/bin/env bash
# sipbench (tools/sipbench) against a real ser with TLS, TCP and UDP listeners: pipelined OPTIONS
# answered and counted over each transport (a 404 counted as non-2xx, never as answered; --rate
# sending about what it offers; a silent UDP peer's requests lost), idle connections held then
# released, handshakes counted, and failures reported as failures (a CA that does not sign ser's
# certificate, a server that closes held connections, a server that is not there). Each check
# reads the JSON line sipbench ends with; none asserts a timing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
: "${SER_BINARY_DIR:?SER_BINARY_DIR must point at the build tree}"
tls_require_build
SIPBENCH="$SER_BINARY_DIR/sipbench"
[ -x "$SIPBENCH" ] || { fail "no sipbench binary at $SIPBENCH"; e2e_finish; }
tls_make_certs

P=$(tls_port)
T=$(tls_port)
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
listen = tcp:127.0.0.1:$T
listen = udp:127.0.0.1:$T
log_level = 2
tls_certificate = "$CERTS/server-ec.pem"
tls_private_key = "$CERTS/server-ec.key"
route {
  if (uri =~ "^sip:missing@") { sl_send_reply(404, "Not Found"); exit; }
  sl_send_reply(200, "OK");
}
CFG
start_ser "$E2E_TMP/ser.cfg" || { fail "ser did not start"; e2e_finish; }

# expect FILE 'NAME=VALUE ...' WHAT: every field of the JSON line has its value.
expect() {
  local file=$1 pairs=$2 what=$3 kv got bad=""
  for kv in $pairs; do
    got=$(json_field "${kv%%=*}" "$file")
    [ "$got" = "${kv#*=}" ] || bad="$bad ${kv%%=*}=$got (expected ${kv#*=})"
  done
  if [ -z "$bad" ]; then pass "$what"; else fail "$what:$bad"; cat "$file" "$file.err" 2>/dev/null; fi
}

# established PORT: TCP connections established to ser's PORT (counted on the client side).
established() { ss -Htn state established "( dport = :$1 )" | wc -l; }

# wait_count PORT N: up to 5 s for exactly N established connections to PORT.
wait_count() {
  for _ in $(seq 1 50); do [ "$(established "$1")" -eq "$2" ] && return 0; sleep 0.1; done
  return 1
}

# idle_bg NAME ARGS...: `sipbench idle ARGS` in the background (stdout in NAME.out, stderr in
# NAME.out.err); its pid in $bench. end_bench: SIGTERM to it, its exit status in $rc.
idle_bg() {
  local name=$1
  shift
  timeout 20 "$SIPBENCH" idle "$@" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.out.err" &
  bench=$!
  E2E_PIDS+=("$bench")
}
end_bench() {
  kill -TERM "$bench" 2>/dev/null
  wait "$bench"
  rc=$?
}

# 1. 50 idle TLS 1.3 connections, each after an OPTIONS answered 200, held until SIGTERM.
idle_bg idle "127.0.0.1:$P" -c 50 -p 20 -d 60 --tls-version 1.3 --ca "$CERTS/ca.pem" --sni localhost \
  --local-ip 127.0.0.2,127.0.0.3
if wait_for "$E2E_TMP/idle.out.err" "50 connections up"; then
  [ "$(established "$P")" -eq 50 ] && pass "50 connections held open" ||
    fail "held: $(established "$P") established, expected 50"
  from2=$(ss -Htn state established "( dport = :$P and src 127.0.0.2 )" | wc -l)
  from3=$(ss -Htn state established "( dport = :$P and src 127.0.0.3 )" | wc -l)
  [ "$from2" -eq 25 ] && [ "$from3" -eq 25 ] && pass "--local-ip: the sources used in turn" ||
    fail "--local-ip: $from2 from 127.0.0.2, $from3 from 127.0.0.3 (expected 25 each)"
  wait_for "$E2E_TMP/idle.out.err" "s: 50 set up, 0 failed, 50 held" &&
    pass "a progress line each second" || fail "no progress line: $(cat "$E2E_TMP/idle.out.err")"
else
  fail "sipbench idle never had 50 connections up: $(cat "$E2E_TMP/idle.out.err")"
fi
end_bench
[ "$rc" -eq 0 ] && pass "idle exits 0 on SIGTERM, all held" || fail "idle exit status $rc"
expect "$E2E_TMP/idle.out" "succeeded=50 failed=0 held_end=50 errors.closed_while_held=0 tls_version=1.3" \
  "idle: 50 connected, answered and held"
wait_count "$P" 0 && pass "released: no connection left after sipbench ended" ||
  fail "still $(established "$P") connections after sipbench ended"

# 2. idle over TCP ends by itself after -d.
timeout 20 "$SIPBENCH" idle "127.0.0.1:$T" -T tcp -c 10 -d 1.5 -q >"$E2E_TMP/tcp.out" 2>"$E2E_TMP/tcp.out.err"
rc=$?
[ "$rc" -eq 0 ] && pass "idle over tcp ends by itself after -d" || fail "tcp idle exit status $rc"
grep -q "^sipbench: 10 connections up; holding them for 1.5 s" "$E2E_TMP/tcp.out.err" &&
  ! grep -q " s: 10 set up" "$E2E_TMP/tcp.out.err" && pass "-q: no progress lines, the notice stays" ||
  fail "-q: $(cat "$E2E_TMP/tcp.out.err")"
expect "$E2E_TMP/tcp.out" "succeeded=10 failed=0 held_max=10 transport=tcp" "idle over tcp: 10 held"

# The open-file limit stops it with a clear line, and it holds what it could open.
(ulimit -n 64 && exec timeout 20 "$SIPBENCH" idle "127.0.0.1:$T" -T tcp -c 100 -d 0 -q) \
  >"$E2E_TMP/fds.out" 2>"$E2E_TMP/fds.out.err"
rc=$?
held=$(json_field held_max "$E2E_TMP/fds.out")
if [ "$rc" -eq 1 ] && [ "$(json_field errors.fd_limit "$E2E_TMP/fds.out")" = 1 ] && [ "${held:-0}" -gt 30 ] &&
  grep -q "out of file descriptors with $held connections open (RLIMIT_NOFILE 64)" "$E2E_TMP/fds.out.err"; then
  pass "RLIMIT_NOFILE 64: $held connections held, then a clear stop"
else
  fail "fd limit: exit $rc, held ${held:-?}: $(cat "$E2E_TMP/fds.out.err" "$E2E_TMP/fds.out")"
fi

# 3. 30 full handshakes, TLS 1.2 and 1.3; then with one OPTIONS each.
for v in 1.2 1.3; do
  timeout 20 "$SIPBENCH" handshake "127.0.0.1:$P" -n 30 -p 5 --tls-version "$v" --ca "$CERTS/ca.pem" -q \
    >"$E2E_TMP/hs$v.out" 2>"$E2E_TMP/hs$v.out.err"
  expect "$E2E_TMP/hs$v.out" "succeeded=30 failed=0 started=30" "30 TLS $v handshakes"
done
timeout 20 "$SIPBENCH" handshake "127.0.0.1:$P" -n 30 -p 5 --options -q >"$E2E_TMP/hsopt.out" 2>&1
expect "$E2E_TMP/hsopt.out" "succeeded=30 failed=0" "30 handshakes, each with an OPTIONS answered 200"
grep -qE '^  setup latency: p50 [0-9.]+ ms, p99 [0-9.]+ ms, p99.9 [0-9.]+ ms' "$E2E_TMP/hsopt.out" &&
  pass "the summary gives the latency percentiles" || fail "summary: $(cat "$E2E_TMP/hsopt.out")"

# 4. TLS 1.2 resumption: all but the first few (those in flight before a session came) resumed.
timeout 20 "$SIPBENCH" handshake "127.0.0.1:$P" -n 30 -p 1 --tls-version 1.2 --resume -q \
  >"$E2E_TMP/resume.out" 2>&1
expect "$E2E_TMP/resume.out" "succeeded=30 resumed=29" "TLS 1.2 sessions resumed"

# TLS 1.3 resumption against `openssl s_server` (it sends tickets right after each handshake):
# each ticket is used once, each resumed connection waits for its new ticket.
S=$(tls_port)
timeout 30 openssl s_server -accept "127.0.0.1:$S" -cert "$CERTS/server-ec.pem" -key "$CERTS/server-ec.key" \
  -quiet </dev/null >"$E2E_TMP/s_server.out" 2>&1 &
E2E_PIDS+=("$!")
if wait_port "$S" tcp; then
  timeout 20 "$SIPBENCH" handshake "127.0.0.1:$S" -n 30 -p 1 --tls-version 1.3 --resume -q \
    >"$E2E_TMP/resume13.out" 2>&1
  expect "$E2E_TMP/resume13.out" "succeeded=30 resumed=29 tls_version=1.3" "TLS 1.3 tickets resumed (openssl s_server)"
else
  fail "openssl s_server did not listen"
fi

# 5. A CA that did not sign ser's certificate: every handshake fails, as a handshake failure.
timeout 20 "$SIPBENCH" handshake "127.0.0.1:$P" -n 30 -p 5 --ca "$CERTS/other-ca.pem" -q \
  >"$E2E_TMP/badca.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] && pass "failures give exit status 1" || fail "wrong CA: exit status $rc"
expect "$E2E_TMP/badca.out" "succeeded=0 failed=30 errors.handshake_failed=30" "wrong CA: 30 handshake failures"
grep -q "certificate verify failed" "$E2E_TMP/badca.out" && pass "the summary says why" ||
  fail "no reason in: $(cat "$E2E_TMP/badca.out")"

# options NAME ARGS...: `sipbench options ARGS` (stdout in NAME.out, stderr in NAME.out.err); its
# exit status in $rc.
options() {
  local name=$1
  shift
  timeout 30 "$SIPBENCH" options "$@" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.out.err"
  rc=$?
}

# balanced FILE WHAT: every request of the counted run ended as answered, non-2xx or lost, and
# some were sent.
balanced() {
  local sent answered non2xx lost
  sent=$(json_field sent "$1") answered=$(json_field answered "$1") non2xx=$(json_field non_2xx "$1") lost=$(json_field lost "$1")
  if [ "${sent:-0}" -gt 0 ] && [ "$sent" -eq $((answered + non2xx + lost)) ]; then
    pass "$2: $sent sent = $answered answered + $non2xx non-2xx + $lost lost"
  else
    fail "$2: sent=$sent answered=$answered non_2xx=$non2xx lost=$lost"
    cat "$1" "$1.err"
  fi
}

# 6. options: 50 TLS connections (20 set up at once) x 8 pipelined OPTIONS, every one answered 200.
options opt-tls "127.0.0.1:$P" -c 50 -p 20 -w 8 -d 1.5 --warmup 0.5 --tls-version 1.3 --ca "$CERTS/ca.pem" \
  --sni localhost -q
[ "$rc" -eq 0 ] && pass "options over tls exits 0" || fail "options over tls: exit status $rc"
expect "$E2E_TMP/opt-tls.out" "mode=options transport=tls connections=50 window=8 connections_up=50 lost=0 non_2xx=0 errors.unmatched=0 errors.bad_framing=0" \
  "options over tls: 50 of 50 connections up, nothing lost"
balanced "$E2E_TMP/opt-tls.out" "options over tls"
[ "$(json_field sent "$E2E_TMP/opt-tls.out")" = "$(json_field answered "$E2E_TMP/opt-tls.out")" ] &&
  pass "options over tls: every request answered 2xx" || fail "options over tls: $(cat "$E2E_TMP/opt-tls.out")"
grep -qE '^  latency \(send to matching 2xx\): p50 [0-9.]+ ms, p99 [0-9.]+ ms, p99.9 [0-9.]+ ms' "$E2E_TMP/opt-tls.out" &&
  grep -q "^sipbench: 50 of 50 connections up" "$E2E_TMP/opt-tls.out.err" &&
  pass "options: the summary gives the latency percentiles and the set-up its line" ||
  fail "options summary: $(cat "$E2E_TMP/opt-tls.out" "$E2E_TMP/opt-tls.out.err")"

# Over TCP, and with a progress line each second (sent, answered, rate, outstanding, errors).
options opt-tcp "127.0.0.1:$T" -T tcp -c 20 -w 4 -d 1.5
expect "$E2E_TMP/opt-tcp.out" "transport=tcp connections_up=20 lost=0 non_2xx=0 errors.reset=0" "options over tcp: nothing lost"
balanced "$E2E_TMP/opt-tcp.out" "options over tcp"
grep -qE '^sipbench: 1 s run: sent [0-9]+, answered [0-9]+ \([0-9]+/s\), outstanding [0-9]+, errors 0$' "$E2E_TMP/opt-tcp.out.err" &&
  pass "options: a progress line each second" || fail "options progress: $(cat "$E2E_TMP/opt-tcp.out.err")"

# Over UDP: 20 sockets, each its own local port (a server's per-socket hashing sees 20 peers).
timeout 30 "$SIPBENCH" options "127.0.0.1:$T" -T udp -c 20 -w 2 -d 2 -q >"$E2E_TMP/opt-udp.out" 2>"$E2E_TMP/opt-udp.out.err" &
bench=$!
E2E_PIDS+=("$bench")
if wait_for "$E2E_TMP/opt-udp.out.err" "20 of 20 UDP sockets open"; then
  ports=$(ss -Hun "( dport = :$T )" | awk '{print $(NF-1)}' | sort -u | wc -l)
  [ "$ports" -eq 20 ] && pass "options over udp: 20 sockets, 20 local ports" || fail "udp: $ports local ports"
else
  fail "options over udp: sockets not open: $(cat "$E2E_TMP/opt-udp.out.err")"
fi
wait "$bench"
expect "$E2E_TMP/opt-udp.out" "transport=udp connections_up=20 lost=0 non_2xx=0" "options over udp: nothing lost"
balanced "$E2E_TMP/opt-udp.out" "options over udp"

# A route answering 404: non-2xx, never answered; the exit status says something failed.
options opt-404 "127.0.0.1:$T" -T tcp -c 4 -w 2 -d 1 --ruri sip:missing@127.0.0.1 -q
sent=$(json_field sent "$E2E_TMP/opt-404.out")
[ "$rc" -eq 1 ] && [ "$(json_field answered "$E2E_TMP/opt-404.out")" = 0 ] && [ "${sent:-0}" -gt 0 ] &&
  [ "$(json_field non_2xx "$E2E_TMP/opt-404.out")" = "$sent" ] && grep -q "first non-2xx status: 404" "$E2E_TMP/opt-404.out" &&
  pass "404 answers: $sent non-2xx, 0 answered, exit status 1" || fail "404: exit $rc: $(cat "$E2E_TMP/opt-404.out")"

# --rate: 1000 requests/s offered over 2 s sends about 2000 (bounds generous: counts, not time).
options opt-rate "127.0.0.1:$P" -c 10 -w 8 -d 2 --rate 1000 -q
sent=$(json_field sent "$E2E_TMP/opt-rate.out")
[ "${sent:-0}" -ge 1800 ] && [ "${sent:-0}" -le 2200 ] && [ "$(json_field answered "$E2E_TMP/opt-rate.out")" = "$sent" ] &&
  [ "$(json_field rate_achieved "$E2E_TMP/opt-rate.out")" = True ] &&
  [ "$(json_field offered_rate "$E2E_TMP/opt-rate.out")" = 1000.0 ] &&
  pass "--rate 1000 for 2 s: $sent sent, all answered" || fail "--rate: $(cat "$E2E_TMP/opt-rate.out")"

# An offered rate one connection with one request outstanding cannot carry: it says so.
options opt-behind "127.0.0.1:$T" -T tcp -c 1 -w 1 -d 1 --rate 200000 -q
grep -q "NOT ACHIEVED" "$E2E_TMP/opt-behind.out" && [ "$(json_field rate_achieved "$E2E_TMP/opt-behind.out")" = False ] &&
  pass "--rate beyond what -c 1 -w 1 carries: NOT ACHIEVED, said in the summary and the JSON" ||
  fail "rate not achieved: $(cat "$E2E_TMP/opt-behind.out")"

# A UDP peer that never answers: every request lost (no retransmission), within --timeout.
U=$(free_port)
timeout 20 python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1]))); time.sleep(15)' "$U" &
E2E_PIDS+=("$!")
wait_port "$U" udp || fail "silent udp peer not bound"
options opt-silent "127.0.0.1:$U" -T udp -c 5 -w 4 -d 1 --timeout 0.5 -q
sent=$(json_field sent "$E2E_TMP/opt-silent.out")
[ "$rc" -eq 1 ] && [ "${sent:-0}" -gt 0 ] && [ "$(json_field lost "$E2E_TMP/opt-silent.out")" = "$sent" ] &&
  [ "$(json_field answered "$E2E_TMP/opt-silent.out")" = 0 ] && pass "a silent udp peer: all $sent requests lost" ||
  fail "silent peer: exit $rc: $(cat "$E2E_TMP/opt-silent.out")"

# 7. ser stopped while connections are held: each close is counted.
idle_bg held "127.0.0.1:$P" -c 20 -d 60
wait_for "$E2E_TMP/held.out.err" "20 connections up" || fail "20 connections not up"
stop_ser
# Nothing left to hold: it ends by itself, well before -d.
for _ in $(seq 1 50); do kill -0 "$bench" 2>/dev/null || break; sleep 0.1; done
kill -0 "$bench" 2>/dev/null && fail "sipbench still running with every held connection closed"
end_bench
[ "$rc" -eq 1 ] && pass "connections closed while held give exit status 1" || fail "exit status $rc"
grep -q "the server closed every connection held; ending" "$E2E_TMP/held.out.err" &&
  pass "says why it ended" || fail "no reason: $(cat "$E2E_TMP/held.out.err")"
expect "$E2E_TMP/held.out" "succeeded=20 held_end=0 errors.closed_while_held=20" \
  "ser stopped: 20 held connections counted as closed"

# 8. Nothing listening: refused connects.
timeout 20 "$SIPBENCH" handshake "127.0.0.1:$P" -n 10 -q >"$E2E_TMP/refused.out" 2>&1
expect "$E2E_TMP/refused.out" "succeeded=0 failed=10 errors.connect_refused=10" "no server: 10 refused"
# idle with nothing set up has nothing to hold: it ends at once, not after -d (timeout: 124).
timeout 10 "$SIPBENCH" idle "127.0.0.1:$P" -c 10 -d 60 -q >"$E2E_TMP/refused-idle.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] && pass "idle with every connect refused ends at once, exit status 1" ||
  fail "idle, no server: exit status $rc"
expect "$E2E_TMP/refused-idle.out" "failed=10 errors.connect_refused=10 held_max=0" "idle, no server: 10 refused"

# 8b. A listener whose accept queue is full drops the SYNs: sipbench's first flight finds the
# socket still connecting, waits for the connection and says it never came (not the handshake).
Q=$(tls_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(0)
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))  # fills the queue of one
print("ready", flush=True); time.sleep(15)' "$Q" >"$E2E_TMP/full-queue.log" 2>&1 &
E2E_PIDS+=("$!")
wait_for "$E2E_TMP/full-queue.log" "ready" || fail "the full-queue listener did not start"
timeout 20 "$SIPBENCH" handshake "127.0.0.1:$Q" -n 3 -p 3 --timeout 1 >"$E2E_TMP/full-queue.out" \
  2>"$E2E_TMP/full-queue.out.err"
expect "$E2E_TMP/full-queue.out" "succeeded=0 failed=3 errors.timeout=3" "full accept queue: 3 timeouts"
cat "$E2E_TMP/full-queue.out" "$E2E_TMP/full-queue.out.err" |
  grep -q "first: connect not done within --timeout" &&
  pass "a connect that never completes is reported as the connect's" ||
  fail "not reported as a connect timeout: $(cat "$E2E_TMP/full-queue.out.err")"

# 9. Usage errors name the option.
out=$("$SIPBENCH" idle "127.0.0.1:$P" --resume 2>&1)
rc=$?
[ "$rc" -eq 2 ] && grep -q -- "--resume is for the handshake mode" <<<"$out" &&
  pass "a bad option combination is refused with exit status 2" || fail "usage: $rc $out"

e2e_finish
