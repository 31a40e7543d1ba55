#!/usr/bin/env bash
# Client domains and reuse by identity (issue #10), against a TLS peer that logs the client
# certificate of each connection (tls_cert_peer.py: Python's OpenSSL, many connections at once).
# ser forwards OPTIONS received over UDP to one "carrier" (127.0.0.1:C) over TLS:
#   tenant A  tls_client_domain("tenant-a") (ser.cfg tls_client_domain["tenant-a"])  client.test
#   tenant B  tls_client_domain(uri:host) = "tenant-b" (tls.cfg [client:any] server_id) client.other
#   by name   forward to localhost:C: tls_client_domain[127.0.0.1:C, "localhost"]     sip2.test
#   by address forward to 127.0.0.1:C: tls_client_domain[127.0.0.1:C]                 localhost
# Each identity gets its own connection; the same tenant twice reuses its connection; an unknown
# id read from the message fails the forward (logged, counted). serctl tls list names each
# connection's client domain.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
tls_make_certs
require_serctl

PU=$(tls_port)
C=$(tls_port)
CTL=$E2E_TMP/ctl

client_certs() {  # client_certs NAME: the two lines of a client certificate
  printf '  tls_certificate = "%s/%s.pem"\n  tls_private_key = "%s/%s.key"\n' "$CERTS" "$1" "$CERTS" "$1"
}
cat >"$E2E_TMP/tls.cfg" <<INI
[client:any]
server_id = tenant-b
certificate = $CERTS/client-other-ca.pem
private_key = $CERTS/client-other-ca.key
ca_list = $CERTS/ca.pem
INI
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = udp:127.0.0.1:$PU
children = 2
log_level = 3
ctl_socket = "unix:$CTL"
tls_ca_list = "$CERTS/ca.pem"
tls_config = "$E2E_TMP/tls.cfg"
tls_client_domain["tenant-a"] {
$(client_certs client)
}
tls_client_domain[127.0.0.1:$C, "localhost"] {
$(client_certs server2)
}
tls_client_domain[[::1]:$C, "localhost"] {
$(client_certs server2)
}
tls_client_domain[127.0.0.1:$C] {
$(client_certs server)
}
route {
  if (uri =~ "^sip:a[0-9]@") { tls_client_domain("tenant-a"); forward_tls("127.0.0.1", $C); exit; }
  if (uri =~ "^sip:b[0-9]@") { tls_client_domain(uri:host); forward_tls("127.0.0.1", $C); exit; }
  forward_tls(uri:host, uri:port);
}
CFG

python3 "$SER_SOURCE_DIR/tests/e2e/tls_cert_peer.py" "$C" "$CERTS/server.pem" "$CERTS/server.key" \
  "$CERTS/ca.pem" "$CERTS/other-ca.pem" >"$E2E_TMP/peer.log" 2>&1 &
E2E_PIDS+=("$!")
wait_for "$E2E_TMP/peer.log" '^listening' || { fail "TLS peer start"; cat "$E2E_TMP/peer.log"; e2e_finish; }
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
LOG=$E2E_TMP/ser.log
PEER=$E2E_TMP/peer.log

# options_to URI: an OPTIONS for URI sent to ser over UDP (one datagram).
options_to() {
  local fd
  exec {fd}<>"/dev/udp/127.0.0.1/$PU"
  printf 'OPTIONS %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKcd%s\r\nFrom: <sip:a@test>;tag=cd\r\nTo: <%s>\r\nCall-ID: cd-%s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\nContent-Length: 0\r\n\r\n' \
    "$1" "$RANDOM" "$1" "$RANDOM" >"$E2E_TMP/msg"
  cat "$E2E_TMP/msg" >&"$fd"
  exec {fd}>&-
}

# conn_of USER: the peer's connection number that received sip:USER@...
conn_of() { sed -n "s/^conn \([0-9]*\) got OPTIONS sip:$1@.*/\1/p" "$PEER" | head -1; }
# cert_of N: the client certificate CN of the peer's connection N.
cert_of() { sed -n "s/^conn $1 cert=\([^ ]*\) .*/\1/p" "$PEER" | head -1; }
sni_of() { sed -n "s/^conn $1 cert=[^ ]* sni=\(.*\)$/\1/p" "$PEER" | head -1; }

# delivered LABEL URI USER WANT_CN: the peer got USER's OPTIONS on a connection showing WANT_CN.
delivered() {
  local label=$1 uri=$2 user=$3 want=$4 n
  options_to "$uri"
  if wait_for "$PEER" "^conn [0-9]+ got OPTIONS sip:$user@"; then
    n=$(conn_of "$user")
    if [ "$(cert_of "$n")" = "$want" ]; then
      pass "$label: connection $n, client certificate CN=$want, SNI $(sni_of "$n")"
    else
      fail "$label: connection $n shows CN=$(cert_of "$n"), expected $want"
    fi
  else
    fail "$label: not delivered; ser: $(grep -E 'error|failed' "$LOG" | tail -2 | tr '\n' ' ')"
  fi
}

delivered "tenant A (script, id in ser.cfg)" "sip:a1@127.0.0.1" a1 client.test
delivered "tenant B (script, id read from the URI, tls.cfg [client:any] server_id)" "sip:b1@tenant-b" b1 client.other
delivered "tenant A again" "sip:a2@127.0.0.1" a2 client.test
delivered "tenant B again" "sip:b2@tenant-b" b2 client.other
delivered "chosen by the next hop's name" "sip:n1@localhost:$C" n1 sip2.test
delivered "chosen by the destination's address" "sip:i1@127.0.0.1:$C" i1 localhost

A1=$(conn_of a1) A2=$(conn_of a2) B1=$(conn_of b1) B2=$(conn_of b2) N1=$(conn_of n1) I1=$(conn_of i1)
if [ -n "$A1" ] && [ "$A1" = "$A2" ] && [ "$B1" = "$B2" ] && [ "$A1" != "$B1" ]; then
  pass "two tenants towards one carrier: two connections ($A1, $B1); each tenant reuses its own"
else
  fail "reuse by identity: a1=$A1 a2=$A2 b1=$B1 b2=$B2"
fi
CONNS=$(grep -c '^conn [0-9]* cert=' "$PEER")
if [ "$CONNS" = 4 ] && [ "$N1" != "$I1" ]; then
  pass "4 identities, 4 connections to one address (tenant A, tenant B, by name, by address)"
else
  fail "$CONNS connections for 4 identities: $(grep '^conn [0-9]* cert=' "$PEER" | tr '\n' ' ')"
fi

# An id from the message that names no client domain: a failed forward, logged; nothing sent.
options_to "sip:b9@tenant-zzz"
if wait_for "$LOG" 'no client domain with id "tenant-zzz"' && ! grep -q 'sip:b9@' "$PEER"; then
  pass "unknown id from the message: $(grep -m1 -oE 'send to tls:[^ ]* failed: no client domain with id [^ ]*' "$LOG")"
else
  fail "unknown id: $(grep -E 'tenant-zzz' "$LOG" | head -2 | tr '\n' ' ')"
fi

# serctl tls list names each outbound connection's client domain and server name.
"$SERCTL" -s "unix:$CTL" --json tls list >"$E2E_TMP/list.json" 2>&1
if python3 - "$E2E_TMP/list.json" "$C" <<'PY'; then
import json, sys
conns = json.load(open(sys.argv[1]))
out = sorted((c["domain"], c["sni"]) for c in conns if c.get("outbound"))
want = sorted([('tls_client_domain["tenant-a"]', "127.0.0.1"),
               ('tls_client_domain["tenant-b"]', "127.0.0.1"),
               ('tls_client_domain[127.0.0.1:%s, "localhost"]' % sys.argv[2], "localhost"),
               ("tls_client_domain[127.0.0.1:%s]" % sys.argv[2], "127.0.0.1")])
if out != want:
    print("got", out, "want", want)
    sys.exit(1)
PY
  pass "serctl tls list: each connection's client domain and server name"
else
  fail "serctl tls list: $(cat "$E2E_TMP/list.json" | head -c 600)"
fi

e2e_finish
