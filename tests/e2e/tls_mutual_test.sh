#!/usr/bin/env bash
# Mutual TLS against `openssl s_client` sending a SIP OPTIONS over the connection. The route
# script answers 200 "Verified" when is_peer_verified(), else 403 "Not Verified", and logs the
# peer's CN. With tls_verify=1 and tls_require_certificate=1: a good client certificate is
# answered; none, one from another CA, an expired one, a revoked one (tls_crl) are refused and
# ser logs why; the revoked one is accepted without tls_crl. With tls_require_certificate=0 a
# client without a certificate is served, but is not verified, and one with a certificate from
# another CA is refused (the seed's semantics). tls_verify_depth = 0 refuses a chain with an
# intermediate. With tls_verify=0 no certificate is requested. All of that runs with the
# certificates' keys through OpenSSL's built-in RSA/EC methods (tls_builtin_key_methods, the
# default, said in the start log); a second ser with it off (provider decoders) verifies the
# good certificate and refuses the one from another CA the same way.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
tls_make_certs

P_CRL=$(tls_port)    # verify + require + CRL
P_NOCRL=$(tls_port)  # verify + require, no CRL
P_OPT=$(tls_port)    # verify, certificate optional
P_NONE=$(tls_port)   # the default domain: tls_verify = 0
P_DEPTH=$(tls_port)  # verify + require, tls_verify_depth = 0 (client chain: leaf, intermediate)
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P_CRL
listen = tls:127.0.0.1:$P_NOCRL
listen = tls:127.0.0.1:$P_OPT
listen = tls:127.0.0.1:$P_NONE
listen = tls:127.0.0.1:$P_DEPTH
children = 2
log_level = 3
$(tls_server_params server)
tls_domain[127.0.0.1:$P_CRL] {
  tls_verify = 1
  tls_require_certificate = 1
  tls_crl = "$CERTS/crl.pem"
}
tls_domain[127.0.0.1:$P_NOCRL] {
  tls_verify = 1
  tls_require_certificate = 1
}
tls_domain[127.0.0.1:$P_OPT] {
  tls_verify = 1
  tls_require_certificate = 0
}
tls_domain[127.0.0.1:$P_DEPTH] {
  tls_verify = 1
  tls_require_certificate = 1
  tls_verify_depth = 0
}
route {
  log(2, "mutual: proto TLS peer cn=[\$tls_peer_subject_cn] version \$tls_version");
  if (is_peer_verified()) sl_send_reply(200, "Verified"); else sl_send_reply(403, "Not Verified");
}
CFG
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
OUT=$E2E_TMP/s
LOG=$E2E_TMP/ser.log

# client_opts NAME: s_client options presenting $CERTS/NAME.pem (leaf + intermediate) and key.
client_opts() {
  echo "-cert $CERTS/$1.pem -key $CERTS/$1.key -cert_chain $CERTS/$1.pem"
}

# expect_refused LABEL PORT LOG_ERE [s_client options...]: no SIP answer comes back and the
# lines ser logged meanwhile match LOG_ERE (its one-line reason).
expect_refused() {
  local label=$1 port=$2 ere=$3 from got why
  shift 3
  from=$(wc -l <"$LOG")
  got=$(tls_options "$OUT.$port.$RANDOM" "127.0.0.1:$port" "$@")
  why=$(tail -n +"$((from + 1))" "$LOG" | grep -m1 -oE 'handshake failed: .*')
  if [ -z "$got" ] && [[ "$why" =~ $ere ]]; then
    pass "$label: refused, ser logs '$why'"
  else
    fail "$label: got '$got', ser logged '$why' (want /$ere/)"
  fi
}

# expect_answer LABEL PORT WANT [s_client options...]: the OPTIONS sent is answered WANT.
expect_answer() {
  local label=$1 port=$2 want=$3 got
  shift 3
  got=$(tls_options "$OUT.$port.$RANDOM" "127.0.0.1:$port" "$@")
  if [ "$got" = "$want" ]; then
    pass "$label ('$got')"
  else
    fail "$label: got '$got' (want '$want')"
  fi
}

# 1. A good client certificate: handshake done, verified, the script sees the peer's CN.
got=$(tls_options "$OUT.good" "127.0.0.1:$P_CRL" $(client_opts client))
if [ "$got" = "SIP/2.0 200 Verified" ]; then
  pass "good client certificate: OPTIONS over mutual TLS answered '$got'"
else
  fail "good client certificate: got '$got'"; cat "$OUT.good"
fi
if log_has 'mutual: proto TLS peer cn=\[client.test\] version TLSv1\.3'; then
  pass "log() shows \$tls_peer_subject_cn: $(grep -m1 -oE 'mutual: .*client.test.*' "$LOG")"
else
  fail "no log line with peer cn=[client.test]"; grep mutual "$LOG"
fi
if log_has 'tls handshake done: .*peer CN=client.test \(verified\)'; then
  pass "handshake line: $(grep -m1 -oE 'tls handshake done: .*peer CN=client.test.*' "$LOG")"
else
  fail "no handshake line with peer CN=client.test (verified)"
fi

# 2. Refusals with tls_require_certificate=1 (TLS 1.3 and 1.2: in 1.3 the client learns it
#    after its own Finished, so the absence of an answer is what tells).
expect_refused "no client certificate" "$P_CRL" "peer did not return a certificate"
expect_refused "no client certificate, TLS 1.2" "$P_CRL" "peer did not return a certificate" -tls1_2
expect_refused "client certificate from another CA" "$P_CRL" \
  "certificate verify failed: unable to get local issuer certificate" $(client_opts client-other-ca)
expect_refused "expired client certificate" "$P_CRL" \
  "certificate verify failed: certificate has expired" $(client_opts client-expired)
expect_refused "revoked client certificate with tls_crl" "$P_CRL" \
  "certificate verify failed: certificate revoked" $(client_opts client-revoked)

# 3. Without tls_crl the revoked certificate passes: the CRL is what refused it.
expect_answer "revoked client certificate without tls_crl: accepted" "$P_NOCRL" \
  "SIP/2.0 200 Verified" $(client_opts client-revoked)
expect_refused "no client certificate without tls_crl" "$P_NOCRL" "peer did not return a certificate"

# 4. tls_verify=1, tls_require_certificate=0: served without a certificate, not verified;
#    with a good one, verified.
expect_answer "certificate optional, none sent: served, is_peer_verified() false" "$P_OPT" \
  "SIP/2.0 403 Not Verified"
expect_answer "certificate optional, good one sent: is_peer_verified() true" "$P_OPT" \
  "SIP/2.0 200 Verified" $(client_opts client)

# The seed: with tls_require_certificate=0 a certificate that is sent must still verify.
expect_refused "certificate optional, one from another CA sent" "$P_OPT" \
  "certificate verify failed: unable to get local issuer certificate" $(client_opts client-other-ca)

# tls_verify_depth = 0 leaves no room for the intermediate CA of the good client certificate.
expect_refused "good client certificate through an intermediate with tls_verify_depth = 0" "$P_DEPTH" \
  "certificate verify failed: certificate chain too long" $(client_opts client)

# 5. tls_verify=0 (the default): no certificate is asked for, so even a client that has a good
#    one is not verified.
got=$(tls_options "$OUT.none" "127.0.0.1:$P_NONE" $(client_opts client))
if [ "$got" = "SIP/2.0 403 Not Verified" ] &&
  log_has "127.0.0.1:$P_NONE<-.*tls handshake done: .*no peer certificate, default server domain"; then
  pass "tls_verify=0: no certificate requested, is_peer_verified() false ('$got')"
else
  fail "tls_verify=0: got '$got'"
fi

# 6. The key methods: the default is OpenSSL's built-in ones (every check above used them);
#    with tls_builtin_key_methods = no the provider decoders verify the same way.
if log_has "TLS ready \(.*certificate keys through OpenSSL's built-in RSA/EC methods\)"; then
  pass "start log: $(grep -m1 -oE 'TLS ready .*' "$LOG")"
else
  fail "no 'TLS ready' line naming the built-in key methods"; grep -m1 'TLS ready' "$LOG"
fi
P_PROV=$(tls_port)
cat >"$E2E_TMP/prov.cfg" <<CFG
listen = tls:127.0.0.1:$P_PROV
log_level = 3
tls_builtin_key_methods = no
$(tls_server_params server)
tls_verify = 1
tls_require_certificate = 1
route {
  if (is_peer_verified()) sl_send_reply(200, "Verified"); else sl_send_reply(403, "Not Verified");
}
CFG
if start_ser "$E2E_TMP/prov.cfg" prov; then
  LOG=$E2E_TMP/prov.log
  if log_has "TLS ready \(.*certificate keys through OpenSSL's provider decoders\)" "$LOG"; then
    pass "tls_builtin_key_methods = no: $(grep -m1 -oE 'TLS ready .*' "$LOG")"
  else
    fail "tls_builtin_key_methods = no: no 'TLS ready' line naming the provider decoders"
  fi
  expect_answer "provider decoders: good client certificate verified" "$P_PROV" \
    "SIP/2.0 200 Verified" $(client_opts client)
  expect_refused "provider decoders: client certificate from another CA" "$P_PROV" \
    "certificate verify failed: unable to get local issuer certificate" $(client_opts client-other-ca)
else
  fail "ser with tls_builtin_key_methods = no did not start"
fi

[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -40 "$LOG"; }
e2e_finish
