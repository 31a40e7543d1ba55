#!/usr/bin/env bash
# serctl against a running ser over its control socket, with a TLS client (openssl s_client)
# kept connected: every command in both forms (tables, and --json checked by python3), the exit
# codes (0 ok, 1 failed reload, 2 usage, 3 no server), and garbage and half requests on the
# socket answered with JSON-RPC errors while ser keeps answering SIP over TLS.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
tls_make_certs
require_serctl

P=$(tls_port)
PU=$(tls_port)
CTL="$E2E_TMP/run/ser.ctl"  # its directory does not exist: ser makes it
write_cfg() {
  cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
listen = udp:127.0.0.1:$PU
children = 2
ctl_socket = "unix:$CTL"
$(tls_server_params server)
tls_verify = yes
route {
  $1
  if (method == "OPTIONS") { sl_send_reply(200, "OK"); exit; }
  forward();
}
CFG
}
write_cfg ""
start_ser "$E2E_TMP/ser.cfg" || { fail "ser start"; e2e_finish; }
sc() { timeout 20 "$SERCTL" -s "unix:$CTL" "$@"; }
# json_check FILE PYTHON-EXPR: FILE parses as JSON and the expression (over `j`) is true.
json_check() {
  python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"
}

[ "$(stat -c %a "$CTL" 2>/dev/null)" = 600 ] && pass "control socket made mode 0600" ||
  fail "control socket mode: $(stat -c %a "$CTL" 2>&1)"

# A TLS client kept connected while serctl looks.
mkfifo "$E2E_TMP/client.in"
exec {hold}<>"$E2E_TMP/client.in"
timeout 60 openssl s_client -connect "127.0.0.1:$P" -CAfile "$CERTS/ca.pem" -servername localhost \
  -cert "$CERTS/client.pem" -key "$CERTS/client.key" -cert_chain "$CERTS/client.pem" -nocommands <"$E2E_TMP/client.in" \
  >"$E2E_TMP/client.out" 2>&1 &
E2E_PIDS+=("$!")
wait_for "$E2E_TMP/client.out" "^New, TLSv1" || fail "s_client handshake"

# tls list: the client's connection with its SNI, version and cipher, in both forms.
sc tls list >"$E2E_TMP/tls_list.txt" 2>&1; rc=$?
if [ $rc = 0 ] && grep -qE '^ID +LOCAL +PEER' "$E2E_TMP/tls_list.txt" &&
  grep -qE "127\.0\.0\.1:$P +127\.0\.0\.1:[0-9]+ +in +.* localhost +TLSv1\.3 +TLS_[A-Z0-9_]+ +CN=client\.test .* yes " "$E2E_TMP/tls_list.txt"; then
  pass "serctl tls list shows the connection (SNI, version, cipher)"
else fail "serctl tls list (rc $rc)"; cat "$E2E_TMP/tls_list.txt"; fi
sc --json tls list >"$E2E_TMP/tls_list.json"
json_check "$E2E_TMP/tls_list.json" \
  "len(j)==1 and j[0]['sni']=='localhost' and j[0]['version']=='TLSv1.3' and j[0]['local']=='127.0.0.1:$P' and 'bytes_in' in j[0] and j[0]['peer_not_after']>0 and j[0]['peer_verified'] is True and 'client.test' in j[0]['peer_subject']" &&
  pass "serctl --json tls list" || { fail "serctl --json tls list"; cat "$E2E_TMP/tls_list.json"; }

# tls info: the server domain's certificate, its SANs and days left.
sc tls info >"$E2E_TMP/tls_info.txt" 2>&1 && grep -qE '^DOMAIN +KIND +SUBJECT +SANS' "$E2E_TMP/tls_info.txt" &&
  grep -q 'DNS:localhost' "$E2E_TMP/tls_info.txt" && pass "serctl tls info" ||
  { fail "serctl tls info"; cat "$E2E_TMP/tls_info.txt"; }
sc --json tls info >"$E2E_TMP/tls_info.json"
json_check "$E2E_TMP/tls_info.json" \
  "any(d['kind']=='server' and 'DNS:localhost' in d['sans'] and d['days_left']>1 for d in j)" &&
  pass "serctl --json tls info" || { fail "serctl --json tls info"; cat "$E2E_TMP/tls_info.json"; }

# ps: two workers, and the TLS connection among the connections.
sc ps >"$E2E_TMP/ps.txt" 2>&1 && [ "$(grep -cE '^ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$' "$E2E_TMP/ps.txt")" = 2 ] &&
  grep -qE ' tls +open ' "$E2E_TMP/ps.txt" && pass "serctl ps" || { fail "serctl ps"; cat "$E2E_TMP/ps.txt"; }
sc --json ps >"$E2E_TMP/ps.json"
json_check "$E2E_TMP/ps.json" \
  "len(j['workers'])==2 and any(c['transport']=='tls' for c in j['connections'])" &&
  pass "serctl --json ps" || { fail "serctl --json ps"; cat "$E2E_TMP/ps.json"; }

# stats.
sc stats >"$E2E_TMP/stats.txt" 2>&1 && grep -qE '^NAME +VALUE$' "$E2E_TMP/stats.txt" &&
  [ "$(wc -l <"$E2E_TMP/stats.txt")" -gt 5 ] && pass "serctl stats" || { fail "serctl stats"; cat "$E2E_TMP/stats.txt"; }
sc --json stats >"$E2E_TMP/stats.json"
json_check "$E2E_TMP/stats.json" "len(j)>5 and all('name' in m and 'value' in m for m in j)" &&
  pass "serctl --json stats" || { fail "serctl --json stats"; head -c 2000 "$E2E_TMP/stats.json"; }
# cfg: the effective parameters.
sc cfg >"$E2E_TMP/cfg.txt" 2>&1 && grep -qE '^children +2$' "$E2E_TMP/cfg.txt" &&
  grep -qF "unix:$CTL" "$E2E_TMP/cfg.txt" && pass "serctl cfg" || { fail "serctl cfg"; cat "$E2E_TMP/cfg.txt"; }
sc --json cfg >"$E2E_TMP/cfg.json"
json_check "$E2E_TMP/cfg.json" "j['children']=='2' and j['ctl_socket'].strip(chr(34))=='unix:$CTL'" &&
  pass "serctl --json cfg" || { fail "serctl --json cfg"; cat "$E2E_TMP/cfg.json"; }

# reload and tls reload with an unchanged configuration: ok.
for cmd in "reload" "tls reload"; do
  sc $cmd >"$E2E_TMP/reload.txt" 2>&1; rc=$?
  [ $rc = 0 ] && grep -q '^reload ok' "$E2E_TMP/reload.txt" && pass "serctl $cmd" ||
    { fail "serctl $cmd (rc $rc)"; cat "$E2E_TMP/reload.txt"; }
  sc --json $cmd >"$E2E_TMP/reload.json"
  json_check "$E2E_TMP/reload.json" "j['ok'] is True" && pass "serctl --json $cmd" ||
    { fail "serctl --json $cmd"; cat "$E2E_TMP/reload.json"; }
done

# A broken route script: the reload fails with its file:line:col, exit 1, nothing changed.
write_cfg 'no_such_function();'
sc reload >"$E2E_TMP/bad_reload.txt" 2>&1; rc=$?
[ $rc = 1 ] && grep -q '^reload failed' "$E2E_TMP/bad_reload.txt" &&
  grep -qE 'ser\.cfg:[0-9]+:[0-9]+: error' "$E2E_TMP/bad_reload.txt" &&
  pass "a failing reload exits 1 with the diagnostics" ||
  { fail "failing reload (rc $rc)"; cat "$E2E_TMP/bad_reload.txt"; }
sc --json reload >"$E2E_TMP/bad_reload.json"; rc=$?
[ $rc = 1 ] && json_check "$E2E_TMP/bad_reload.json" \
  "j['error']['code']==-32000 and 'ser.cfg:' in j['error']['data']['diagnostics']" &&
  pass "a failing reload in --json: the error object with the diagnostics" ||
  { fail "failing reload --json (rc $rc)"; cat "$E2E_TMP/bad_reload.json"; }
write_cfg ""

# Exit codes: 2 usage, 3 no server, 1 a server error.
sc frobnicate >/dev/null 2>&1; [ $? = 2 ] && pass "usage error exits 2" || fail "usage error exit code"
sc tls >/dev/null 2>&1; [ $? = 2 ] && pass "incomplete command exits 2" || fail "incomplete command exit code"
timeout 20 "$SERCTL" -s "unix:$E2E_TMP/none.ctl" ps >/dev/null 2>"$E2E_TMP/none.err"; rc=$?
[ $rc = 3 ] && grep -q 'cannot connect' "$E2E_TMP/none.err" && pass "no server exits 3" ||
  fail "no server: rc $rc $(cat "$E2E_TMP/none.err")"
sc call core.nope >/dev/null 2>"$E2E_TMP/nope.err"; rc=$?
[ $rc = 1 ] && grep -q -- '-32601' "$E2E_TMP/nope.err" && pass "an unknown method exits 1" ||
  fail "unknown method: rc $rc"

# Garbage, half requests and oversized input on the socket: JSON-RPC errors, never a crash.
python3 - "$CTL" >"$E2E_TMP/raw.txt" 2>&1 <<'PY' && pass "garbage on the control socket answered with JSON-RPC errors" || { fail "raw protocol"; cat "$E2E_TMP/raw.txt"; }
import json, socket, sys
def conn():
    s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1]); return s
def lines(s, n):
    buf = b""
    while buf.count(b"\n") < n:
        d = s.recv(65536)
        if not d: break
        buf += d
    return [json.loads(l) for l in buf.split(b"\n") if l]
s = conn()
s.sendall(b'hello\n[]\n42\n{"jsonrpc":"2.0","method":"nope","id":1}\n'
          b'{"jsonrpc":"2.0","method":"tls.list","params":["x"],"id":2}\n'
          b'{"jsonrpc":"2.0","method":"core.ps","id":3}')
codes = [r.get("error", {}).get("code") for r in lines(s, 6)]
assert codes == [-32700, -32600, -32600, -32601, -32602, None], codes
s.sendall(b'{"jsonrpc":"2.0","method":')  # a half request, then the end of the stream
s.shutdown(socket.SHUT_WR)
r = lines(s, 1)
assert r[0]["error"]["code"] == -32700, r
assert s.recv(10) == b"", "closed after answering"
s = conn()
try:
    s.sendall(b'{"x":"' + b"a" * 200000)
except OSError:
    pass  # the server may close before reading it all
r = lines(s, 1)
assert r and r[0]["error"]["code"] == -32600, r
print("ok")
PY
kill -0 "$SER_PID" 2>/dev/null && pass "ser alive after the garbage" || fail "ser died"
line=$(tls_options "$E2E_TMP/after.out" "127.0.0.1:$P" -servername localhost)
[ "${line:0:12}" = "SIP/2.0 200 " ] && pass "ser still answers SIP over TLS" || fail "SIP after garbage: '$line'"
sc ps >/dev/null && pass "serctl still served after the garbage" || fail "serctl after garbage"

exec {hold}>&-
stop_ser
[ ! -e "$CTL" ] && pass "control socket removed at stop" || fail "control socket left at stop"

# Start-up: a ctl_socket set in ser.cfg that cannot be made stops the start (exit 1, saying
# why); the default one is best effort: a second ser beside one holding it warns and serves.
plain_cfg() {  # FILE PORT [ctl_socket line]
  printf 'listen = udp:127.0.0.1:%s\nchildren = 1\n%s\nroute { sl_send_reply(200, "OK"); }\n' "$2" "${3:-}" >"$1"
}
plain_cfg "$E2E_TMP/bad_ctl.cfg" "$(free_port)" "ctl_socket = \"unix:$E2E_TMP/no/such/ser.ctl\""
timeout 20 "$SER_BIN" -f "$E2E_TMP/bad_ctl.cfg" -D -E >"$E2E_TMP/bad_ctl.log" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "control socket unix:$E2E_TMP/no/such/ser.ctl: cannot create directory" "$E2E_TMP/bad_ctl.log" &&
  pass "a configured ctl_socket that cannot be made stops the start" ||
  { fail "bad ctl_socket: rc $rc"; cat "$E2E_TMP/bad_ctl.log"; }
CT=$(free_port)
plain_cfg "$E2E_TMP/tcp_ctl.cfg" "$(free_port)" "ctl_socket = \"tcp:127.0.0.1:$CT\""
start_ser "$E2E_TMP/tcp_ctl.cfg" tcp_ctl || fail "ser with a tcp: ctl_socket"
timeout 20 "$SERCTL" -s "tcp:127.0.0.1:$CT" --json ps >"$E2E_TMP/tcp_ps.json" &&
  json_check "$E2E_TMP/tcp_ps.json" "len(j['workers'])==1" && pass "serctl over a tcp: control socket" ||
  { fail "serctl -s tcp:"; cat "$E2E_TMP/tcp_ps.json"; }
for i in 1 2; do plain_cfg "$E2E_TMP/default$i.cfg" "$(free_port)"; done
start_ser "$E2E_TMP/default1.cfg" default1 || fail "ser with the default ctl_socket"
start_ser "$E2E_TMP/default2.cfg" default2 || fail "a second ser with the default ctl_socket"
if grep -q "running without a control socket" "$E2E_TMP/default2.log" && kill -0 "$SER_PID" 2>/dev/null; then
  pass "the default ctl_socket held by another ser: a warning, and ser serves"
else fail "second ser on the default ctl_socket"; cat "$E2E_TMP/default2.log"; fi
e2e_finish
