#!/usr/bin/env bash
# TLS session resumption as clients do it: a client that sends nothing gets its ticket as soon
# as the handshake is done, and a TLS 1.3 client that uses each ticket once (RFC 8446 appendix
# C.4) gets the next one from every resumed handshake, so it resumes again and again. Real
# peers: `openssl s_client` (-sess_out/-sess_in, no data sent) and sipbench's handshake mode
# (each TLS 1.3 ticket used once, each connection waiting for its ticket before it closes).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
: "${SER_BINARY_DIR:?SER_BINARY_DIR must point at the build tree}"
tls_require_build
SIPBENCH="$SER_BINARY_DIR/sipbench"
tls_make_certs

P=$(tls_port)
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
children = 2
log_level = 2
tls_certificate = "$CERTS/server-ec.pem"
tls_private_key = "$CERTS/server-ec.key"
route { sl_send_reply(200, "OK"); }
CFG
start_ser "$E2E_TMP/ser.cfg" || { fail "ser did not start"; e2e_finish; }

# session VERSION IN OUT: one s_client handshake that sends nothing, resuming IN (none: "-"),
# until OUT holds the session it received (a ticket, written when it arrives) or 5 s passed.
# Prints "New" or "Reused" (empty: no handshake).
session() {
  local v=$1 in=$2 out=$3 fifo="$E2E_TMP/s.$RANDOM.fifo" log="$E2E_TMP/s.$RANDOM.log" pid fd
  local resume=()
  [ "$in" != - ] && resume=(-sess_in "$in")
  mkfifo "$fifo"
  timeout 10 openssl s_client -connect "127.0.0.1:$P" "$v" -CAfile "$CERTS/ca.pem" -noservername \
    "${resume[@]}" -sess_out "$out" <"$fifo" >"$log" 2>&1 &
  pid=$!
  exec {fd}>"$fifo"
  for _ in $(seq 1 50); do
    [ -s "$out" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  exec {fd}>&-
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -f "$fifo"
  sed -n 's/^\(New\|Reused\), TLSv.*/\1/p' "$log" | head -1
}

# 1. TLS 1.3, a client that sends nothing: its ticket comes right after the full handshake, and
# a new one after each resumed handshake; each is used once.
prev=-
outcomes=""
for i in 1 2 3 4; do
  rm -f "$E2E_TMP/t13.$i.pem"
  outcomes="$outcomes $(session -tls1_3 "$prev" "$E2E_TMP/t13.$i.pem")"
  [ -s "$E2E_TMP/t13.$i.pem" ] || { outcomes="$outcomes (no ticket)"; break; }
  prev="$E2E_TMP/t13.$i.pem"
done
if [ "$outcomes" = " New Reused Reused Reused" ]; then
  pass "TLS 1.3: a ticket after the full handshake and after each resumption, each used once"
else
  fail "TLS 1.3 ticket chain: got '$outcomes' (expected New Reused Reused Reused)"
fi

# 2. TLS 1.2: the session (ticket) of the full handshake resumes twice.
rm -f "$E2E_TMP/t12.pem"
first=$(session -tls1_2 - "$E2E_TMP/t12.pem")
second=$(session -tls1_2 "$E2E_TMP/t12.pem" "$E2E_TMP/t12b.pem")
third=$(session -tls1_2 "$E2E_TMP/t12.pem" "$E2E_TMP/t12c.pem")
[ "$first $second $third" = "New Reused Reused" ] && pass "TLS 1.2: one session resumed twice" ||
  fail "TLS 1.2: got '$first $second $third' (expected New Reused Reused)"

# 3. sipbench: 400 handshakes, 10 at a time, each TLS 1.3 ticket used once and each connection
# waiting for its ticket before closing: every handshake succeeds, and all but the first wave
# (started before any ticket came) resume.
if [ -x "$SIPBENCH" ]; then
  for v in 1.3 1.2; do
    timeout 60 "$SIPBENCH" handshake "127.0.0.1:$P" -n 400 -p 10 --tls-version "$v" --resume \
      --ca "$CERTS/ca.pem" --timeout 5 -q >"$E2E_TMP/bench$v.out" 2>&1
    ok=$(json_field succeeded "$E2E_TMP/bench$v.out")
    failed=$(json_field failed "$E2E_TMP/bench$v.out")
    resumed=$(json_field resumed "$E2E_TMP/bench$v.out")
    if [ "${ok:-0}" = 400 ] && [ "${failed:-1}" = 0 ] && [ "${resumed:-0}" -ge 390 ]; then
      pass "sipbench TLS $v: 400 handshakes, $resumed resumed, none failed"
    else
      fail "sipbench TLS $v: succeeded ${ok:-?}, failed ${failed:-?}, resumed ${resumed:-?} (expected 400, 0, >= 390)"
      tail -5 "$E2E_TMP/bench$v.out"
    fi
  done
else
  fail "no sipbench binary at $SIPBENCH"
fi

stop_ser
e2e_finish
