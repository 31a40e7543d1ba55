#!/usr/bin/env bash
# Outbound peer names exactly as RFC 5922 §7: ser forwards an OPTIONS over TLS to `openssl
# s_server` peers whose certificates name sip.example.net (the client domain's tls_server_name)
# in different ways, one peer per rule:
#   SAN URI:sip:sip.example.net only                      accepted
#   SAN DNS:*.example.net                                 refused; accepted with tls_verify_wildcards
#   no subjectAltName, CN=sip.example.net                 accepted (CN only without SAN)
#   SAN URI:sip:other.example.net, CN=sip.example.net     refused (the CN does not count)
#   SAN DNS:other.example.net, CN=sip.example.net         refused
# and a response whose next Via is TLS with a domain sent-by goes over a new TLS connection
# that checks that name (accepted with the URI-SAN peer, refused with another name's).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
tls_make_certs

P=$(tls_port)
PU=$(tls_port)
URI=$(tls_port)
WILD=$(tls_port)
WILD_OK=$(tls_port)
CN=$(tls_port)
URI_OTHER=$(tls_port)
DNS_OTHER=$(tls_port)
RESP_OK=$(tls_port)
RESP_BAD=$(tls_port)

named_peer() {  # named_peer PORT [extra lines]: a client domain checking sip.example.net
  printf 'tls_client_domain[127.0.0.1:%s] {\n  tls_server_name = "sip.example.net"\n%s}\n' "$1" "${2:-}"
}
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
listen = udp:127.0.0.1:$PU
children = 2
log_level = 3
$(tls_server_params server)
$(named_peer "$URI")
$(named_peer "$WILD")
$(named_peer "$WILD_OK" "  tls_verify_wildcards = yes
")
$(named_peer "$CN")
$(named_peer "$URI_OTHER")
$(named_peer "$DNS_OTHER")
route {
  if (uri =~ "^sip:peer@") { forward_tls(uri:host, uri:port); exit; }
  sl_send_reply(404, "Not Here");
}
CFG

start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
LOG=$E2E_TMP/ser.log

# options_to PORT: an OPTIONS for sip:peer@127.0.0.1:PORT sent to ser over UDP.
options_to() {
  local fd
  exec {fd}<>"/dev/udp/127.0.0.1/$PU"
  printf 'OPTIONS sip:peer@127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKpn%s\r\nFrom: <sip:a@test>;tag=pn\r\nTo: <sip:peer@127.0.0.1>\r\nCall-ID: peer-names-%s-%s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\nContent-Length: 0\r\n\r\n' \
    "$1" "$RANDOM" "$1" "$RANDOM" >"$E2E_TMP/msg"
  cat "$E2E_TMP/msg" >&"$fd"  # one write, one datagram
  exec {fd}>&-
}

# response_via PORT: a 180 for a request ser forwarded (our Via on top), whose next Via is
# TLS from sip.example.net:PORT, received=127.0.0.1 (RFC 3261 §18.2.1: a domain sent-by is
# never the source address). Its connection is gone: ser opens one to 127.0.0.1:PORT.
response_via() {
  local fd
  exec {fd}<>"/dev/udp/127.0.0.1/$PU"
  printf 'SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 127.0.0.1:%s;branch=z9hG4bKser%s\r\nVia: SIP/2.0/TLS sip.example.net:%s;received=127.0.0.1;branch=z9hG4bKua%s\r\nFrom: <sip:a@test>;tag=pn\r\nTo: <sip:b@test>;tag=b\r\nCall-ID: peer-names-resp-%s\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n' \
    "$PU" "$RANDOM" "$1" "$RANDOM" "$RANDOM" >"$E2E_TMP/msg"
  cat "$E2E_TMP/msg" >&"$fd"
  exec {fd}>&-
}

# handshake_outcome PORT: waits for ser's line about its connection to PORT.
handshake_outcome() {
  wait_for "$LOG" "127.0.0.1:$1\\] (handshake failed|tls handshake done)"
}

# accepted LABEL NAME PORT SEND MESSAGE_ERE: s_server NAME on PORT must receive MESSAGE_ERE.
accepted() {
  local label=$1 name=$2 port=$3 send=$4 ere=$5
  $send "$port"
  if wait_for "$E2E_TMP/$name.out" "$ere" && log_has "127.0.0.1:$port\\] tls handshake done"; then
    pass "$label: accepted, the peer got $(grep -a -m1 -oE "$ere.*" "$E2E_TMP/$name.out" | tr -d '\r')"
  else
    fail "$label: refused or not sent: $(grep -E "127.0.0.1:$port\\]" "$LOG" | head -2 | tr '\n' ' ')"
  fi
}

# refused LABEL NAME PORT SEND MESSAGE_ERE: ser's handshake to PORT fails on the name.
refused() {
  local label=$1 name=$2 port=$3 send=$4 ere=$5
  $send "$port"
  if handshake_outcome "$port" &&
    log_has "127.0.0.1:$port\\] handshake failed: peer certificate does not name sip.example.net \\(it names .*\\) \\(RFC 5922: SAN URI sip:/dNSName; CN only without SAN\\)" &&
    ! grep -aqE "$ere" "$E2E_TMP/$name.out"; then
    pass "$label: refused, $(grep -m1 -oE "127.0.0.1:$port\\] handshake failed: .*" "$LOG")"
  else
    fail "$label: ser did not refuse: $(grep -E "127.0.0.1:$port\\]" "$LOG" | head -2 | tr '\n' ' ')"
  fi
}

for spec in uri:$URI:server-uri-san wild:$WILD:server-wildcard wild_ok:$WILD_OK:server-wildcard \
  cn:$CN:server-cn-only uri_other:$URI_OTHER:server-uri-other dns_other:$DNS_OTHER:server-dns-other \
  resp_ok:$RESP_OK:server-uri-san resp_bad:$RESP_BAD:server-dns-other; do
  IFS=: read -r name port cert <<<"$spec"
  s_server "$name" "$port" "$cert" || fail "s_server $name ($cert) start"
done

OPT='^OPTIONS sip:peer@'
accepted "SAN URI:sip:sip.example.net only" uri "$URI" options_to "$OPT"
refused "SAN DNS:*.example.net (wildcards not enabled)" wild "$WILD" options_to "$OPT"
accepted "SAN DNS:*.example.net with tls_verify_wildcards = yes" wild_ok "$WILD_OK" options_to "$OPT"
accepted "CN=sip.example.net and no subjectAltName" cn "$CN" options_to "$OPT"
refused "SAN URI:sip:other.example.net with CN=sip.example.net" uri_other "$URI_OTHER" options_to "$OPT"
refused "SAN DNS:other.example.net with CN=sip.example.net" dns_other "$DNS_OTHER" options_to "$OPT"
RESP='^SIP/2.0 180 Ringing'
accepted "response to Via TLS sip.example.net over a new connection, URI SAN peer" resp_ok \
  "$RESP_OK" response_via "$RESP"
refused "response to Via TLS sip.example.net over a new connection, peer named other.example.net" \
  resp_bad "$RESP_BAD" response_via "$RESP"

# The refusals are counted as failed handshakes (logged at stop with the TLS counters).
stop_ser
if log_has "tls: 4 handshakes done, 4 failed"; then
  pass "4 peers accepted, 4 refusals counted: $(grep -m1 -oE 'tls: [0-9]+ handshakes done, [0-9]+ failed' "$LOG")"
else
  fail "TLS counters at stop: $(grep -E 'tls: ' "$LOG" | tail -1)"
fi

[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -40 "$LOG"; }
e2e_finish
