#!/usr/bin/env bash
# Kamailio on the called side: sipp UAC (UDP) -> ser -> TLS -> Kamailio -> UDP -> sipp UAS,
# 500 calls that keep to their dialog (ACK and BYE through both proxies' Record-Routes). ser
# forwards to the host name "localhost" and checks Kamailio's certificate against it (RFC 5922
# §7.2; Kamailio's certificate names DNS:localhost and IP:127.0.0.1, which also serves the
# in-dialog requests sent to its Record-Route address). A second Kamailio presenting a
# certificate for wrong.example.net is refused by ser: the call fails and ser logs why.
# Kamailio is alive after each case.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
source "$(dirname "$0")/kamailio_lib.sh"
tls_require_build
kam_require
tls_make_certs
CALLS=${KAMAILIO_CALLS:-500}

S_UDP=$(free_port); S_TLS=$(free_port)
K_UDP=$(free_port); K_TLS=$(free_port); UAS=$(free_port)
W_UDP=$(free_port); W_TLS=$(free_port); W_UAS=$(free_port)

cat >"$E2E_TMP/ser.cfg" <<CFG
listen = udp:127.0.0.1:$S_UDP
listen = tls:127.0.0.1:$S_TLS
children = 2
log_level = 3
$(tls_server_params server)
route {
  if (!mf_process_maxfwd_header(10)) { sl_send_reply(483, "Too Many Hops"); exit; }
  if (method == "INVITE" && uri =~ "^sip:service@") {
    record_route();
    forward_tls("localhost", $K_TLS);
    exit;
  }
  if (method == "INVITE" && uri =~ "^sip:wrongname@") {
    forward_tls("localhost", $W_TLS);
    exit;
  }
  forward();
}
CFG
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }

# start_kamailio NAME UDP TLS UAS CERT: renders and starts a Kamailio presenting $CERTS/CERT.pem.
start_kamailio() {
  local name=$1
  kam_render ser_to_kamailio_tls.cfg "$E2E_TMP/${name}_tls.cfg" "CERTS=$CERTS" "CERT=$5" &&
    kam_render ser_to_kamailio.cfg "$E2E_TMP/$name.cfg" "TEMPLATES=$KAM_TEMPLATES" \
      "UDP_PORT=$2" "TLS_PORT=$3" "UAS_PORT=$4" "TLS_CFG=$E2E_TMP/${name}_tls.cfg" &&
    kam_start "$name" "$E2E_TMP/$name.cfg" "$2"
}
start_kamailio kamailio "$K_UDP" "$K_TLS" "$UAS" server || { fail "kamailio start"; e2e_finish; }
K_PID=$KAM_PID
kam_check_alive kamailio "$K_PID" "$K_UDP" "start"

sipp_uas uas "$UAS" "$CALLS" || { fail "sipp UAS did not bind"; e2e_finish; }
if sipp_calls calls "127.0.0.1:$S_UDP" "$CALLS" 50; then
  pass "sipp -> ser -> TLS -> kamailio -> sipp: $SIPP_FIGURES"
else
  fail "sipp -> ser -> TLS -> kamailio -> sipp: $SIPP_FIGURES"
  tail -n 20 "$E2E_TMP/calls.out"
fi
sipp_uas_result uas "$CALLS"

# ser checked the name it forwarded to; Kamailio saw it as SNI.
if log_has "127.0.0.1:[0-9]+->127.0.0.1:$K_TLS\\] tls handshake done: .*peer CN=localhost \\(verified\\)"; then
  pass "ser verified Kamailio's certificate for localhost: $(grep -m1 -oE "tls handshake done: .*CN=localhost.*" "$E2E_TMP/ser.log")"
else
  fail "no verified handshake with Kamailio in ser's log"
fi
if grep -q "INVITE from 127.0.0.1:[0-9]* over TLS, SNI localhost" "$E2E_TMP/kamailio.log"; then
  pass "Kamailio received the calls over TLS with SNI localhost"
else
  fail "Kamailio logged no INVITE over TLS with SNI localhost"
fi
kam_check_alive kamailio "$K_PID" "$K_UDP" "$CALLS calls"

# A Kamailio whose certificate names wrong.example.net: ser refuses it, the call fails.
start_kamailio kamailio_wrong "$W_UDP" "$W_TLS" "$W_UAS" server-wrong-name ||
  { fail "kamailio_wrong start"; e2e_finish; }
W_PID=$KAM_PID
sipp -sf "$KAM_TEMPLATES/uac_dialog.xml" -s wrongname -i 127.0.0.1 -p "$(free_port)" -m 1 -nostdin \
  -recv_timeout 4000 -timeout 30s -timeout_error "127.0.0.1:$S_UDP" >"$E2E_TMP/wrongname.out" 2>&1
rc=$?
why=$(grep -m1 -oE "127.0.0.1:$W_TLS\\] handshake failed: .*" "$E2E_TMP/ser.log")
if [ "$rc" -ne 0 ] && [[ "$why" == *"peer certificate does not name localhost (it names DNS:wrong.example.net"* ]] &&
  ! grep -q "INVITE from" "$E2E_TMP/kamailio_wrong.log"; then
  pass "Kamailio with a certificate for wrong.example.net: the call failed, ser logged '$why'"
else
  fail "wrong-name Kamailio: sipp exit $rc, ser logged '$why'"
  tail -n 20 "$E2E_TMP/wrongname.out"
fi
kam_check_alive kamailio_wrong "$W_PID" "$W_UDP" "ser refused its certificate"
kam_check_alive kamailio "$K_PID" "$K_UDP" "the wrong-name call"

[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -30 "$E2E_TMP/ser.log"; kam_dump kamailio; }
e2e_finish
