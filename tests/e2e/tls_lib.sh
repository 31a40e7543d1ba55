# Shared helpers for the TLS end-to-end tests (sourced after lib.sh). The peers are Debian's
# `openssl s_client` (and testssl, sipp in their own tests); certificates are made at test time.

# tls_require_build: without TLS support compiled in, these tests have nothing to test.
tls_require_build() {
  if [ "${SER_TLS:-1}" != 1 ]; then
    echo "SKIP: ser built without TLS (SER_TLS=0)"
    exit 0
  fi
  command -v openssl >/dev/null || { echo "SKIP: openssl not installed"; exit 0; }
}

# tls_port: free_port of lib.sh (below the ephemeral range, never handed out twice).
tls_port() { free_port; }

# tls_make_certs: the test PKI of tools/make-test-certs.sh in $CERTS (see its header).
tls_make_certs() {
  CERTS="$E2E_TMP/certs"
  "$SER_SOURCE_DIR/tools/make-test-certs.sh" "$CERTS" 2>"$E2E_TMP/make-certs.log" || {
    cat "$E2E_TMP/make-certs.log"
    fail "tools/make-test-certs.sh failed"
    e2e_finish
  }
}

# tls_server_params [NAME]: the three lines of a server domain using $CERTS/NAME.pem/.key.
tls_server_params() {
  local n=${1:-server}
  printf 'tls_certificate = "%s/%s.pem"\ntls_private_key = "%s/%s.key"\ntls_ca_list = "%s/ca.pem"\n' \
    "$CERTS" "$n" "$CERTS" "$n" "$CERTS"
}

# sni_opt [s_client options...]: -noservername unless the options name one (-servername).
sni_opt() {
  case " $* " in *" -servername "*) ;; *) echo -noservername ;; esac
}

# sclient OUT HOST:PORT [s_client options...]: one handshake, then close (stdin is empty).
# s_client's stdout+stderr go to OUT; returns s_client's exit status (124: timed out).
sclient() {
  local out=$1 addr=$2
  shift 2
  timeout 10 openssl s_client -connect "$addr" -CAfile "$CERTS/ca.pem" $(sni_opt "$@") -nocommands \
    "$@" </dev/null >"$out" 2>&1
}

# negotiated OUT: "TLSv1.3 TLS_AES_256_GCM_SHA384" from s_client's "New, ..., Cipher is ..." line
# (empty when no handshake was completed: s_client then prints "New, (NONE), Cipher is (NONE)").
negotiated() {
  sed -n 's/^New, \(TLSv[0-9.]*\), Cipher is \(.*\)$/\1 \2/p' "$1" | head -1
}

# peer_cn OUT: the subject CN of the certificate the server sent.
peer_cn() {
  sed -n 's/^subject=.*CN *= *\([^,/]*\).*$/\1/p' "$1" | head -1
}

# sip_options_msg PROTO PORT: an OPTIONS request (CRLF line ends) on stdout.
sip_options_msg() {
  printf 'OPTIONS sip:127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/%s 127.0.0.1:9;rport;branch=z9hG4bKt%s\r\nFrom: <sip:e2e@test>;tag=%s\r\nTo: <sip:127.0.0.1>\r\nCall-ID: tls%s%s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\nContent-Length: 0\r\n\r\n' \
    "$2" "$1" "$RANDOM" "$RANDOM" "$RANDOM" "$RANDOM"
}

# tls_send OUT HOST:PORT MSGFILE [s_client options...]: opens a TLS connection with s_client,
# sends MSGFILE over it and waits (at most 5 s) for a SIP status line to come back on the same
# connection (one matching the ERE in $TLS_WAIT if set, e.g. '^SIP/2.0 200'), or for s_client
# to end (refused handshake). Then closes. OUT gets what came back over the connection, OUT.err
# s_client's messages (alerts, verify errors); prints the status line received (empty if none).
tls_send() {
  local out=$1 addr=$2 msg=$3 fifo="$E2E_TMP/tls_send.$RANDOM.fifo" pid fd line=""
  shift 3
  mkfifo "$fifo"
  timeout 10 openssl s_client -connect "$addr" -CAfile "$CERTS/ca.pem" $(sni_opt "$@") -nocommands \
    -quiet "$@" <"$fifo" >"$out" 2>"$out.err" &
  pid=$!
  exec {fd}>"$fifo"
  cat "$msg" >&"$fd" 2>/dev/null
  for _ in $(seq 1 50); do
    line=$(grep -a -m1 -E "${TLS_WAIT:-^SIP/2.0 [0-9]}" "$out")
    [ -n "$line" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  exec {fd}>&-
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -f "$fifo"
  printf '%s' "${line%$'\r'}"
}

# tls_options OUT HOST:PORT [s_client options...]: tls_send with an OPTIONS request.
tls_options() {
  local out=$1 addr=$2 msg="$E2E_TMP/options.$RANDOM.msg"
  shift 2
  sip_options_msg TLS "${addr##*:}" >"$msg"
  tls_send "$out" "$addr" "$msg" "$@"
}

# log_has PATTERN [FILE]: ser's log (default $E2E_TMP/ser.log) has a line matching PATTERN (ERE).
log_has() {
  grep -qE -- "$1" "${2:-$E2E_TMP/ser.log}"
}

# stop_ser: SIGTERM to $SER_PID and wait (bounded) so its last log lines (counters) are written.
stop_ser() {
  kill -TERM "$SER_PID" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$SER_PID" 2>/dev/null || break; sleep 0.1; done
  wait "$SER_PID" 2>/dev/null
}

# s_server NAME PORT CERT [options...]: `openssl s_server` on 127.0.0.1:PORT serving
# $CERTS/CERT.pem (leaf + chain) for one connection, in the background; what it receives goes
# to $E2E_TMP/NAME.out, and what is written to the fd in $hold (its stdin) is sent to the peer.
# Waits (at most 5 s) for it to listen.
s_server() {
  local name=$1 port=$2 cert=$3
  shift 3
  mkfifo "$E2E_TMP/$name.in"
  exec {hold}<>"$E2E_TMP/$name.in"
  timeout 60 openssl s_server -accept "127.0.0.1:$port" -cert "$CERTS/$cert.pem" -key "$CERTS/$cert.key" \
    -cert_chain "$CERTS/$cert.pem" -naccept 1 "$@" <"$E2E_TMP/$name.in" >"$E2E_TMP/$name.out" 2>&1 &
  E2E_PIDS+=("$!")
  for _ in $(seq 1 50); do grep -q ACCEPT "$E2E_TMP/$name.out" && return 0; sleep 0.1; done
  return 1
}

# wait_for FILE ERE: up to 5 s for a line matching ERE in FILE.
wait_for() { for _ in $(seq 1 50); do grep -aqE "$2" "$1" && return 0; sleep 0.1; done; return 1; }
