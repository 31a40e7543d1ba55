#!/usr/bin/env bash
# A send that asks for TLS never goes out as plain TCP. ser built with TLS but configured without
# any (no tls listener, no client domain: no TLS runtime) is asked to forward over TLS, by
# forward_tls() and by a Request-URI with transport=tls: it refuses with a log line, and the
# next hop (a plain TCP listener) gets no connection at all. Plain TCP still goes out.
source "$(dirname "$0")/lib.sh"
P=$(free_port); PX=$(free_port)

# The next hop: a TCP listener that never accepts (the kernel completes connections into its
# backlog, where `ss` sees them). Bounded: it exits after 30 s.
timeout 30 python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $PX)); s.listen(8); time.sleep(30)" &
E2E_PIDS+=("$!")
wait_port "$PX" tcp || { fail "next-hop listener"; e2e_finish; }

cat >"$E2E_TMP/ser.cfg" <<CFG
listen = udp:127.0.0.1:$P
children = 1
route {
  if (method == "OPTIONS") { forward_tls("127.0.0.1", $PX); exit; }
  if (method == "MESSAGE") { forward_tcp("127.0.0.1", $PX); exit; }
  forward();
}
CFG
start_ser "$E2E_TMP/ser.cfg" || { fail "ser start"; e2e_finish; }
LOG=$E2E_TMP/ser.log

req() {  # req METHOD RURI
  send_dgram "$P" '%s %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK%s\r\nFrom: <sip:a@test>;tag=1\r\nTo: <sip:b@test>\r\nCall-ID: %s\r\nCSeq: 1 %s\r\nMax-Forwards: 5\r\nContent-Length: 0\r\n\r\n' \
    "$1" "$2" "$RANDOM$RANDOM" "$RANDOM" "$1"
}
# connections to the next hop (ser's side), as the kernel has them
conns() { ss -Htn "( dport = :$PX )" | grep -c .; }
refusals() { grep -c "send to tls:127.0.0.1:$PX refused: no TLS for outbound connections" "$LOG"; }
wait_for() {  # wait_for CMD VALUE: up to 5 s for CMD to print VALUE
  for _ in $(seq 1 50); do [ "$($1)" = "$2" ] && return 0; sleep 0.1; done
  return 1
}

req OPTIONS "sip:b@127.0.0.1:$PX"
req INVITE "sip:b@127.0.0.1:$PX;transport=tls"
if wait_for refusals 2; then
  pass "both TLS sends refused with a log line: $(grep -m1 -oE 'send to tls:.*' "$LOG")"
else
  fail "TLS sends without TLS: $(refusals) refusal lines; log: $(tail -5 "$LOG" | tr '\n' '|')"
fi
# The refusal comes before any connect: had one been made, it would be there by now.
[ "$(conns)" = 0 ] && pass "the next hop got no connection in the clear" ||
  fail "the next hop got $(conns) connection(s): a TLS send went out as plain TCP"

before=$(conns)
req MESSAGE "sip:b@127.0.0.1:$PX"
wait_for conns $((before + 1)) && pass "a plain TCP send still connects" || fail "forward_tcp made no connection"
stop_ser
e2e_finish
