#!/usr/bin/env bash
# Hostile and broken input over UDP and TCP — garbage, half messages, bad Content-Length,
# oversized messages, NUL bytes — then sipp calls through ser over UDP and TCP must all
# still succeed: bad input loses nothing else.
source "$(dirname "$0")/lib.sh"
P_U=$(free_port); P_T=$(free_port); U_UDP=$(free_port)

cat >"$E2E_TMP/ser.cfg" <<CFG
listen = udp:127.0.0.1:$P_U
listen = tcp:127.0.0.1:$P_T
children = 2
log_level = 3
max_message_size = 4096
route {
  if (!mf_process_maxfwd_header(10)) { sl_send_reply(483, "Too Many Hops"); exit; }
  forward_udp("127.0.0.1", $U_UDP);
}
CFG
sipp -sn uas -i 127.0.0.1 -p "$U_UDP" -t u1 -nostdin -timeout 120s >"$E2E_TMP/uas.out" 2>&1 &
E2E_PIDS+=("$!")
wait_port "$U_UDP" udp || fail "sipp UAS did not bind"
start_ser "$E2E_TMP/ser.cfg" || { fail "ser start"; e2e_finish; }

hdrs='Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKg1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: g1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n'
udp() { send_dgram "$P_U" "$1"; }
# UDP: garbage, NUL bytes, a start line only, a request without mandatory headers, an
# oversized datagram, a response that is not ours.
udp 'garbage garbage garbage\r\n\r\n'
udp 'INVITE sip:x SIP/2.0\r\n\0\0\0\r\n\r\n'
udp 'OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n\r\n'
udp "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKu1\r\nContent-Length: 0\r\n\r\n"
udp "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n${hdrs}Subject: $(head -c 6000 /dev/zero | tr '\0' x)\r\nContent-Length: 0\r\n\r\n"
udp 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bKx\r\nContent-Length: 0\r\n\r\n'
head -c 3000 /dev/urandom >"/dev/udp/127.0.0.1/$P_U"

# TCP: each on its own connection; some are left open half-way (a half message).
tcp() {
  exec {fd}<>"/dev/tcp/127.0.0.1/$P_T" || return
  printf "$1" >&"$fd" 2>/dev/null
  TCP_FDS+=("$fd")
}
TCP_FDS=()
tcp 'garbage\r\n\r\n'
tcp "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n${hdrs}Content-Length: -5\r\n\r\n"
tcp "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n${hdrs}Content-Length: 99999999999\r\n\r\n"
tcp "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n${hdrs}\r\n"
tcp "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n${hdrs}Content-Length: 100\r\n\r\nonly a part of the body"
tcp "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4"
tcp "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n${hdrs}X-Long: $(head -c 8000 /dev/zero | tr '\0' y)"
tcp '\r\n\r\n\r\n\r\n'
exec {big}<>"/dev/tcp/127.0.0.1/$P_T" && head -c 20000 /dev/urandom >&"$big" 2>/dev/null
TCP_FDS+=("$big")

# A request with Content-Length missing on a stream gets a 400 and the connection closes.
exec {probe}<>"/dev/tcp/127.0.0.1/$P_T"
printf "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n${hdrs}\r\n" >&"$probe"
reply=$(timeout 5 head -c 12 <&"$probe" 2>/dev/null)
if [ "$reply" = "SIP/2.0 400 " ]; then pass "stream without Content-Length answered 400"
else fail "stream without Content-Length: expected 'SIP/2.0 400 ', got '$reply'"; fi

sleep 0.5
if kill -0 "$SER_PID" 2>/dev/null; then pass "ser alive after hostile input"; else fail "ser died"; fi

for t in u1 t1; do
  dest="127.0.0.1:$P_U"; [ "$t" = t1 ] && dest="127.0.0.1:$P_T"
  if sipp -sn uac -i 127.0.0.1 -t "$t" -m 200 -r 200 -nostdin -timeout 60s -timeout_error \
      "$dest" >"$E2E_TMP/uac_$t.out" 2>&1; then
    pass "200 calls over $t after hostile input"
  else
    fail "calls over $t after hostile input"; tail -5 "$E2E_TMP/uac_$t.out"
  fi
done
for fd in "${TCP_FDS[@]}"; do exec {fd}>&- 2>/dev/null; done
kill -0 "$SER_PID" 2>/dev/null && pass "ser still alive at the end" || fail "ser died at the end"
if grep -qiE "segfault|assert|abort" "$E2E_TMP/ser.log"; then fail "crash lines in the log"; fi
[ "$E2E_FAILS" -ne 0 ] && tail -30 "$E2E_TMP/ser.log"
e2e_finish
