#!/usr/bin/env bash
# SNI never weakens a socket's policy, against `openssl s_client`:
#  - on a socket whose domains all carry a name, a client that sends no SNI or an unknown name
#    gets the first-declared domain ("a.test": a client certificate required), not the default
#    domain (which asks for none); $tls_domain names the domain in effect, is_peer_verified()
#    means verified by that domain's CA list;
#  - tls_sni_strict = yes refuses an unknown name with the alert unrecognized_name;
#  - $tls_sni is the client's name after a TLS 1.2 resumption too;
#  - `ser -c` warns where a socket's domains verify clients differently.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
tls_make_certs

P=$(tls_port)  # only named domains: a.test (certificate required), b.test (none asked)
S=$(tls_port)  # a no-name domain and sni.test, tls_sni_strict on the latter
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
listen = tls:127.0.0.1:$S
children = 2
log_level = 3
$(tls_server_params server2)
tls_domain[127.0.0.1:$P, "a.test"] {
  tls_certificate = "$CERTS/server.pem"
  tls_private_key = "$CERTS/server.key"
  tls_verify = 1
  tls_require_certificate = 1
}
tls_domain[127.0.0.1:$P, "b.test"] {
  tls_certificate = "$CERTS/sni.pem"
  tls_private_key = "$CERTS/sni.key"
}
tls_domain[127.0.0.1:$S] {
  tls_certificate = "$CERTS/server.pem"
  tls_private_key = "$CERTS/server.key"
}
tls_domain[127.0.0.1:$S, "sni.test"] {
  tls_certificate = "$CERTS/sni.pem"
  tls_private_key = "$CERTS/sni.key"
  tls_sni_strict = yes
}
route {
  if (is_peer_verified()) log(2, "verified by \$tls_domain");
  log(2, "over tls: domain=[\$tls_domain] sni=[\$tls_sni]");
  sl_send_reply(200, "OK");
}
CFG
LOG=$E2E_TMP/ser.log
OUT=$E2E_TMP/s
CLIENT="-cert $CERTS/client.pem -key $CERTS/client.key -cert_chain $CERTS/client.pem"

# ser -c: the two domains of P differ in client verification.
"$SER_BIN" -c -f "$E2E_TMP/ser.cfg" >"$E2E_TMP/check.out" 2>&1
if grep -q "warning: tls_domain\[127.0.0.1:$P, \"b.test\"\] verifies clients differently from tls_domain\[127.0.0.1:$P, \"a.test\"\] on the same socket (tls_verify = 0 here; tls_verify = 1, tls_require_certificate = 1" "$E2E_TMP/check.out"; then
  pass "ser -c warns: $(grep -m1 -o 'warning: .*' "$E2E_TMP/check.out" | cut -c1-160)..."
else
  fail "ser -c gave no warning about the socket's mixed verification:"; cat "$E2E_TMP/check.out"
fi

start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }

# No SNI, or a name no domain answers for, without a client certificate: a.test refuses
# (TLS 1.3: the alert comes after s_client's handshake, so a SIP request must go unanswered).
for sni in "" "-servername other.example"; do
  status=$(tls_options "$OUT.r" "127.0.0.1:$P" $sni)
  if [ -z "$status" ]; then
    pass "${sni:-no SNI}: no client certificate, refused as a.test requires (not the default domain's policy)"
  else
    fail "${sni:-no SNI}: answered '$status' without a client certificate"
  fi
done
if log_has "handshake failed: .*(peer did not return a certificate|certificate required)"; then
  pass "ser logs the refusal: $(grep -m1 -oE 'handshake failed: .*' "$LOG")"
else
  fail "no handshake failure for the missing client certificate in ser's log"
fi

# With the client certificate, no SNI: a.test's certificate, verified by a.test's CA list.
status=$(tls_options "$OUT.c" "127.0.0.1:$P" $CLIENT)
if [ "$status" = "SIP/2.0 200 OK" ]; then
  pass "no SNI with a client certificate: answered ($status)"
else
  fail "no SNI with a client certificate: got '$status'"; cat "$OUT.c.err"
fi
if log_has "over tls: domain=\[tls_domain\[127.0.0.1:$P, \"a.test\"\]\] sni=\[\]" &&
   log_has "verified by tls_domain\[127.0.0.1:$P, \"a.test\"\]"; then
  pass "\$tls_domain is a.test and is_peer_verified() holds: $(grep -m1 -o 'over tls: domain=.*a.test.*' "$LOG")"
else
  fail "\$tls_domain/is_peer_verified() for the no-SNI client:"; grep "over tls\|verified by" "$LOG"
fi

# SNI b.test: its own certificate, no client certificate asked.
status=$(tls_options "$OUT.b" "127.0.0.1:$P" -servername b.test)
if [ "$status" = "SIP/2.0 200 OK" ] && log_has "over tls: domain=\[tls_domain\[127.0.0.1:$P, \"b.test\"\]\] sni=\[b.test\]"; then
  pass "SNI b.test: b.test's domain answers without a client certificate"
else
  fail "SNI b.test: got '$status'"; grep "over tls" "$LOG"
fi

# tls_sni_strict: an unknown name gets the alert unrecognized_name; no name and sni.test are served.
sclient "$OUT.u" "127.0.0.1:$S" -servername other.example
if grep -qi "unrecognized name" "$OUT.u" && [ -z "$(negotiated "$OUT.u")" ]; then
  pass "tls_sni_strict: unknown SNI refused, s_client says: $(grep -m1 -io '[a-z0-9 ]*unrecognized name[^:]*' "$OUT.u")"
else
  fail "tls_sni_strict: unknown SNI not refused with unrecognized_name"; cat "$OUT.u"
fi
if log_has "handshake failed: SNI \"other.example\" names no domain of this socket \(tls_sni_strict\)"; then
  pass "ser logs the strict refusal: $(grep -m1 -oE 'handshake failed: SNI.*' "$LOG")"
else
  fail "no log line for the strict refusal"; grep "handshake failed" "$LOG"
fi
sclient "$OUT.n" "127.0.0.1:$S"
sclient "$OUT.s" "127.0.0.1:$S" -servername sni.test
if [ "$(peer_cn "$OUT.n")" = localhost ] && [ "$(peer_cn "$OUT.s")" = sni.test ]; then
  pass "tls_sni_strict: no SNI gets the socket's domain, sni.test its own"
else
  fail "tls_sni_strict: no SNI CN='$(peer_cn "$OUT.n")', sni.test CN='$(peer_cn "$OUT.s")'"
fi

# TLS 1.2 resumption: the resumed connection's $tls_sni is still the client's name.
SESS=$E2E_TMP/sess.pem
tls_options "$OUT.f" "127.0.0.1:$S" -servername sni.test -tls1_2 -sess_out "$SESS" >/dev/null
status=$(tls_options "$OUT.r2" "127.0.0.1:$S" -servername sni.test -tls1_2 -sess_in "$SESS")
resumed=$(grep -c 'tls handshake done: TLSv1.2 .*(resumed).*sni "sni.test"' "$LOG")
named=$(grep -c "over tls: domain=\[tls_domain\[127.0.0.1:$S, \"sni.test\"\]\] sni=\[sni.test\]" "$LOG")
if [ "$status" = "SIP/2.0 200 OK" ] && [ "$resumed" -ge 1 ] && [ "$named" -ge 2 ]; then
  pass "TLS 1.2 resumption: \$tls_sni and \$tls_domain kept (resumed handshakes: $resumed, lines with sni=[sni.test]: $named)"
else
  fail "TLS 1.2 resumption: status '$status', resumed handshakes $resumed, lines with sni=[sni.test] $named"
  grep "handshake done\|over tls" "$LOG" | tail -4
fi
[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -30 "$LOG"; }
e2e_finish
