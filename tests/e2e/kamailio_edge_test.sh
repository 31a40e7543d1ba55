#!/usr/bin/env bash
# The edge scenario against Kamailio's registrar: a phone behind NAT (tests/e2e/sip_phone.py, an
# RFC 5626 outbound UA over TLS whose Contact is a port nobody listens on) registers through
# ser, whose add_path() puts a Path with a flow token naming the phone's TLS connection;
# Kamailio (registrar, usrloc; use_path) keeps the Path with the contact. A call placed at
# Kamailio (sipp UAC, INVITE to the phone's AOR) is routed by lookup() through that Path, and
# ser sends it over the connection the phone registered on; the phone answers and the call
# completes (ACK and BYE reach the phone over that connection too). After the phone
# disconnects, the next call fails with 430 Flow Failed, relayed by Kamailio. Kamailio is
# alive after each case.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
source "$(dirname "$0")/kamailio_lib.sh"
tls_require_build
kam_require
tls_make_certs

S_TLS=$(free_port); S_UDP=$(free_port); K_UDP=$(free_port)
NAT=$(free_port)  # the phone's Contact port: nobody listens there

cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$S_TLS
listen = udp:127.0.0.1:$S_UDP
children = 2
log_level = 3
$(tls_server_params server)
route {
  if (!mf_process_maxfwd_header(10)) { sl_send_reply(483, "Too Many Hops"); exit; }
  if (method == "REGISTER") {
    add_path();
    forward_udp("127.0.0.1", $K_UDP);
    exit;
  }
  record_route();
  forward();
}
CFG
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }

kam_render registrar.cfg "$E2E_TMP/kamailio.cfg" "TEMPLATES=$KAM_TEMPLATES" "UDP_PORT=$K_UDP" ||
  e2e_finish
kam_start kamailio "$E2E_TMP/kamailio.cfg" "$K_UDP" || { fail "kamailio start"; e2e_finish; }
K_PID=$KAM_PID
kam_check_alive kamailio "$K_PID" "$K_UDP" "start"

# The phone: registers, answers one call, then hangs up its connection.
PHONE_OUT=$E2E_TMP/phone.out
python3 "$SER_SOURCE_DIR/tests/e2e/sip_phone.py" --ser "127.0.0.1:$S_TLS" --ca "$CERTS/ca.pem" \
  --registrar "127.0.0.1:$K_UDP" --contact-port "$NAT" --calls 1 --timeout 60 >"$PHONE_OUT" 2>&1 &
PHONE_PID=$!
E2E_PIDS+=("$PHONE_PID")

if wait_for "$PHONE_OUT" '^(registered|error)' && grep -q '^registered 200' "$PHONE_OUT"; then
  pass "the phone registered through ser: $(grep -m1 '^registered' "$PHONE_OUT")"
else
  fail "the phone did not register: $(cat "$PHONE_OUT")"
  grep REGISTER "$E2E_TMP/kamailio.log" | tail -3
  e2e_finish
fi
if grep -qE "REGISTER sip:phone@127.0.0.1 from 127.0.0.1:$S_UDP, Path: <sip:[a-z0-9]+@127.0.0.1:$S_UDP;lr;ob>" \
  "$E2E_TMP/kamailio.log"; then
  pass "Kamailio saved the contact with ser's Path: $(grep -m1 -oE 'Path: <sip:.*' "$E2E_TMP/kamailio.log")"
else
  fail "Kamailio got no REGISTER with ser's Path: $(grep -m1 'REGISTER' "$E2E_TMP/kamailio.log")"
fi
kam_check_alive kamailio "$K_PID" "$K_UDP" "the registration"

# A call to the phone's AOR placed at Kamailio: it reaches the phone over its connection.
if sipp_calls call "127.0.0.1:$K_UDP" 1 1 -s phone; then
  pass "call to sip:phone@ at Kamailio: $SIPP_FIGURES"
else
  fail "call to sip:phone@ at Kamailio: $SIPP_FIGURES"
  tail -n 20 "$E2E_TMP/call.out"
fi
if wait_for "$PHONE_OUT" '^(closed|error)' && grep -q '^invite ' "$PHONE_OUT" &&
  grep -q '^ack ' "$PHONE_OUT" && grep -q '^bye ' "$PHONE_OUT" && grep -q '^closed' "$PHONE_OUT"; then
  pass "the phone got the INVITE, the ACK and the BYE over the connection it registered on"
else
  fail "the phone: $(tr '\n' ' ' <"$PHONE_OUT")"
fi
# RFC 5626 §5.3: the Record-Route facing the phone names its flow, or the caller's ACK and BYE
# would go to the unreachable Contact.
if grep -qE "^invite .*Record-Route: <sip:[a-z0-9]+@127.0.0.1:$S_TLS;transport=tls;lr>" "$PHONE_OUT"; then
  pass "ser's Record-Route towards the phone carries the flow token: $(grep -m1 -oE 'Record-Route: .*' "$PHONE_OUT")"
else
  fail "ser's Record-Route towards the phone: $(grep -m1 -oE 'Record-Route: .*' "$PHONE_OUT")"
fi
if grep -qE "INVITE for sip:phone@127.0.0.1(:[0-9]+)? to sip:phone@127.0.0.1:$NAT;transport=tls;ob via sip:[a-z0-9]+@127.0.0.1:$S_UDP;lr;ob" \
  "$E2E_TMP/kamailio.log"; then
  pass "Kamailio's lookup() routed the call to the unreachable Contact through ser's Path"
else
  fail "Kamailio's lookup(): $(grep -m1 'INVITE for' "$E2E_TMP/kamailio.log")"
fi
kam_check_alive kamailio "$K_PID" "$K_UDP" "the call"

# The phone is gone: the next call fails with 430 Flow Failed from ser, relayed by Kamailio.
wait "$PHONE_PID" 2>/dev/null
sipp -sf "$KAM_TEMPLATES/uac_flow_failed.xml" -s phone -i 127.0.0.1 -p "$(free_port)" -m 1 -nostdin \
  -timeout 30s -timeout_error -trace_msg -message_file "$E2E_TMP/flow_failed.msg" \
  "127.0.0.1:$K_UDP" >"$E2E_TMP/flow_failed.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q "^SIP/2.0 430 Flow Failed" "$E2E_TMP/flow_failed.msg" &&
  log_has "430 Flow Failed"; then
  pass "after the phone disconnected the call got '430 Flow Failed' (ser: $(grep -m1 -oE '\] .*430 Flow Failed' "$E2E_TMP/ser.log"))"
else
  fail "after the phone disconnected: sipp exit $rc, got '$(grep -m1 '^SIP/2.0' "$E2E_TMP/flow_failed.msg")'"
  tail -n 20 "$E2E_TMP/flow_failed.out"
fi
kam_check_alive kamailio "$K_PID" "$K_UDP" "the failed call"

[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -30 "$E2E_TMP/ser.log"; kam_dump kamailio; }
e2e_finish
