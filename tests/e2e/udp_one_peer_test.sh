#!/usr/bin/env bash
# One UDP peer answering everything ser forwards (a carrier trunk): sipbench's 100 TLS
# connections with 8 OPTIONS outstanding each, forwarded by ser over UDP to one sipp UAS address,
# whose answers all come back from that one address, to the one worker's socket the kernel's
# SO_REUSEPORT hash picks. Every request must get its answer: none lost in that socket's
# receive buffer (udp_rcvbuf).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
command -v sipp >/dev/null || { echo "SKIP: sipp not installed (tools/install-deps.sh test)"; exit 0; }
SIPBENCH="$SER_BINARY_DIR/sipbench"
[ -x "$SIPBENCH" ] || { fail "no sipbench binary at $SIPBENCH"; e2e_finish; }
tls_make_certs
CONNS=100
WINDOW=8

PT=$(free_port); PU=$(free_port); UAS=$(free_port)
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$PT
listen = udp:127.0.0.1:$PU
children = 2
log_level = 1
ctl_socket = "unix:$E2E_TMP/ser.ctl"
$(tls_server_params server)
route {
  forward_udp("127.0.0.1", $UAS);
}
CFG

# The bench's UAS (the forward figure's): each OPTIONS answered 200 at once.
sipp -sf "$SER_SOURCE_DIR/tests/bench/configs/sipp_uas_options.xml" -i 127.0.0.1 -p "$UAS" -t u1 -buff_size 4194304 -nostdin -timeout 300s \
  >"$E2E_TMP/uas.out" 2>&1 &
E2E_PIDS+=("$!")
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
wait_port "$UAS" udp || { fail "the sipp UAS did not bind"; tail -3 "$E2E_TMP/uas.out"; e2e_finish; }

out=$(timeout 60 "$SIPBENCH" options "127.0.0.1:$PT" -T tls -c "$CONNS" -w "$WINDOW" -d 5 \
  --timeout 5 --ruri "sip:uas@127.0.0.1:$UAS" -q 2>"$E2E_TMP/sipbench.err" | tail -1)
echo "sipbench: $out"
field() { json_field "$1" <<<"$out"; }
if [ -z "$(field sent)" ]; then
  fail "sipbench printed no result: $(tail -3 "$E2E_TMP/sipbench.err")"
else
  [ "$(field connections_up)" -eq "$CONNS" ] && pass "all $CONNS connections up" ||
    fail "$(field connections_up) of $CONNS connections up"
  sent=$(field sent); lost=$(field lost); answered=$(field answered)
  [ "$sent" -gt 0 ] && [ "$lost" -eq 0 ] && [ "$answered" -eq "$sent" ] &&
    pass "$answered of $sent requests answered through one UDP peer, none lost" ||
    fail "$lost of $sent requests lost ($answered answered, $(field non_2xx) not 2xx)"
fi

if grep -qiE "crit|segfault|assert" "$E2E_TMP/ser.log"; then
  fail "ser log has critical lines"; grep -iE "crit|segfault|assert" "$E2E_TMP/ser.log" | head
fi
[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -20 "$E2E_TMP/ser.log"; }
e2e_finish
