#!/usr/bin/env bash
# SIP over TLS end to end: `openssl s_client` sends an OPTIONS that ser answers itself, and an
# INVITE that ser record-routes and forwards over UDP to `sipp -sn uas`; sipp's 180 and 200 come
# back to the client over the same TLS connection. The script's `proto == TLS` and the
# $tls_version/$tls_cipher/$tls_sni facts appear in a log() line; the INVITE sipp receives
# carries two Record-Route headers (TLS in, UDP out), the TLS one with transport=tls.
# Outbound: UDP -> ser -> TLS to `openssl s_server` with mutual TLS (tls_client_domain), its
# answer back over UDP; a server whose certificate names another host is refused, through a
# client domain's tls_server_name and (CONFIG.md: tls_verify checks the name) without one.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
command -v sipp >/dev/null || { echo "SKIP: sipp not installed"; exit 0; }
tls_make_certs

P=$(tls_port)
PU=$(tls_port)
U=$(tls_port)
S=$(tls_port)   # openssl s_server demanding a client certificate
S2=$(tls_port)  # openssl s_server with a certificate for another name
S3=$(tls_port)  # the same, reached through a client domain with tls_server_name
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
listen = udp:127.0.0.1:$PU
children = 2
log_level = 3
$(tls_server_params server)
tls_client_domain[127.0.0.1:$S] {
  tls_certificate = "$CERTS/client.pem"
  tls_private_key = "$CERTS/client.key"
}
tls_client_domain[127.0.0.1:$S3] {
  tls_server_name = "localhost"
}
route {
  if (proto == UDP && uri =~ "^sip:peer@") { record_route(); forward_tls(uri:host, uri:port); exit; }
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

# 4. Outbound: UDP -> ser -> TLS to `openssl s_server`, which demands a client certificate
#    (ser's tls_client_domain presents client.pem) and answers by hand; the answer comes back
#    over UDP. A server whose certificate names another host is refused by ser (RFC 5922).
s_server srv "$S" server -CAfile "$CERTS/ca.pem" -Verify 2 -verify_return_error || fail "s_server start"
srv_in=$hold
exec {ufd}<>"/dev/udp/127.0.0.1/$PU"
printf 'OPTIONS sip:peer@127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bKout%s\r\nFrom: <sip:a@test>;tag=o1\r\nTo: <sip:peer@127.0.0.1>\r\nCall-ID: tls-out-%s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\nContent-Length: 0\r\n\r\n' \
  "$S" "$RANDOM" "$RANDOM" >"$E2E_TMP/out.msg"
cat "$E2E_TMP/out.msg" >&"$ufd"
if wait_for "$E2E_TMP/srv.out" '^Content-Length: 0'; then
  req=$(awk '/^OPTIONS sip:peer/{f=1} f{print} f && /^\r?$/{exit}' "$E2E_TMP/srv.out" | tr -d '\r')
  if grep -q "^subject=CN = client.test" "$E2E_TMP/srv.out" &&
    grep -q "^Via: SIP/2.0/TLS 127.0.0.1:$P;branch=" <<<"$req" &&
    grep -q "^Record-Route: <sip:127.0.0.1:$P;transport=tls;lr>" <<<"$req"; then
    pass "UDP -> TLS: s_server got the OPTIONS over mutual TLS (client.test) with ser's TLS Via and Record-Route"
  else
    fail "UDP -> TLS: request s_server got: $req"
  fi
  # The answer, written by hand from the request (RFC 3261 §8.2.6.2: Via, From, To, Call-ID, CSeq).
  {
    printf 'SIP/2.0 200 From TLS peer\r\n'
    grep -E '^(Via|From|Call-ID|CSeq):' <<<"$req" | sed 's/$/\r/'
    grep '^To:' <<<"$req" | sed 's/$/;tag=srv\r/'
    printf 'Content-Length: 0\r\n\r\n'
  } >&"$srv_in"
  got=$(timeout 5 dd bs=4096 count=1 status=none <&"$ufd" | head -1 | tr -d '\r')
  [ "$got" = "SIP/2.0 200 From TLS peer" ] &&
    pass "the TLS peer's answer came back over UDP: '$got'" || fail "answer over UDP: got '$got'"
else
  fail "UDP -> TLS: nothing reached s_server"; tail -20 "$E2E_TMP/srv.out"
fi
exec {ufd}>&-

# refused_peer LABEL NAME PORT: an OPTIONS for sip:peer@127.0.0.1:PORT, where an s_server with
# server-wrong-name.pem (SAN DNS:wrong.example.net only) listens, must not reach it: ser's
# handshake fails on the name check.
refused_peer() {
  local label=$1 name=$2 port=$3
  s_server "$name" "$port" server-wrong-name || fail "s_server ($name) start"
  exec {ufd}<>"/dev/udp/127.0.0.1/$PU"
  sed "s/127.0.0.1:$S/127.0.0.1:$port/" "$E2E_TMP/out.msg" >&"$ufd"
  exec {ufd}>&-
  if wait_for "$LOG" "127.0.0.1:$port\\] (handshake failed|tls handshake done)" &&
    log_has "127.0.0.1:$port\\] handshake failed: (certificate verify failed|peer certificate does not name)" &&
    ! grep -aq "^OPTIONS sip:peer" "$E2E_TMP/$name.out"; then
    pass "$label: refused, $(grep -m1 -oE "127.0.0.1:$port\\] handshake failed: .*" "$LOG")"
  else
    fail "$label: ser accepted a certificate that does not name the peer it connected to: $(grep -E "127.0.0.1:$port\\]" "$LOG" | head -2 | tr '\n' ' ')"
  fi
}
refused_peer "server certificate not for tls_server_name \"localhost\" (client domain)" wrong3 "$S3"
refused_peer "server certificate not for the next hop 127.0.0.1 (default client domain, RFC 5922 name check)" \
  wrong2 "$S2"

[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -30 "$LOG"; }
e2e_finish
