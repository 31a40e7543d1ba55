#!/usr/bin/env bash
# RFC 4475 torture messages (tests/data/rfc4475) sent to ser over UDP, TCP and TLS by
# tests/e2e/rfc4475.py, which records what ser forwards over UDP: valid requests arrive
# intact, valid responses are relayed, invalid ones are answered (400, 505) or dropped and
# never forwarded. ser must stay up and log no crash.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 0; }
PU=$(free_port); PT=$(free_port); REC=$(free_port); PS=0
TLS_LINES=""
if [ "${SER_TLS:-1}" = 1 ] && command -v openssl >/dev/null; then
  tls_make_certs
  PS=$(free_port)
  TLS_LINES="listen = tls:127.0.0.1:$PS
$(tls_server_params server)"
fi

# One worker: the driver's sentinel after each message then orders everything it caused.
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = udp:127.0.0.1:$PU
listen = tcp:127.0.0.1:$PT
$TLS_LINES
children = 1
log_level = 3
route {
  forward_udp("127.0.0.1", $REC);
}
CFG
start_ser "$E2E_TMP/ser.cfg" || { fail "ser start"; e2e_finish; }
wait_port "$PT" tcp || fail "ser's TCP listener"

CA="${CERTS:-.}/ca.pem"
if python3 "$(dirname "$0")/rfc4475.py" "$SER_SOURCE_DIR/tests/data/rfc4475" "$REC" "$PU" "$PT" \
    "$PS" "$CA" >"$E2E_TMP/rfc4475.out" 2>&1; then
  pass "every RFC 4475 message handled as the RFC asks ($(tail -1 "$E2E_TMP/rfc4475.out"))"
else
  fail "RFC 4475 messages:"; grep -v '^PASS' "$E2E_TMP/rfc4475.out"
fi
kill -0 "$SER_PID" 2>/dev/null && pass "ser alive after the torture messages" || fail "ser died"
if grep -qiE "segfault|assert|abort" "$E2E_TMP/ser.log"; then fail "crash lines in the log"; fi
[ "$E2E_FAILS" -ne 0 ] && tail -40 "$E2E_TMP/ser.log"
e2e_finish
