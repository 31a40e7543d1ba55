#!/usr/bin/env bash
# RFC 5923 aliases (tcp_accept_aliases): a peer connects to ser over TCP and sends a request whose
# Via says `127.0.0.1:X;alias`. A request another peer later sends through ser towards
# sip:...@127.0.0.1:X;transport=tcp goes over that connection, and nothing connects to port X
# (where the test listens, counting connections). With tcp_accept_aliases = no (the default),
# ser opens a new connection to port X instead.
# Over TLS (RFC 5923 §5.3/§11: reuse only for an authenticated peer): a peer whose verified client
# certificate names `localhost` sends `Via: SIP/2.0/TLS localhost:Y;alias`, and a request to
# sip:...@localhost:Y;transport=tls reuses its connection; a peer whose certificate names another
# host gets no alias (ser connects to port Y).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 0; }

run_case() {  # NAME ACCEPT_ALIASES: what the peers saw, in $E2E_TMP/NAME.out
  local name=$1 accept=$2 PT PU R X
  PT=$(free_port)
  PU=$(free_port)
  R=$(free_port)
  X=$(free_port)
  cat >"$E2E_TMP/$name.cfg" <<CFG
listen = tcp:127.0.0.1:$PT
listen = udp:127.0.0.1:$PU
children = 2
log_level = 3
tcp_accept_aliases = $accept
route {
  if (proto == TCP) { forward_udp("127.0.0.1", $R); exit; }
  forward();
}
CFG
  start_ser "$E2E_TMP/$name.cfg" "$name" || { fail "$name: ser start"; return; }
  timeout 30 python3 "$SER_SOURCE_DIR/tests/e2e/alias_peer.py" "$PT" "$PU" "$R" "$X" \
    >"$E2E_TMP/$name.out" 2>&1
}

run_case on yes
out=$(cat "$E2E_TMP/on.out")
echo "$out"
if grep -q "^relayed" <<<"$out" && grep -q "^over the aliased connection" <<<"$out"; then
  pass "tcp_accept_aliases = yes: the request to the Via's alias reused the peer's connection"
else
  fail "tcp_accept_aliases = yes: $out"; tail -n 20 "$E2E_TMP/on.log"
fi
run_case off no
out=$(cat "$E2E_TMP/off.out")
echo "$out"
if grep -q "^new connection" <<<"$out"; then
  pass "tcp_accept_aliases = no: ser connected to the Via's address instead"
else
  fail "tcp_accept_aliases = no: $out"; tail -n 20 "$E2E_TMP/off.log"
fi
# ---- TLS ----
if [ "${SER_TLS:-1}" = 1 ] && command -v openssl >/dev/null; then
  tls_make_certs
  P=$(free_port)
  PU=$(free_port)
  R=$(free_port)
  cat >"$E2E_TMP/tls.cfg" <<CFG
listen = tls:127.0.0.1:$P
listen = udp:127.0.0.1:$PU
children = 2
log_level = 3
tcp_accept_aliases = yes
$(tls_server_params server)
tls_verify = 1
route {
  if (proto == TLS) { forward_udp("127.0.0.1", $R); exit; }
  forward();
}
CFG
  start_ser "$E2E_TMP/tls.cfg" tls || { fail "tls: ser start"; e2e_finish; }
  run_tls() {  # CERT_NAME: what the peers saw, in $E2E_TMP/tls-CERT_NAME.out
    local y
    y=$(free_port)
    timeout 30 python3 "$SER_SOURCE_DIR/tests/e2e/alias_peer.py" "$P" "$PU" "$R" "$y" "$CERTS" "$1" \
      >"$E2E_TMP/tls-$1.out" 2>&1
  }
  run_tls client-localhost
  out=$(cat "$E2E_TMP/tls-client-localhost.out")
  echo "$out"
  if grep -q "^over the aliased connection" <<<"$out"; then
    pass "TLS: a verified certificate naming the Via's host: the request to it reused the connection"
  else
    fail "TLS alias with a certificate for localhost: $out"; tail -n 20 "$E2E_TMP/tls.log"
  fi
  run_tls client
  out=$(cat "$E2E_TMP/tls-client.out")
  echo "$out"
  if grep -q "^new connection" <<<"$out"; then
    pass "TLS: a certificate naming another host (client.test) gets no alias"
  else
    fail "TLS alias with a certificate for client.test: $out"; tail -n 20 "$E2E_TMP/tls.log"
  fi
fi
e2e_finish
