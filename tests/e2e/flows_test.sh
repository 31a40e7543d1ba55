#!/usr/bin/env bash
# RFC 5626 edge flows end to end (RFC 3327 Path): phones over TLS (python's ssl module, OpenSSL),
# TCP and UDP register through ser to a registrar stand-in on UDP (flow_peers.py); the Path it
# sees carries ser's address, a flow token, `ob` for the outbound phone and `received` for
# add_path_received(). Requests the registrar sends with that Path as Route and a Request-URI
# naming an unreachable Contact reach each phone over its own flow; an edited token gets 403;
# a dialog's Record-Route carries the token of an outbound phone, and the callee's BYE comes
# back over TLS; once the TLS phone has closed, the same request gets 430 Flow Failed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 0; }
tls_make_certs

P=$(free_port)
PT=$(free_port)
PU=$(free_port)
R=$(free_port)
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
listen = tcp:127.0.0.1:$PT
listen = udp:127.0.0.1:$PU
children = 2
log_level = 3
$(tls_server_params server)
route {
  if (!mf_process_maxfwd_header(10)) { sl_send_reply(483, "Too Many Hops"); exit; }
  if (method == "REGISTER") {
    if (proto == TCP) { add_path_received(); } else { add_path(); }
    forward_udp("127.0.0.1", $R);
    exit;
  }
  record_route();
  forward();
}
CFG
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }

timeout 60 python3 "$SER_SOURCE_DIR/tests/e2e/flow_peers.py" "$P" "$PT" "$PU" "$R" "$CERTS/ca.pem" \
  >"$E2E_TMP/peers.out" 2>&1
cat "$E2E_TMP/peers.out"
while read -r line; do
  case "$line" in
    PASS:*) pass "${line#PASS: }" ;;
    FAIL:*) fail "${line#FAIL: }" ;;
  esac
done <"$E2E_TMP/peers.out"
grep -q '^PASS: after the phone closed' "$E2E_TMP/peers.out" || fail "the peers did not run to the end"
grep -q "flow token that does not verify" "$E2E_TMP/ser.log" || fail "the forged token was not logged"
grep -q "430 Flow Failed" "$E2E_TMP/ser.log" || fail "the failed flow was not logged"
[ "$E2E_FAILS" -eq 0 ] || tail -n 30 "$E2E_TMP/ser.log"
e2e_finish
