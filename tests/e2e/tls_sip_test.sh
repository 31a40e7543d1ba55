#!/usr/bin/env bash
# SIP over TLS end to end: `openssl s_client` sends an OPTIONS that ser answers itself, and an
# INVITE that ser record-routes and forwards over UDP to `sipp -sn uas`; sipp's 180 and 200 come
# back to the client over the same TLS connection. The script's `proto == TLS` and the
# $tls_version/$tls_cipher/$tls_sni facts appear in a log() line; the INVITE sipp receives
# carries two Record-Route headers (TLS in, UDP out), the TLS one with transport=tls.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
command -v sipp >/dev/null || { echo "SKIP: sipp not installed"; exit 0; }
tls_make_certs

P=$(free_port)
PU=$(free_port)
U=$(free_port)
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
listen = udp:127.0.0.1:$PU
children = 2
log_level = 3
$(tls_server_params server)
route {
  if (proto == TLS) {
    log(2, "over TLS: \$tls_version \$tls_cipher sni=[\$tls_sni]");
  }
  if (!mf_process_maxfwd_header(10)) { sl_send_reply(483, "Too Many Hops"); exit; }
  if (method == "OPTIONS" && uri == myself) { sl_send_reply(200, "Alive over TLS"); exit; }
  record_route();
  forward_udp("127.0.0.1", $U);
}
CFG

cd "$E2E_TMP" || exit 1  # sipp writes its message log in the current directory
sipp -sn uas -i 127.0.0.1 -p "$U" -t u1 -nostdin -timeout 60s -trace_msg \
  -message_file "$E2E_TMP/uas_messages.log" >"$E2E_TMP/uas.out" 2>&1 &
E2E_PIDS+=("$!")
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
for _ in $(seq 1 50); do ss -Hlun | grep -q "127.0.0.1:$U " && break; sleep 0.1; done
LOG=$E2E_TMP/ser.log

# 1. OPTIONS over TLS, answered by ser on the same connection.
got=$(tls_options "$E2E_TMP/opt" "127.0.0.1:$P" -servername localhost)
if [ "$got" = "SIP/2.0 200 Alive over TLS" ] && grep -aq "^Via: SIP/2.0/TLS 127.0.0.1:9;.*received=127.0.0.1" "$E2E_TMP/opt"; then
  pass "OPTIONS over TLS answered on the same connection: '$got'"
else
  fail "OPTIONS over TLS: got '$got'"; cat "$E2E_TMP/opt" "$E2E_TMP/opt.err"
fi
if log_has "over TLS: TLSv1\.3 TLS_[A-Z0-9_]+ sni=\[localhost\]"; then
  pass "proto == TLS and \$tls_* in log(): $(grep -m1 -oE 'over TLS: .*' "$LOG")"
else
  fail "no 'over TLS: <version> <cipher> sni=[localhost]' line"; grep "over TLS" "$LOG"
fi

# The same OPTIONS over UDP: answered, but proto == TLS is false there.
before=$(grep -c "over TLS" "$LOG")
exec {ufd}<>"/dev/udp/127.0.0.1/$PU"
sip_options_msg UDP "$PU" >"$E2E_TMP/udp.msg"
cat "$E2E_TMP/udp.msg" >&"$ufd"
got=$(timeout 3 dd bs=4096 count=1 status=none <&"$ufd" | head -1 | tr -d '\r')
exec {ufd}>&-
if [ "$got" = "SIP/2.0 200 Alive over TLS" ] && [ "$(grep -c "over TLS" "$LOG")" -eq "$before" ]; then
  pass "OPTIONS over UDP answered, and proto == TLS was false for it (no log line)"
else
  fail "OPTIONS over UDP: got '$got', 'over TLS' lines $before -> $(grep -c "over TLS" "$LOG")"
fi

# 2. INVITE over TLS -> ser -> UDP -> sipp UAS; its 180 and 200 come back over the TLS connection.
inv=$E2E_TMP/invite.msg
printf 'INVITE sip:service@127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:9;rport;branch=z9hG4bKinv%s\r\nFrom: <sip:alice@test>;tag=a%s\r\nTo: <sip:service@127.0.0.1>\r\nCall-ID: tls-invite-%s\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@127.0.0.1:9;transport=tls>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' \
  "$U" "$RANDOM" "$RANDOM" "$RANDOM" >"$inv"
got=$(TLS_WAIT='^SIP/2.0 200' tls_send "$E2E_TMP/inv" "127.0.0.1:$P" "$inv" -tls1_2)
if [ "$got" = "SIP/2.0 200 OK" ] && grep -aq "^SIP/2.0 180 Ringing" "$E2E_TMP/inv"; then
  pass "INVITE over TLS forwarded over UDP to sipp; 180 and 200 came back over the TLS connection"
else
  fail "INVITE over TLS: got '$got'"; cat "$E2E_TMP/inv" "$E2E_TMP/inv.err"; tail -20 "$E2E_TMP/uas.out"
fi
if grep -aq "^Via: SIP/2.0/TLS 127.0.0.1:9;.*branch=z9hG4bKinv" "$E2E_TMP/inv" &&
  ! grep -aq "^Via: SIP/2.0/UDP" "$E2E_TMP/inv"; then
  pass "the 200 the client got carries only its own Via (ser removed its UDP Via)"
else
  fail "Via headers of the returned 200: $(grep -a '^Via' "$E2E_TMP/inv" | tr '\r\n' '  ')"
fi
if log_has "over TLS: TLSv1\.2 ECDHE-[A-Z0-9-]+ sni=\[\]"; then
  pass "TLS 1.2 facts in log() (no SNI sent): $(grep -oE 'over TLS: TLSv1\.2.*' "$LOG" | head -1)"
else
  fail "no 'over TLS: TLSv1.2 ECDHE-...' line"; grep "over TLS" "$LOG"
fi

# 3. What sipp received: two Record-Route headers, ours for both transports.
rr=$(awk '/INVITE sip:service/{f=1} f && /^Record-Route:/{print} f && /^\r?$/{if (f) exit}' \
  "$E2E_TMP/uas_messages.log" | tr -d '\r')
n=$(grep -c '^Record-Route:' <<<"$rr")
if [ "$n" -eq 2 ] && grep -q "127.0.0.1:$P;transport=tls" <<<"$rr" &&
  grep -q "127.0.0.1:$PU" <<<"$rr"; then
  pass "record_route() on TLS->UDP: sipp got 2 Record-Route: $(tr '\n' ' ' <<<"$rr")"
else
  fail "Record-Route headers sipp got ($n): $rr"
fi

[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -30 "$LOG"; }
e2e_finish
