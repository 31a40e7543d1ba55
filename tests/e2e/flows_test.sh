#!/usr/bin/env bash
# RFC 5626 edge flows end to end (RFC 3327 Path): phones over TLS (python's ssl module, OpenSSL),
# TCP and UDP register through ser to a registrar stand-in on UDP (flow_peers.py); the Path it
# sees carries ser's address, a flow token, `ob` for the outbound phone and `received` for
# add_path_received(). Requests the registrar sends with that Path as Route and a Request-URI
# naming an unreachable Contact reach each phone over its own flow; an edited token gets 403;
# a dialog's Record-Route carries the token of an outbound phone, and the callee's BYE comes
# back over TLS; once the TLS phone has closed, the same request gets 430 Flow Failed. The counts
# show in the Prometheus metrics. Two nodes (127.0.0.1 and 127.0.0.2): each writes its own address
# in the Path, and a token one wrote does not verify on the other (403).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 0; }
tls_make_certs

P=$(free_port)
PT=$(free_port)
PU=$(free_port)
R=$(free_port)
M=$(free_port)
write_cfg() {  # FILE IP UDP_PORT REGISTRAR_PORT [EXTRA_LINE]
  cat >"$1" <<CFG
listen = tls:$2:$P
listen = tcp:$2:$PT
listen = udp:$2:$3
children = 2
log_level = 3
${5:-}
$(tls_server_params server)
route {
  if (!mf_process_maxfwd_header(10)) { sl_send_reply(483, "Too Many Hops"); exit; }
  if (method == "REGISTER") {
    if (proto == TCP) { add_path_received(); } else { add_path(); }
    forward_udp("127.0.0.1", $4);
    exit;
  }
  record_route();
  forward();
}
CFG
}
write_cfg "$E2E_TMP/ser.cfg" 127.0.0.1 "$PU" "$R" "metrics_listen = 127.0.0.1:$M"
# The documented example passes the configuration check (its certificates in ../certs).
mkdir -p "$E2E_TMP/example/etc" && ln -s "$CERTS" "$E2E_TMP/example/certs"
cp "$SER_SOURCE_DIR/etc/ser-edge-outbound.cfg" "$E2E_TMP/example/etc/"
if "$SER_BIN" -c -f "$E2E_TMP/example/etc/ser-edge-outbound.cfg" >"$E2E_TMP/example.out" 2>&1; then
  pass "etc/ser-edge-outbound.cfg passes ser -c"
else
  fail "etc/ser-edge-outbound.cfg: $(cat "$E2E_TMP/example.out")"
fi
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }

timeout 60 python3 "$SER_SOURCE_DIR/tests/e2e/flow_peers.py" "$P" "$PT" "$PU" "$R" "$CERTS/ca.pem" \
  >"$E2E_TMP/peers.out" 2>&1
cat "$E2E_TMP/peers.out"
while read -r line; do
  case "$line" in
    PASS:*) pass "${line#PASS: }" ;;
    FAIL:*) fail "${line#FAIL: }" ;;
  esac
done <"$E2E_TMP/peers.out"
grep -q '^PASS: after the phone closed' "$E2E_TMP/peers.out" || fail "the peers did not run to the end"
grep -q "flow token that does not verify" "$E2E_TMP/ser.log" || fail "the forged token was not logged"
grep -q "430 Flow Failed" "$E2E_TMP/ser.log" || fail "the failed flow was not logged"

scrape() { python3 "$SER_SOURCE_DIR/tests/e2e/prom_scrape.py" "$@"; }
scrape get "http://127.0.0.1:$M/metrics" "$E2E_TMP/metrics" >/dev/null
routed=$(scrape value "$E2E_TMP/metrics" ser_sip_flow_requests_total result=routed)
failed=$(scrape value "$E2E_TMP/metrics" ser_sip_flow_requests_total result=failed)
forged=$(scrape value "$E2E_TMP/metrics" ser_sip_flow_requests_total result=forged)
# Routed: the INVITE and the BYE over TLS, the MESSAGE over UDP; failed: at least the last try.
if [ "${routed:-0}" -ge 3 ] && [ "${failed:-0}" -ge 1 ] && [ "${forged:-0}" = 1 ]; then
  pass "metrics: flow requests routed=$routed failed=$failed forged=$forged"
else
  fail "metrics: flow requests routed='$routed' failed='$failed' forged='$forged'"
fi

# A second node on 127.0.0.2: the Path it writes names it, and the first node's token is
# refused there (another process, another key).
if timeout 2 python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.2", 0))' 2>/dev/null; then
  PU2=$(free_port)
  R2=$(free_port)
  write_cfg "$E2E_TMP/ser2.cfg" 127.0.0.2 "$PU2" "$R2"
  start_ser "$E2E_TMP/ser2.cfg" ser2 || fail "second node start"
  timeout 30 python3 - "$PU2" "$R2" "$PU" <<'PY' >"$E2E_TMP/nodes.out" 2>&1
import re, socket, sys
pu2, r2, pu1 = (int(a) for a in sys.argv[1:4])
reg = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); reg.bind(("127.0.0.1", r2)); reg.settimeout(5)
phone = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); phone.bind(("127.0.0.1", 0))
port = phone.getsockname()[1]
phone.sendto((f"REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKn2\r\n"
              "Max-Forwards: 70\r\nFrom: <sip:n2@example.com>;tag=1\r\nTo: <sip:n2@example.com>\r\n"
              "Call-ID: n2@test\r\nCSeq: 1 REGISTER\r\nContact: <sip:n2@192.0.2.99:5999>\r\n"
              "Content-Length: 0\r\n\r\n").encode(), ("127.0.0.2", pu2))
req = reg.recv(65536).decode()
path = re.search(r"\r\nPath: *<([^>]*)>", req).group(1)
print("path", path)
def invite(n, route):
    return (f"INVITE sip:n2@192.0.2.99:5999 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{r2};branch=z9hG4bKx{n}\r\n"
            f"Route: <{route}>\r\nMax-Forwards: 70\r\nFrom: <sip:b@example.com>;tag={n}\r\n"
            f"To: <sip:n2@example.com>\r\nCall-ID: x{n}@test\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n").encode()
# The token written by node 2, sent to node 1's address: not one of node 1's.
foreign = re.sub(r"@127\.0\.0\.2:\d+", f"@127.0.0.1:{pu1}", path)
reg.sendto(invite(1, foreign), ("127.0.0.1", pu1))
print("node1", reg.recv(65536).decode().split("\r\n")[0])
PY
  cat "$E2E_TMP/nodes.out"
  grep -qE "^path sip:[a-z2-7]+@127\.0\.0\.2:$PU2;lr$" "$E2E_TMP/nodes.out" &&
    pass "the second node names itself in the Path it writes" ||
    fail "second node's Path: $(head -1 "$E2E_TMP/nodes.out")"
  grep -q "^node1 SIP/2.0 403" "$E2E_TMP/nodes.out" &&
    pass "a token of the second node is refused by the first (403)" ||
    fail "foreign token on the first node: $(tail -1 "$E2E_TMP/nodes.out")"
else
  echo "SKIP: 127.0.0.2 not usable here"
fi
e2e_stop_all
grep -qE "flows: [0-9]+ requests routed by a flow token, [1-9][0-9]* answered 430" "$E2E_TMP/ser.log" &&
  pass "the stop line counts the flows" || fail "no flows line at stop"
[ "$E2E_FAILS" -eq 0 ] || tail -n 30 "$E2E_TMP/ser.log"
e2e_finish
