#!/usr/bin/env bash
# Kamailio on the calling side: sipp UAC (UDP) -> Kamailio -> TLS -> ser -> UDP -> sipp UAS,
# 500 calls (INVITE, 200, ACK, BYE, 200) that keep to their dialog: the ACK and BYE follow the
# route set of both proxies' Record-Routes. The TLS leg is mutual: Kamailio presents a client
# certificate that ser requires and verifies (tls_verify, tls_require_certificate), and
# Kamailio verifies ser's chain and checks that its certificate names "localhost". A call that
# Kamailio sends to a ser socket whose certificate names wrong.example.net fails (408 from
# Kamailio, which drops what comes back over that connection), and one towards a ser socket
# where Kamailio presents no client certificate fails in the handshake. Kamailio is alive
# after each.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
source "$(dirname "$0")/kamailio_lib.sh"
tls_require_build
kam_require
tls_make_certs
CALLS=${KAMAILIO_CALLS:-500}

K_UDP=$(free_port); K_TLS=$(free_port)
S_TLS=$(free_port); S_WRONG=$(free_port); S_NOCERT=$(free_port); S_UDP=$(free_port)
UAS=$(free_port)

cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$S_TLS
listen = tls:127.0.0.1:$S_WRONG
listen = tls:127.0.0.1:$S_NOCERT
listen = udp:127.0.0.1:$S_UDP
children = 2
log_level = 3
$(tls_server_params server)
tls_domain[127.0.0.1:$S_TLS] {
  tls_verify = 1
  tls_require_certificate = 1
}
tls_domain[127.0.0.1:$S_NOCERT] {
  tls_verify = 1
  tls_require_certificate = 1
}
tls_domain[127.0.0.1:$S_WRONG] {
$(tls_server_params server-wrong-name)
  tls_verify = 1
  tls_require_certificate = 1
}
route {
  if (!mf_process_maxfwd_header(10)) { sl_send_reply(483, "Too Many Hops"); exit; }
  if (!is_peer_verified()) { sl_send_reply(403, "Peer Not Verified"); exit; }
  if (dst_port == $S_WRONG || dst_port == $S_NOCERT) { sl_send_reply(486, "Busy Here"); exit; }
  if (method == "INVITE" && uri =~ "^sip:service@") {
    record_route();
    forward_udp("127.0.0.1", $UAS);
    exit;
  }
  forward();
}
CFG
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }

kam_render kamailio_to_ser_tls.cfg "$E2E_TMP/kamailio_tls.cfg" "CERTS=$CERTS" || e2e_finish
kam_render kamailio_to_ser.cfg "$E2E_TMP/kamailio.cfg" "TEMPLATES=$KAM_TEMPLATES" \
  "UDP_PORT=$K_UDP" "TLS_PORT=$K_TLS" "SER_PORT=$S_TLS" "SER_WRONG_PORT=$S_WRONG" \
  "SER_NOCERT_PORT=$S_NOCERT" "TLS_CFG=$E2E_TMP/kamailio_tls.cfg" || e2e_finish
kam_start kamailio "$E2E_TMP/kamailio.cfg" "$K_UDP" || { fail "kamailio start"; e2e_finish; }
K_PID=$KAM_PID
kam_check_alive kamailio "$K_PID" "$K_UDP" "start"

sipp_uas uas "$UAS" "$CALLS" || { fail "sipp UAS did not bind"; e2e_finish; }
if sipp_calls calls "127.0.0.1:$K_UDP" "$CALLS" 50; then
  pass "sipp -> kamailio -> TLS -> ser -> sipp: $SIPP_FIGURES"
else
  fail "sipp -> kamailio -> TLS -> ser -> sipp: $SIPP_FIGURES"
  tail -n 20 "$E2E_TMP/calls.out"
fi
sipp_uas_result uas "$CALLS"

# Mutual TLS: ser required Kamailio's certificate and verified it.
if log_has "127.0.0.1:$S_TLS<-127.0.0.1:[0-9]+\\] tls handshake done: .*peer CN=client.test \\(verified\\)"; then
  pass "ser verified Kamailio's client certificate: $(grep -m1 -oE 'tls handshake done: .*client.test.*' "$E2E_TMP/ser.log")"
else
  fail "no handshake with Kamailio's verified client certificate in ser's log"
fi
if grep -q "dropping" "$E2E_TMP/kamailio.log"; then
  fail "Kamailio refused a response from ser's good certificate: $(grep -m1 dropping "$E2E_TMP/kamailio.log")"
else
  pass "Kamailio checked ser's certificate names localhost on every response"
fi
kam_check_alive kamailio "$K_PID" "$K_UDP" "$CALLS calls"

# Kamailio refuses ser's certificate for another name: the call fails with Kamailio's 408.
sipp -sf "$KAM_TEMPLATES/uac_dialog.xml" -s wrongname -i 127.0.0.1 -p "$(free_port)" -t u1 -m 1 -nostdin \
  -timeout 30s -timeout_error -trace_err -error_file "$E2E_TMP/wrongname.err" \
  "127.0.0.1:$K_UDP" >"$E2E_TMP/wrongname.out" 2>&1
rc=$?
why=$(grep -m1 -oE "dropping 486 Busy Here from .*" "$E2E_TMP/kamailio.log")
if [ "$rc" -ne 0 ] && grep -q "SIP/2.0 408" "$E2E_TMP/wrongname.err" && [[ "$why" == *"names wrong.example.net"* ]]; then
  pass "ser's certificate for wrong.example.net: the call failed with 408, Kamailio logged '$why'"
else
  fail "wrong-name certificate: sipp exit $rc, Kamailio logged '$why'"
  tail -n 20 "$E2E_TMP/wrongname.out"
fi
kam_check_alive kamailio "$K_PID" "$K_UDP" "the wrong-name call"

# ser requires Kamailio's certificate: without one the handshake fails and so does the call.
sipp -sf "$KAM_TEMPLATES/uac_dialog.xml" -s nocert -i 127.0.0.1 -p "$(free_port)" -m 1 -nostdin \
  -timeout 30s -timeout_error "127.0.0.1:$K_UDP" >"$E2E_TMP/nocert.out" 2>&1
rc=$?
why=$(grep -m1 -oE "127.0.0.1:$S_NOCERT<-127.0.0.1:[0-9]+\] handshake failed: .*" "$E2E_TMP/ser.log")
if [ "$rc" -ne 0 ] && [[ "$why" == *"peer did not return a certificate"* ]]; then
  pass "Kamailio without a client certificate: the call failed, ser logged '${why#*] }'"
else
  fail "Kamailio without a client certificate: sipp exit $rc, ser logged '$why'"
  tail -n 20 "$E2E_TMP/nocert.out"
fi
kam_check_alive kamailio "$K_PID" "$K_UDP" "the call without a client certificate"

[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -30 "$E2E_TMP/ser.log"; kam_dump kamailio; }
e2e_finish
