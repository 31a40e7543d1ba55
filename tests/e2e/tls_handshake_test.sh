#!/usr/bin/env bash
# TLS handshakes against `openssl s_client`: TLS 1.3 and TLS 1.2 (ECDHE + AEAD) with a chain
# that verifies against ca.pem; TLS 1.1 and a cipher without forward secrecy refused by ser
# (the client is told to allow them, so the refusal is ser's); a domain with tls_method =
# TLSv1.3+ refuses TLS 1.2; a domain's own tls_ciphers_list changes the TLS 1.2 cipher.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
tls_make_certs

P_DEF=$(tls_port)
P_13=$(tls_port)
P_CHACHA=$(tls_port)
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P_DEF
listen = tls:127.0.0.1:$P_13
listen = tls:127.0.0.1:$P_CHACHA
children = 2
log_level = 3
tcp_connection_lifetime = 3
$(tls_server_params server)
tls_domain[127.0.0.1:$P_13] {
  tls_keylog_file = "$E2E_TMP/keys.log"
  tls_method = TLSv1.3+
}
tls_domain[127.0.0.1:$P_CHACHA] {
  tls_ciphers_list = "ECDHE+CHACHA20"
}
route { sl_send_reply(200, "OK"); }
CFG
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
OUT=$E2E_TMP/s

# 1. TLS 1.3, chain verified against the test CA.
sclient "$OUT.13" "127.0.0.1:$P_DEF" -tls1_3
got=$(negotiated "$OUT.13")
if [[ "$got" == "TLSv1.3 TLS_"* ]] && grep -q "Verify return code: 0 (ok)" "$OUT.13"; then
  pass "TLS 1.3 handshake: $got, chain verifies against ca.pem"
else
  fail "TLS 1.3 handshake: negotiated '$got'"; cat "$OUT.13"
fi

# 2. TLS 1.2 with ECDHE key exchange and an AEAD cipher.
sclient "$OUT.12" "127.0.0.1:$P_DEF" -tls1_2
got=$(negotiated "$OUT.12")
if [[ "$got" =~ ^TLSv1\.2\ ECDHE-(RSA|ECDSA)-.*(GCM|CHACHA20-POLY1305) ]] &&
  grep -q "Verify return code: 0 (ok)" "$OUT.12"; then
  pass "TLS 1.2 handshake: $got (ECDHE, AEAD)"
else
  fail "TLS 1.2 handshake: negotiated '$got'"; cat "$OUT.12"
fi

# 3. TLS 1.1 refused. The client allows it (SECLEVEL=0 lifts Debian's own floor), so a
#    failure is ser's refusal; its log names it.
sclient "$OUT.11" "127.0.0.1:$P_DEF" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0'
got=$(negotiated "$OUT.11")
if [ -z "$got" ] && grep -qi "alert protocol version" "$OUT.11" &&
  log_has "handshake failed: .*(unsupported protocol|version too low)"; then
  pass "TLS 1.1 refused: $(grep -m1 -oE 'handshake failed: .*' "$E2E_TMP/ser.log")"
else
  fail "TLS 1.1 attempt: negotiated '$got'"; cat "$OUT.11"
fi

# 4. A cipher without forward secrecy (RSA key exchange) refused.
sclient "$OUT.rsa" "127.0.0.1:$P_DEF" -tls1_2 -cipher 'AES128-SHA:AES256-GCM-SHA384:@SECLEVEL=0'
got=$(negotiated "$OUT.rsa")
if [ -z "$got" ] && log_has "handshake failed: .*no shared cipher"; then
  pass "RSA key exchange (AES128-SHA, AES256-GCM-SHA384) refused: no shared cipher"
else
  fail "non-FS cipher attempt: negotiated '$got'"; cat "$OUT.rsa"
fi

# 5. tls_method = TLSv1.3+ on one domain: TLS 1.2 refused there, TLS 1.3 accepted.
sclient "$OUT.m12" "127.0.0.1:$P_13" -tls1_2
sclient "$OUT.m13" "127.0.0.1:$P_13"
got12=$(negotiated "$OUT.m12")
got13=$(negotiated "$OUT.m13")
if [ -z "$got12" ] && [[ "$got13" == "TLSv1.3 "* ]]; then
  pass "tls_method = TLSv1.3+: TLS 1.2 refused, default client gets $got13"
else
  fail "tls_method = TLSv1.3+: TLS 1.2 gave '$got12', default gave '$got13'"
fi

# 6. A domain's tls_ciphers_list: ECDHE+CHACHA20 there, AES-GCM (the default list's first
#    choice) on the default domain; an AES-GCM-only client is refused on the CHACHA20 domain.
sclient "$OUT.c1" "127.0.0.1:$P_CHACHA" -tls1_2
sclient "$OUT.c2" "127.0.0.1:$P_CHACHA" -tls1_2 -cipher 'ECDHE-RSA-AES128-GCM-SHA256'
sclient "$OUT.c3" "127.0.0.1:$P_DEF" -tls1_2 -cipher 'ECDHE-RSA-AES128-GCM-SHA256'
c1=$(negotiated "$OUT.c1"); c2=$(negotiated "$OUT.c2"); c3=$(negotiated "$OUT.c3")
if [ "$c1" = "TLSv1.2 ECDHE-RSA-CHACHA20-POLY1305" ] && [ -z "$c2" ] &&
  [ "$c3" = "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256" ] && [[ "$(negotiated "$OUT.12")" != *CHACHA20* ]]; then
  pass "per-domain tls_ciphers_list: '$c1' there, AES-GCM refused there but accepted on the default domain"
else
  fail "per-domain tls_ciphers_list: got '$c1' / '$c2' (want refused) / default '$c3'"
fi

# 7. Resumption (tls_session_cache, tls_session_tickets default on): TLS 1.2 and TLS 1.3. The
#    1.3 ticket comes after the handshake: an OPTIONS answered on the connection waits for it.
sclient "$OUT.r12a" "127.0.0.1:$P_DEF" -tls1_2 -sess_out "$OUT.sess12"
sclient "$OUT.r12b" "127.0.0.1:$P_DEF" -tls1_2 -sess_in "$OUT.sess12"
got=$(tls_options "$OUT.r13a" "127.0.0.1:$P_DEF" -sess_out "$OUT.sess13")
sclient "$OUT.r13b" "127.0.0.1:$P_DEF" -sess_in "$OUT.sess13"
if grep -q "^Reused, TLSv1.2" "$OUT.r12b" && grep -q "^Reused, TLSv1.3" "$OUT.r13b" &&
  log_has "tls handshake done: TLSv1.3 [A-Z0-9_]+ \(resumed\)"; then
  pass "session resumption: TLS 1.2 and TLS 1.3 sessions reused, ser logs '(resumed)'"
else
  fail "resumption: 1.2 '$(grep -E '^(New|Reused),' "$OUT.r12b")', 1.3 '$(grep -E '^(New|Reused),' "$OUT.r13b")' (OPTIONS: '$got')"
fi

# 8. tls_keylog_file on one domain: NSS key log lines for its handshakes, and a warning at
#    start naming the domain, once ("each problem one clear line").
if grep -q "^CLIENT_TRAFFIC_SECRET_0 " "$E2E_TMP/keys.log" 2>/dev/null &&
  grep -q "^SERVER_HANDSHAKE_TRAFFIC_SECRET " "$E2E_TMP/keys.log"; then
  pass "tls_keylog_file: NSS key log written ($(wc -l <"$E2E_TMP/keys.log") lines)"
else
  fail "tls_keylog_file: no TLS 1.3 secrets in $E2E_TMP/keys.log"
fi
n=$(grep -c "tls_domain\[127.0.0.1:$P_13\]: tls_keylog_file: TLS session secrets are written" "$E2E_TMP/ser.log")
if [ "$n" -eq 1 ]; then
  pass "tls_keylog_file warned about once at start"
else
  fail "tls_keylog_file warning logged $n times at start (want one line): $(grep 'tls_keylog_file' "$E2E_TMP/ser.log" | tr '\n' '|')"
fi

# 9. ser ends TLS connections with close_notify (s_client prints "closed" only then; a bare TCP
#    close would be "unexpected eof"): an idle one after tcp_connection_lifetime = 3, and a live
#    one when ser stops.
idle_client() {  # idle_client OUT: s_client connected with nothing to say, in the background
  mkfifo "$1.in"
  timeout 15 openssl s_client -connect "127.0.0.1:$P_DEF" -CAfile "$CERTS/ca.pem" -noservername \
    -ign_eof <"$1.in" >"$1" 2>&1 &
  IDLE_PID=$!
  exec {IDLE_IN}>"$1.in"
}
idle_client "$OUT.idle"
t0=$(date +%s.%N)
for _ in $(seq 1 80); do kill -0 "$IDLE_PID" 2>/dev/null || break; sleep 0.1; done
t=$(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}")
exec {IDLE_IN}>&-
if grep -q "^closed" "$OUT.idle" && awk "BEGIN{exit !($t >= 2.0)}"; then
  pass "idle TLS connection closed by ser after ${t}s (tcp_connection_lifetime = 3) with close_notify"
else
  fail "idle TLS connection: after ${t}s, s_client: $(tail -2 "$OUT.idle" | tr '\n' ' ')"
fi

if log_has "tls handshake done: TLSv1.3"; then
  pass "ser logs the handshake: $(grep -m1 -oE 'tls handshake done: .*' "$E2E_TMP/ser.log")"
else
  fail "no 'tls handshake done' line in ser's log"
fi
idle_client "$OUT.stop"
for _ in $(seq 1 50); do [ -n "$(negotiated "$OUT.stop")" ] && break; sleep 0.1; done
stop_ser
for _ in $(seq 1 50); do kill -0 "$IDLE_PID" 2>/dev/null || break; sleep 0.1; done
exec {IDLE_IN}>&-
if grep -q "^closed" "$OUT.stop"; then
  pass "on SIGTERM ser closes live TLS connections with close_notify"
else
  fail "live TLS connection at ser's stop: s_client: $(tail -2 "$OUT.stop" | tr '\n' ' ')"
fi

[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -30 "$E2E_TMP/ser.log"; }
e2e_finish
