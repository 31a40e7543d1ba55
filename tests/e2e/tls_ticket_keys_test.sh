#!/usr/bin/env bash
# Several nodes as one (issue #10): two ser processes on 127.0.0.1 and 127.0.0.2 share a
# tls_ticket_key_file; a TLS 1.3 session and a TLS 1.2 ticket that `openssl s_client` got from
# one node (after a SIP OPTIONS round trip, so the TLS 1.3 ticket surely arrived) resume on the
# other. A third node without the file does not resume them. After the file is rotated
# (tools/make-ticket-keys.sh --rotate) and both nodes reloaded, a session under the old key still
# resumes (the old key decrypts, the new one encrypts); once the old key has left the file it
# does not. Nodes d and e bind tls_domain[own-IP:port] blocks with one certificate and resume each
# other's sessions; node f, another certificate, does not.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
tls_make_certs
require_serctl

P=$(tls_port)
KEYS=$E2E_TMP/ticket.keys
"$SER_SOURCE_DIR/tools/make-ticket-keys.sh" "$KEYS" || { fail "make-ticket-keys.sh"; e2e_finish; }
[ "$(stat -c %a "$KEYS")" = 600 ] && pass "key file made, mode 600" || fail "key file mode $(stat -c %a "$KEYS")"

node_cfg() {  # node_cfg NAME IP [extra lines]
  cat >"$E2E_TMP/$1.cfg" <<CFG
listen = tls:$2:$P
children = 2
log_level = 3
ctl_socket = "unix:$E2E_TMP/$1.ctl"
$(tls_server_params server)
${3:-}
route { sl_send_reply(200, "OK"); }
CFG
}
# Node a reloads by itself when the file is replaced (tls_reload_on_change); b is told.
node_cfg a 127.0.0.1 "tls_ticket_key_file = \"$KEYS\""
node_cfg b 127.0.0.2 "tls_ticket_key_file = \"$KEYS\"
tls_reload_on_change = no"
node_cfg c 127.0.0.3 "tls_reload_on_change = no"
start_ser "$E2E_TMP/a.cfg" a || { fail "node a start"; e2e_finish; }
start_ser "$E2E_TMP/b.cfg" b || { fail "node b start"; e2e_finish; }
start_ser "$E2E_TMP/c.cfg" c || { fail "node c start"; e2e_finish; }
A=127.0.0.1:$P B=127.0.0.2:$P C=127.0.0.3:$P

# session_from ADDR FILE VERSION: a full handshake with ADDR, an OPTIONS answered 200, the
# session saved in FILE.
session_from() {
  local line
  line=$(TLS_WAIT='^SIP/2.0 200' tls_options "$E2E_TMP/got.$RANDOM" "$1" "-$3" -sess_out "$2")
  [ "$line" = "SIP/2.0 200 OK" ] && [ -s "$2" ]
}
# resumed ADDR FILE VERSION: prints "Reused" or "New" (s_client's word for the handshake).
resumed() {
  local out=$E2E_TMP/resume.$RANDOM
  sclient "$out" "$1" "-$3" -sess_in "$2"
  sed -n 's/^\(Reused\|New\), TLSv.*/\1/p' "$out" | head -1
}
# expect WANT LABEL ADDR FILE VERSION
expect() {
  local got
  got=$(resumed "$3" "$4" "$5")
  if [ "$got" = "$1" ]; then pass "$2: $got"; else fail "$2: s_client says '$got', expected $1"; fi
}

for v in tls1_3 tls1_2; do
  session_from "$A" "$E2E_TMP/$v.sess" "$v" || fail "$v: no session from node a"
  expect Reused "$v session from node a resumed on node b (shared key file)" "$B" "$E2E_TMP/$v.sess" "$v"
  expect New "$v session from node a on node c (no key file)" "$C" "$E2E_TMP/$v.sess" "$v"
done
if log_has "tls handshake done: TLSv1.3 .*\\(resumed\\)" "$E2E_TMP/b.log" &&
  log_has "tls handshake done: TLSv1.2 .*\\(resumed\\)" "$E2E_TMP/b.log"; then
  pass "node b logged both resumptions"
else
  fail "node b's log: $(grep 'handshake done' "$E2E_TMP/b.log" | tail -3 | tr '\n' ' ')"
fi

# Nodes that bind their domain to their own address (tls_domain[own-IP:port]): a session is
# bound to the certificate and the verification policy, not to the address, so it resumes on
# another node's domain with the same certificate, never on one with another certificate.
domain_node() {  # domain_node NAME IP CERT
  node_cfg "$1" "$2" "tls_ticket_key_file = \"$KEYS\"
tls_reload_on_change = no
tls_domain[$2:$P] {
$(tls_server_params "$3")
}"
}
domain_node d 127.0.0.4 server-ec
domain_node e 127.0.0.5 server-ec
domain_node f 127.0.0.6 server
for n in d e f; do start_ser "$E2E_TMP/$n.cfg" $n || { fail "node $n start"; e2e_finish; }; done
D=127.0.0.4:$P E=127.0.0.5:$P F=127.0.0.6:$P
for v in tls1_3 tls1_2; do
  session_from "$D" "$E2E_TMP/d.$v.sess" "$v" || fail "$v: no session from node d"
  expect Reused "$v session from node d's own-address domain resumed on node e's" "$E" "$E2E_TMP/d.$v.sess" "$v"
  expect New "$v session from node d on node f (another certificate, same key file)" "$F" "$E2E_TMP/d.$v.sess" "$v"
done

# Rotation: a new first key on both nodes; the old one still decrypts.
session_from "$A" "$E2E_TMP/old.sess" tls1_3 || fail "no session before the rotation"
"$SER_SOURCE_DIR/tools/make-ticket-keys.sh" --rotate "$KEYS"
"$SERCTL" -s "unix:$E2E_TMP/b.ctl" tls reload >"$E2E_TMP/reload.b" 2>&1 || fail "node b: tls reload"
if wait_for "$E2E_TMP/a.log" "tls_reload_on_change: .*ticket.keys changed" &&
  wait_for "$E2E_TMP/a.log" "reload #1 ok"; then
  pass "node a saw the key file replaced and reloaded by itself"
else
  fail "node a did not reload on the key file's change: $(grep -E 'reload' "$E2E_TMP/a.log" | tail -2 | tr '\n' ' ')"
fi
expect Reused "after the rotation, a session under the old key resumes on node b" "$B" "$E2E_TMP/old.sess" tls1_3
session_from "$A" "$E2E_TMP/new.sess" tls1_3 || fail "no session after the rotation"
expect Reused "a session under the new key resumes on node b" "$B" "$E2E_TMP/new.sess" tls1_3
# Two more rotations push the old key out of the file (the tool keeps two previous keys).
"$SER_SOURCE_DIR/tools/make-ticket-keys.sh" --rotate "$KEYS"
"$SER_SOURCE_DIR/tools/make-ticket-keys.sh" --rotate "$KEYS"
"$SERCTL" -s "unix:$E2E_TMP/b.ctl" tls reload >"$E2E_TMP/reload.b2" 2>&1 || fail "node b: tls reload"
expect New "once its key has left the file, an old session does not resume" "$B" "$E2E_TMP/old.sess" tls1_3

# A broken file: the reload fails naming the file and line, the keys in service stay.
printf '# keys\nbm90IGEga2V5\n' >"$E2E_TMP/bad.keys"
cp "$KEYS" "$E2E_TMP/good.keys"
cp "$E2E_TMP/bad.keys" "$KEYS"
"$SERCTL" -s "unix:$E2E_TMP/b.ctl" tls reload >"$E2E_TMP/reload.bad" 2>&1
if grep -q "$KEYS:2:1: error: expected a ticket key: the base64 of 80 bytes (tools/make-ticket-keys.sh), found 9 bytes" "$E2E_TMP/reload.bad"; then
  pass "a malformed key file fails the reload: $(grep -m1 -o 'ticket.keys:2:1: error: .*' "$E2E_TMP/reload.bad")"
else
  fail "malformed key file: $(cat "$E2E_TMP/reload.bad" | head -3)"
fi
expect Reused "the keys in service stay after the failed reload" "$B" "$E2E_TMP/new.sess" tls1_3
if grep -qF "$(sed -n 2p "$E2E_TMP/good.keys")" "$E2E_TMP"/*.log "$E2E_TMP"/reload.*; then
  fail "a key appears in a log or a reload answer"
else
  pass "no key in the logs or the reload answers"
fi
e2e_finish
