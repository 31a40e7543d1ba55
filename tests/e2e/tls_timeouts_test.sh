#!/usr/bin/env bash
# TLS timeouts of the built binary. tls_handshake_timeout = 2: a client that connects over TCP
# and sends nothing, and one that sends half a ClientHello and stalls, are closed by ser at the
# deadline (between 1.5 and 3.5 s). tls_send_timeout = 3: a TLS client that sends requests and
# never reads the replies is closed once it has acknowledged nothing for that long, while another
# client on the same (single) worker keeps being answered. A client that sends requests at 20, 200
# or 2000 per second and never reads is closed about tls_send_timeout (tcp_send_timeout over TCP)
# after it stopped acknowledging, though ser's writes never block at the low rates. A TCP request
# trickled a byte a second is closed at tcp_msg_read_timeout = 2. A client that
# asks for KeyUpdates in a loop is closed; one that asks twice is served. tls_max_handshakes_per_ip
# = 2: a third handshake from one address waits for a slot. ser logs each and counts them.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
tls_make_certs

P=$(tls_port)
PT=$(free_port)
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
listen = tcp:127.0.0.1:$PT
tcp_send_timeout = 3
tcp_msg_read_timeout = 2
children = 1
log_level = 3
$(tls_server_params server)
tls_handshake_timeout = 2
tls_send_timeout = 3
tls_max_handshakes_per_ip = 2
route { sl_send_reply(200, "OK"); }
CFG
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
LOG=$E2E_TMP/ser.log

now() { date +%s.%N; }
secs() { awk "BEGIN{printf \"%.2f\", $2 - $1}"; }
within() { awk "BEGIN{exit !($1 >= $2 && $1 <= $3)}"; }  # within X LO HI

# closed_after [BYTES]: connects over plain TCP, sends BYTES (printf format, may be empty),
# then waits (at most 8 s) for ser to close the connection; prints the seconds it took.
closed_after() {
  local fd t0
  t0=$(now)
  exec {fd}<>"/dev/tcp/127.0.0.1/$P"
  [ -n "${1:-}" ] && printf "$1" >&"$fd"
  timeout 8 cat <&"$fd" >/dev/null 2>&1
  exec {fd}>&-
  secs "$t0" "$(now)"
}

# 1. A silent client.
from=$(wc -l <"$LOG")
t=$(closed_after "")
if within "$t" 1.5 3.5 && tail -n +"$((from + 1))" "$LOG" | grep -q "handshake timeout"; then
  pass "silent client closed by ser after ${t}s (tls_handshake_timeout = 2), logged 'handshake timeout'"
else
  fail "silent client: closed after ${t}s; log: $(tail -n +"$((from + 1))" "$LOG" | tr '\n' '|')"
fi

# 2. Half a ClientHello: a handshake record announcing 512 bytes, of which 43 are sent.
from=$(wc -l <"$LOG")
half='\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'
for _ in $(seq 1 32); do half+='\x5a'; done
t=$(closed_after "$half")
if within "$t" 1.5 3.5 && tail -n +"$((from + 1))" "$LOG" | grep -q "handshake timeout"; then
  pass "half-ClientHello client closed by ser after ${t}s, logged 'handshake timeout'"
else
  fail "half-ClientHello client: closed after ${t}s; log: $(tail -n +"$((from + 1))" "$LOG" | tr '\n' '|')"
fi

# 3. A stalled reader: s_client whose stdout is a FIFO nobody reads (so it stops reading the
#    connection) is fed 100 requests of ~57 kB; each reply repeats the 60 Via headers, so
#    ~5.7 MB of replies back up: ser's socket buffer fills and its writes block.
msg=$E2E_TMP/big.msg
{
  printf 'OPTIONS sip:127.0.0.1:%s SIP/2.0\r\n' "$P"
  for i in $(seq 1 60); do printf 'Via: SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bK%s%0900d\r\n' "$i" 0; done
  printf 'From: <sip:a@test>;tag=1\r\nTo: <sip:b@test>\r\nCall-ID: stalled\r\nCSeq: 1 OPTIONS\r\n'
  printf 'Max-Forwards: 5\r\nContent-Length: 0\r\n\r\n'
} >"$msg"
mkfifo "$E2E_TMP/stall.in" "$E2E_TMP/stall.out"
exec {hold}<>"$E2E_TMP/stall.out"  # keeps the reading end open, never read
timeout 30 openssl s_client -connect "127.0.0.1:$P" -CAfile "$CERTS/ca.pem" -noservername -quiet \
  -nocommands <"$E2E_TMP/stall.in" >"$E2E_TMP/stall.out" 2>"$E2E_TMP/stall.err" &
E2E_PIDS+=("$!")
exec {feed}>"$E2E_TMP/stall.in"
(for _ in $(seq 1 100); do cat "$msg"; done >&"$feed") 2>/dev/null &
E2E_PIDS+=("$!")

# ser's side of the stalled connection: bytes queued in its socket (ss Send-Q).
stalled_queue() { ss -Htn state established "( sport = :$P )" | awk '{print $2}' | sort -n | tail -1; }
t_stall=""
for _ in $(seq 1 100); do
  q=$(stalled_queue)
  if [ "${q:-0}" -gt 100000 ]; then t_stall=$(now); break; fi
  sleep 0.05
done
if [ -n "$t_stall" ]; then
  pass "stalled reader: ser's writes back up (${q} bytes queued in its socket)"
  got=$(tls_options "$E2E_TMP/other" "127.0.0.1:$P")
  t_other=$(secs "$t_stall" "$(now)")
  if [ "$got" = "SIP/2.0 200 OK" ] && ! log_has "send timeout"; then
    pass "another TLS client on the same worker answered during the stall ('$got', ${t_other}s in)"
  else
    fail "another TLS client during the stall: got '$got' (send timeout already: $(grep -c 'send timeout' "$LOG"))"
  fi
  t_close=""
  for _ in $(seq 1 160); do
    log_has "send timeout: peer not reading" && { t_close=$(now); break; }
    sleep 0.05
  done
  # ser counts from the peer's last acknowledgement: s_client may still be reading (slowly, on a
  # loaded machine) when the queue is first seen backed up, or have stopped a little before.
  if [ -n "$t_close" ] && within "$(secs "$t_stall" "$t_close")" 0.5 7.0; then
    pass "stalled reader closed $(secs "$t_stall" "$t_close")s after its writes backed up (tls_send_timeout = 3): $(grep -m1 -oE 'send timeout: .*' "$LOG")"
  else
    fail "stalled reader not closed by the send timeout (${t_close:+$(secs "$t_stall" "$t_close")s after the stall})"; grep -E "closed|timeout" "$LOG"
  fi
else
  fail "stalled reader: ser's socket never backed up (Send-Q '${q:-}')"; tail -5 "$LOG"
fi
exec {feed}>&- {hold}>&-

# 3b. Stalled readers at steady rates (tests/e2e/stalled_reader.py never reads an answer). The
#     kernel's send buffer grows to megabytes, so no write of ser's blocks at 20 or 200 per
#     second: ser must judge what the peer acknowledges. Closed within the send timeout (3 s)
#     of the client's last acknowledgement plus slack: 6.5 s from its connect.
for spec in "tls 20" "tls 200" "tls 2000" "tcp 20" "tcp 2000"; do
  set -- $spec
  if [ "$1" = tls ]; then
    res=$(python3 "$SER_SOURCE_DIR/tests/e2e/stalled_reader.py" 127.0.0.1 "$P" "$2" 12 "$CERTS/ca.pem")
  else
    res=$(python3 "$SER_SOURCE_DIR/tests/e2e/stalled_reader.py" 127.0.0.1 "$PT" "$2" 12)
  fi
  if [ "${res%% *}" = closed ] && within "${res#* }" 2.5 6.5; then
    pass "$1 client sending $2 requests/s and never reading: closed by ser ${res#* }s after connecting"
  else
    fail "$1 client sending $2 requests/s and never reading: '$res' (want closed within 2.5-6.5 s)"
  fi
done
log_has "send timeout: peer not reading, nothing acknowledged" &&
  pass "logged: $(grep -m1 -oE 'send timeout: peer not reading, nothing.*' "$LOG")" ||
  fail "no 'nothing acknowledged' send timeout in the log"

# 3c. tcp_msg_read_timeout = 2: half a request over TCP, then one byte a second, is closed at the
#     deadline (the idle lifetime alone would let it live on); the same request sent in two
#     halves a second apart is answered.
msg=$(sip_options_msg TCP "$PT"; printf x)  # the x keeps the final CRLFs from $(...)
msg=${msg%x}
from=$(wc -l <"$LOG")
exec {tr}<>"/dev/tcp/127.0.0.1/$PT"
t0=$(now)
printf '%s' "${msg:0:40}" >&"$tr"
t_closed=""
for i in $(seq 40 60); do
  printf '%s' "${msg:$i:1}" >&"$tr" 2>/dev/null || { t_closed=$(now); break; }
  read -r -t 1 -u "$tr" _ && continue
  [ $? -gt 128 ] || { t_closed=$(now); break; }  # end of stream, not the 1 s read timeout
done
exec {tr}>&-
if [ -n "$t_closed" ] && within "$(secs "$t0" "$t_closed")" 1.5 3.5 &&
  tail -n +"$((from + 1))" "$LOG" | grep -q "message read timeout"; then
  pass "TCP request trickled a byte a second: closed $(secs "$t0" "$t_closed")s after its first byte, $(grep -m1 -oE 'message read timeout: .*' "$LOG")"
else
  fail "TCP request trickled a byte a second: closed '${t_closed:+$(secs "$t0" "$t_closed")}'"
fi
exec {tr}<>"/dev/tcp/127.0.0.1/$PT"
printf '%s' "${msg:0:40}" >&"$tr"
read -r -t 1 -u "$tr" _
printf '%s' "${msg:40}" >&"$tr"
read -r -t 3 -u "$tr" status
exec {tr}>&-
[ "${status%$'\r'}" = "SIP/2.0 200 OK" ] && pass "the same request in two halves 1 s apart: answered" ||
  fail "the same request in two halves 1 s apart: got '${status:-}'"

# 3d. KeyUpdate(update_requested), RFC 8446 §4.6.3: s_client sends one per 'K' line of its
#     input. Twelve in a row close the connection (more than 10 within 10 s); two, then a
#     request, get the request answered.
keyupdates() {  # keyupdates NAME COUNT: prints s_client's output after COUNT K lines and an OPTIONS
  local name=$1 n=$2 kfd pid
  mkfifo "$E2E_TMP/$name.in"
  exec {kfd}<>"$E2E_TMP/$name.in"
  timeout 20 openssl s_client -connect "127.0.0.1:$P" -CAfile "$CERTS/ca.pem" -noservername \
    <"$E2E_TMP/$name.in" >"$E2E_TMP/$name.out" 2>&1 &
  pid=$!
  E2E_PIDS+=("$pid")
  for _ in $(seq 1 100); do grep -q "^Verify return code" "$E2E_TMP/$name.out" && break; sleep 0.05; done
  for _ in $(seq 1 "$n"); do echo K >&"$kfd"; sleep 0.05; done  # one command per read of s_client
  sip_options_msg TLS "$P" >&"$kfd"
  for _ in $(seq 1 60); do
    grep -q "^SIP/2.0 200" "$E2E_TMP/$name.out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  exec {kfd}>&-
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  cat "$E2E_TMP/$name.out"
}
out=$(keyupdates ku12 12)
if ! grep -q "^SIP/2.0 200" <<<"$out" && log_has "closing: 11 KeyUpdate or renegotiation requests"; then
  pass "12 KeyUpdates in a row: closed, $(grep -m1 -oE 'closing: [0-9]+ KeyUpdate.*requests within [0-9]+ s' "$LOG")"
else
  fail "12 KeyUpdates in a row: not closed ($(grep -c '^SIP/2.0 200' <<<"$out") answers)"
fi
out=$(keyupdates ku2 2)
grep -q "^SIP/2.0 200 OK" <<<"$out" && pass "2 KeyUpdates, then a request: answered" ||
  fail "2 KeyUpdates, then a request: no answer; s_client: $(tail -3 <<<"$out" | tr '\n' '|')"

got=$(tls_options "$E2E_TMP/after" "127.0.0.1:$P")
[ "$got" = "SIP/2.0 200 OK" ] && pass "ser still answers TLS clients afterwards" ||
  fail "after the timeouts: got '$got'"

# 4. tls_max_handshakes_per_ip = 2: with two silent clients holding their handshakes open, a
#    third TLS client from the same address is not refused: it waits for a slot, and is served
#    as soon as one of the two leaves.
exec {h1}<>"/dev/tcp/127.0.0.1/$P" {h2}<>"/dev/tcp/127.0.0.1/$P"
# (The background client must not inherit the two sockets, or closing them here would not.)
TLS_WAIT='^SIP/2.0 200' tls_options "$E2E_TMP/paced" "127.0.0.1:$P" >"$E2E_TMP/paced.status" {h1}>&- {h2}>&- &
E2E_PIDS+=("$!")
paced=$!
for _ in $(seq 1 50); do log_has "waiting for a handshake slot" && break; sleep 0.1; done
if log_has "waiting for a handshake slot \(tls_max_handshakes_per_ip 2 in progress\)"; then
  pass "third handshake from 127.0.0.1 waits for a slot: $(grep -m1 -oE '\[c#.*waiting for a handshake slot.*' "$LOG")"
else
  fail "third handshake from 127.0.0.1: no 'waiting for a handshake slot' in the log"
fi
exec {h1}>&-
wait "$paced"
got=$(cat "$E2E_TMP/paced.status")
[ "$got" = "SIP/2.0 200 OK" ] && pass "once a silent client left, the waiting TLS client was served ('$got')" ||
  fail "waiting TLS client after a slot freed: got '$got'"
exec {h2}>&-

stop_ser
if log_has "tls: [0-9]+ handshakes done, [0-9]+ failed, 2 timed out, 4 send timeouts, 1 waited for tls_max_handshakes_per_ip, 1 closed for KeyUpdate"; then
  pass "counters at stop: $(grep -m1 -oE 'tls: [0-9]+ handshakes done.*' "$LOG")"
else
  fail "counters at stop: $(grep -oE 'tls: [0-9]+ handshakes done.*' "$LOG")"
fi
[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -30 "$LOG"; }
e2e_finish
