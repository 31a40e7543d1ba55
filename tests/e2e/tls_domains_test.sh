#!/usr/bin/env bash
# TLS server domains against `openssl s_client`: sockets on 127.0.0.1:P, 127.0.0.2:P and
# [::1]:P each serve their own domain's certificate; on 127.0.0.1:P the client's SNI picks a third
# domain (exact name, any case, and a *. wildcard), an unknown SNI falls back to the socket's
# domain; Kamailio-style tls.cfg sections [server:127.0.0.2:Q] and [server:[::1]:Q] (tls_config)
# are applied the same.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
tls_make_certs

P=$(tls_port)
Q=$(tls_port)
cat >"$E2E_TMP/tls.cfg" <<INI
[server:127.0.0.2:$Q]
method = TLSv1.3+
certificate = $CERTS/sni.pem
private_key = $CERTS/sni.key

[server:[::1]:$Q]
certificate = $CERTS/server2.pem
private_key = $CERTS/server2.key
INI
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
listen = tls:127.0.0.2:$P
listen = tls:127.0.0.2:$Q
listen = tls:[::1]:$P
listen = tls:[::1]:$Q
children = 2
log_level = 3
$(tls_server_params server-ec)
tls_config = "$E2E_TMP/tls.cfg"
tls_domain[127.0.0.1:$P] {
  tls_certificate = "$CERTS/server.pem"
  tls_private_key = "$CERTS/server.key"
}
tls_domain[127.0.0.2:$P] {
  tls_certificate = "$CERTS/server2.pem"
  tls_private_key = "$CERTS/server2.key"
}
tls_domain[[::1]:$P] {
  tls_certificate = "$CERTS/server2.pem"
  tls_private_key = "$CERTS/server2.key"
}
tls_domain[127.0.0.1:$P, "sni.test"] {
  tls_certificate = "$CERTS/sni.pem"
  tls_private_key = "$CERTS/sni.key"
}
tls_domain[127.0.0.1:$P, "*.sni.test"] {
  tls_certificate = "$CERTS/sni.pem"
  tls_private_key = "$CERTS/sni.key"
  tls_method = TLSv1.3+
}
route { sl_send_reply(200, "OK"); }
CFG
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
OUT=$E2E_TMP/s

# expect_cn LABEL WANT_CN HOST:PORT [s_client options...]: the certificate the server sends
# has subject CN WANT_CN and verifies against ca.pem.
expect_cn() {
  local label=$1 want=$2 addr=$3 f="$OUT.$RANDOM" cn
  shift 3
  sclient "$f" "$addr" "$@"
  cn=$(peer_cn "$f")
  if [ "$cn" = "$want" ] && grep -q "Verify return code: 0 (ok)" "$f"; then
    pass "$label: CN=$cn ($(negotiated "$f"))"
  else
    fail "$label: CN='$cn', want $want"; cat "$f"
  fi
}

expect_cn "127.0.0.1:P serves its domain's certificate" localhost "127.0.0.1:$P"
expect_cn "127.0.0.2:P serves its own domain's certificate" sip2.test "127.0.0.2:$P"
expect_cn "[::1]:P (IPv6 domain block) serves its domain's certificate" sip2.test "[::1]:$P"
expect_cn "SNI sni.test on 127.0.0.1:P picks the SNI domain" sni.test "127.0.0.1:$P" -servername sni.test
expect_cn "SNI SNI.Test (other case) picks the same domain" sni.test "127.0.0.1:$P" -servername SNI.Test
expect_cn "SNI a.sni.test picks the *.sni.test domain" sni.test "127.0.0.1:$P" -servername a.sni.test
expect_cn "unknown SNI other.example falls back to the socket's domain" localhost "127.0.0.1:$P" \
  -servername other.example
expect_cn "a.b.sni.test (two labels) is not matched by *.sni.test" localhost "127.0.0.1:$P" \
  -servername a.b.sni.test
expect_cn "SNI sni.test on 127.0.0.2:P (no SNI domain there) keeps that socket's domain" sip2.test \
  "127.0.0.2:$P" -servername sni.test

# The wildcard domain's own tls_method applies after the SNI switch: TLS 1.2 refused there.
sclient "$OUT.w12" "127.0.0.1:$P" -servername a.sni.test -tls1_2
sclient "$OUT.x12" "127.0.0.1:$P" -servername sni.test -tls1_2
if [ -z "$(negotiated "$OUT.w12")" ] && [ -n "$(negotiated "$OUT.x12")" ]; then
  pass "SNI domain settings apply: *.sni.test (TLSv1.3+) refuses TLS 1.2, sni.test accepts it"
else
  fail "SNI domain method: a.sni.test TLS 1.2 gave '$(negotiated "$OUT.w12")', sni.test '$(negotiated "$OUT.x12")'"
fi

# tls.cfg section [server:127.0.0.2:Q]: its certificate and its method.
expect_cn "tls.cfg [server:127.0.0.2:Q] section serves its certificate" sni.test "127.0.0.2:$Q"
sclient "$OUT.q12" "127.0.0.2:$Q" -tls1_2
if [ -z "$(negotiated "$OUT.q12")" ]; then
  pass "tls.cfg section's method = TLSv1.3+ refuses TLS 1.2"
else
  fail "tls.cfg section's method ignored: TLS 1.2 gave '$(negotiated "$OUT.q12")'"
fi

expect_cn "tls.cfg [server:[::1]:Q] section (IPv6, inih ends names at the first ]) serves its certificate" \
  sip2.test "[::1]:$Q"

if log_has 'tls handshake done: .*sni "a.sni.test"'; then
  pass "ser logs the SNI: $(grep -m1 -oE 'tls handshake done: .*sni "a.sni.test".*' "$E2E_TMP/ser.log")"
else
  fail "no handshake line naming sni \"a.sni.test\" in ser's log"
fi
[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -30 "$E2E_TMP/ser.log"; }
e2e_finish
