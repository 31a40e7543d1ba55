#!/usr/bin/env bash
# Logs stay readable under attack. 200 connections that send plain-text garbage to the TLS port
# (each a failed handshake) give a bounded number of "handshake failed" lines and a summary
# "... and N more in the last 10 s" whose counts add up to the 200; 100 broken TCP streams a
# bounded number of "bad framing" lines. A TLS client whose SNI holds a line feed and an escape
# byte (openssl s_client sends what it is given) writes nothing raw into the log (the name is
# logged escaped, or ignored as malformed); one whose SNI spells "\x0a" with a real backslash is
# logged with the backslash doubled, in ser's handshake line and in the script's log($tls_sni).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
tls_make_certs

P=$(tls_port)
PT=$(free_port)
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
listen = tcp:127.0.0.1:$PT
children = 2
log_level = 3
$(tls_server_params server)
route { log(1, "script sni=\$tls_sni\n"); sl_send_reply(200, "OK"); }
CFG
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
LOG=$E2E_TMP/ser.log

# 1. 200 failed handshakes, one after the other (each connection is closed by ser).
for i in $(seq 1 200); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$P" || continue
  printf 'GET / HTTP/1.0 %s\r\n\r\n' "$i" >&"$fd"
  timeout 5 cat <&"$fd" >/dev/null 2>&1
  exec {fd}>&-
done
# And 100 TCP connections whose stream is broken (no Content-Length): "bad framing" each.
for i in $(seq 1 100); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$PT" || continue
  printf 'OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK%s\r\n\r\n' "$i" >&"$fd"
  timeout 5 cat <&"$fd" >/dev/null 2>&1
  exec {fd}>&-
done
stop_ser

lines=$(grep -c "handshake failed" "$LOG")
singles=$(grep "handshake failed" "$LOG" | grep -vc "more in the last")
summaries=$(grep -E "handshake failed: and [0-9,]+ more in the last [0-9]+ s" "$LOG")
summarised=$(sed -nE 's/.*handshake failed: and ([0-9,]+) more in the last.*/\1/p' "$LOG" | tr -d , |
  awk '{s += $1} END {print s + 0}')
if [ "$lines" -le 40 ] && [ -n "$summaries" ]; then
  pass "200 failed handshakes gave $lines log lines, e.g. '$(grep -m1 -oE 'handshake failed: and .*' "$LOG")'"
else
  fail "200 failed handshakes gave $lines 'handshake failed' lines, summary: '${summaries:-none}'"
fi
if [ $((singles + summarised)) -eq 200 ]; then
  pass "the lines and the summaries account for all 200 ($singles logged, $summarised summarised)"
else
  fail "lines and summaries count $singles + $summarised, not 200"
fi
framing=$(grep -c "bad framing" "$LOG")
if [ "$framing" -le 20 ] && grep -qE "bad framing or message too big: and [0-9,]+ more" "$LOG"; then
  pass "100 broken TCP streams gave $framing 'bad framing' lines with a summary"
else
  fail "100 broken TCP streams gave $framing 'bad framing' lines"
fi
closed=$(grep -c "connection closed" "$LOG")
[ "$closed" -le 40 ] && pass "'connection closed' lines bounded too ($closed for 300 connections)" ||
  fail "$closed 'connection closed' lines for 300 connections"

# 2. An SNI with a line feed and an ESC byte, then one that spells an escape itself
#    ("evil\x0aERROR..." with a real backslash): the log must show neither raw bytes nor a
#    backslash a reader could take for ser's own escape.
start_ser "$E2E_TMP/ser.cfg" ser2 || { fail "ser restart"; e2e_finish; }
LOG=$E2E_TMP/ser2.log
sni=$'evil\nERROR: forged line\x1b[2J.example.org'
got=$(tls_options "$E2E_TMP/sni" "127.0.0.1:$P" -servername "$sni")
got2=$(tls_options "$E2E_TMP/sni2" "127.0.0.1:$P" -servername 'fake\x0aerror:.example.org')
stop_ser
if log_has '^ERROR: forged line' "$LOG" || grep -q $'\x1b' "$LOG"; then
  fail "a peer's SNI wrote raw bytes into the log: $(grep -n 'forged' "$LOG" | tr '\n' '|')"
elif grep -qF 'sni=evil\x0aERROR: forged line\x1b[2J.example.org' "$LOG"; then
  pass "the control-byte SNI is logged escaped ('$got')"
elif [ "$got" = "SIP/2.0 200 OK" ] && ! grep -q "evil" "$LOG"; then
  pass "the control-byte SNI was ignored as malformed ('$got') and nothing raw reached the log"
else
  fail "control-byte SNI: got '$got'; log: $(grep -n 'evil' "$LOG" | tr '\n' '|')"
fi
if [ "$got2" = "SIP/2.0 200 OK" ] && grep -qF 'script sni=fake\\x0aerror:.example.org' "$LOG" &&
  grep -qF 'sni "fake\\x0aerror:.example.org"' "$LOG"; then
  pass "an SNI holding a backslash is logged with it doubled: $(grep -m1 -oF 'script sni=fake\\x0aerror:.example.org' "$LOG")"
else
  fail "backslash SNI: got '$got2'; log: $(grep -n 'fake' "$LOG" | tr '\n' '|')"
fi
e2e_finish
