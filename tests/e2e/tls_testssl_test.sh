#!/usr/bin/env bash
# testssl (Debian's testssl.sh) against ser's default TLS configuration (only certificate, key
# and CA list set): protocols (-p), forward secrecy (-f), every cipher per protocol (-E) and the
# vulnerability checks (-U). Shows: only TLS 1.2 and 1.3 offered, no finding rated LOW or worse
# and none VULNERABLE, and every offered cipher with an ECDHE/DHE key exchange (TLS 1.3 suites
# are ECDHE by construction; testssl lists their key exchange as ECDH too).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
command -v testssl >/dev/null || { echo "SKIP: testssl not installed (apt-get install testssl.sh)"; exit 0; }
tls_make_certs

P=$(tls_port)
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
children = 2
log_level = 2
$(tls_server_params server)
route { sl_send_reply(200, "OK"); }
CFG
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }

JSON=$E2E_TMP/testssl.json
start=$(date +%s)
timeout 170 testssl --quiet --color 0 --warnings off --nodns none -p -f -E -U \
  --jsonfile "$JSON" "127.0.0.1:$P" >"$E2E_TMP/testssl.out" 2>&1
rc=$?
echo "testssl took $(($(date +%s) - start))s (exit $rc)"
if [ "$rc" -eq 124 ] || [ ! -s "$JSON" ]; then
  fail "testssl did not finish (exit $rc)"; tail -30 "$E2E_TMP/testssl.out"; e2e_finish
fi

# The flat JSON has one "key" : "value" per line: one "id | severity | finding" line per entry.
awk -F'"' '/"id"/{id=$4} /"severity"/{sev=$4} /"finding"/{print id " | " sev " | " $4}' "$JSON" \
  >"$E2E_TMP/findings"
finding() { awk -F' [|] ' -v id="$1" '$1 == id {print $2 " | " $3}' "$E2E_TMP/findings"; }

# 1. The checks ran: the vulnerability entries are there.
missing=""
for id in heartbleed CCS ROBOT secure_client_renego CRIME_TLS POODLE_SSL SWEET32 FREAK DROWN \
  LOGJAM BEAST LUCKY13 RC4; do
  [[ "$(finding "$id")" == "OK | "* ]] || missing+=" $id($(finding "$id"))"
done
[ -z "$missing" ] && pass "testssl -U: every vulnerability check says OK (heartbleed .. RC4)" ||
  fail "vulnerability checks not OK:$missing"

# 2. Nothing rated LOW, MEDIUM, HIGH or CRITICAL, nothing VULNERABLE.
bad=$(grep -E ' [|] (LOW|MEDIUM|HIGH|CRITICAL) [|] |VULNERABLE' "$E2E_TMP/findings")
[ -z "$bad" ] && pass "no finding rated LOW or worse, none VULNERABLE ($(wc -l <"$E2E_TMP/findings") findings)" ||
  fail "testssl findings: $bad"

# 3. Protocols: TLS 1.2 and 1.3 only.
protos=""
for id in SSLv2 SSLv3 TLS1 TLS1_1 TLS1_2 TLS1_3; do protos+="$id=$(finding "$id" | cut -d'|' -f2 | xargs); "; done
if [[ "$protos" == "SSLv2=not offered; SSLv3=not offered; TLS1=not offered; TLS1_1=not offered; TLS1_2=offered; TLS1_3=offered"* ]]; then
  pass "protocols: $protos"
else
  fail "protocols: $protos"
fi

# 4. Forward secrecy for every offered cipher (-E lists each one with its key exchange).
ciphers=$(grep -E '^cipher-tls' "$E2E_TMP/findings" | cut -d'|' -f3)
n=$(grep -c . <<<"$ciphers")
non_fs=$(grep -vE '^ *TLS 1\.[23] +x[0-9a-f]+ +[A-Z0-9_-]+ +(ECDH|DH) ' <<<"$ciphers")
if [ "$n" -ge 3 ] && [ -z "$non_fs" ] && [[ "$(finding PFS)" == "OK | "* ]]; then
  pass "forward secrecy: all $n offered ciphers use ECDHE/DHE: $(awk '{print $4}' <<<"$ciphers" | tr '\n' ' ')"
else
  fail "ciphers without forward secrecy (of $n): $non_fs (PFS: $(finding PFS))"
fi

# 5. The TLS 1.2 ciphers are AEAD only (GCM or ChaCha20-Poly1305), no CBC.
cbc=$(grep -E '^ *TLS 1\.2' <<<"$ciphers" | grep -vE 'AESGCM|ChaCha20')
[ -z "$cbc" ] && pass "TLS 1.2 ciphers are AEAD only" || fail "non-AEAD TLS 1.2 ciphers: $cbc"

[ "$E2E_FAILS" -ne 0 ] && { echo "--- testssl (tail)"; tail -60 "$E2E_TMP/testssl.out"; }
e2e_finish
