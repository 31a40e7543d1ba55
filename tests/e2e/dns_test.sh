#!/usr/bin/env bash
# RFC 3263 next hops by name against a real DNS server on loopback (dns_server.py, Debian's
# python3-dnslib): NAPTR -> SRV -> A over UDP, sips: over TLS (SIPS+D2T, the name checked), SRV failover over TCP past a closed port,
# NXDOMAIN -> 503, the held-request bound -> 503, and a slow DNS server (3 s) that does not
# delay other requests of the same worker (children = 1). dns_sip.py drives the SIP side.
source "$(dirname "$0")/lib.sh"
DNSPY=/usr/bin/python3  # Debian's, where python3-dnslib is installed
"$DNSPY" -c "import dnslib" 2>/dev/null || { fail "python3-dnslib missing (tools/install-deps.sh test)"; e2e_finish; }

TLS_ARGS=()
TLS_CFG=""
P=$(free_port); PT=$(free_port); UAS_S=$(free_port); DNS=$(free_port); UAS_U=$(free_port); UAS_T=$(free_port); DEAD=$(free_port)
MAX_PENDING=4

cat >"$E2E_TMP/zone.txt" <<ZONE
svc.test. 60 IN NAPTR 10 10 "s" "SIP+D2U" "" _sip._udp.svc.test.
svc.test. 60 IN NAPTR 20 10 "s" "SIP+D2T" "" _sip._tcp.svc.test.
_sip._udp.svc.test. 60 IN SRV 10 10 $UAS_U a.test.
_sip._tcp.svc.test. 60 IN SRV 10 10 $UAS_T a.test.
_sip._tcp.tcpsvc.test. 60 IN SRV 10 10 $DEAD dead.test.
_sip._tcp.tcpsvc.test. 60 IN SRV 20 10 $UAS_T a.test.
a.test. 60 IN A 127.0.0.1
dead.test. 60 IN A 127.0.0.1
slow.test. 60 IN A 127.0.0.1
slow2.test. 60 IN A 127.0.0.1
slow3.test. 60 IN A 127.0.0.1
sip2.test. 60 IN NAPTR 10 10 "s" "SIPS+D2T" "" _sips._tcp.sip2.test.
_sips._tcp.sip2.test. 60 IN SRV 10 10 $UAS_S a.test.
ZONE
if [ "${SER_TLS:-1}" = 1 ]; then
  # The TLS peer's certificate names sip2.test (tools/make-test-certs.sh server2).
  source "$(dirname "$0")/tls_lib.sh"
  tls_make_certs
  TLS_CFG="listen = tls:127.0.0.1:$PT
$(tls_server_params server)"
  TLS_ARGS=(--tls-uas "$UAS_S" --tls-cert "$CERTS/server2.pem" --tls-key "$CERTS/server2.key")
fi
"$DNSPY" "$SER_SOURCE_DIR/tests/e2e/dns_server.py" --listen 127.0.0.1 --port "$DNS" \
  --zone "$E2E_TMP/zone.txt" --slow slow.test --slow slow2.test --slow slow3.test --delay 3 \
  --ready "$E2E_TMP/dns.ready" --log "$E2E_TMP/dns.log" --lifetime 120 &
E2E_PIDS+=("$!")
for _ in $(seq 1 50); do [ -s "$E2E_TMP/dns.ready" ] && break; sleep 0.1; done
[ -s "$E2E_TMP/dns.ready" ] || { fail "the DNS server did not start"; e2e_finish; }

cat >"$E2E_TMP/ser.cfg" <<CFG
listen = udp:127.0.0.1:$P
listen = tcp:127.0.0.1:$P
$TLS_CFG
children = 1
log_level = 2
dns_servers = "127.0.0.1:$DNS"
dns_timeout = 5s
dns_retries = 0
dns_max_pending = $MAX_PENDING
route {
  forward();
}
CFG
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }

timeout 90 python3 "$SER_SOURCE_DIR/tests/e2e/dns_sip.py" --ser "$P" --udp-uas "$UAS_U" \
  --tcp-uas "$UAS_T" --max-pending "$MAX_PENDING" "${TLS_ARGS[@]}" >"$E2E_TMP/sip.out" 2>&1
cat "$E2E_TMP/sip.out"
E2E_PASSES=$((E2E_PASSES + $(grep -c '^PASS:' "$E2E_TMP/sip.out")))
E2E_FAILS=$((E2E_FAILS + $(grep -c '^FAIL:' "$E2E_TMP/sip.out")))
grep -q '^PASS:' "$E2E_TMP/sip.out" || fail "dns_sip.py ran no check"

# The slow name was asked once for all the requests held on it (lookups coalesced).
n=$(grep -c ' slow2.test A$' "$E2E_TMP/dns.log")
[ "$n" -eq 1 ] && pass "slow2.test asked once for $MAX_PENDING held requests" ||
  fail "slow2.test asked $n times"
if grep -qiE "crit|segfault|assert" "$E2E_TMP/ser.log"; then
  fail "ser log has critical lines"; grep -iE "crit|segfault|assert" "$E2E_TMP/ser.log" | head
fi
[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -30 "$E2E_TMP/ser.log"; }
e2e_finish
