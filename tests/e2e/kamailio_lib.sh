# Helpers for the end-to-end tests against Kamailio (sourced after lib.sh and tls_lib.sh).
# Each test writes its Kamailio configuration into its temp dir from a template in
# tests/e2e/kamailio/ (placeholders @NAME@), starts Kamailio in the foreground (-DD: its main
# process stays our child), waits for its ports, checks it is alive, and stops it by PID.
#
# Debian's Kamailio 5.6.3 crashes under concurrent TLS handshakes when more than one TCP
# worker runs them (kamailio#3791): every template sets tcp_children=1.

KAM_TEMPLATES="$SER_SOURCE_DIR/tests/e2e/kamailio"
KAM_NAMES=()

# kam_require: Kamailio and its TLS module, installed by tools/install-deps.sh test when
# missing (as `make test` and CI do); the test is skipped only when they cannot be installed.
kam_require() {
  kam_installed && return 0
  "$SER_SOURCE_DIR/tools/install-deps.sh" test >"$E2E_TMP/install-deps.log" 2>&1
  kam_installed && return 0
  echo "SKIP: kamailio and kamailio-tls-modules are not installed and could not be" \
    "(tools/install-deps.sh test: $(tail -1 "$E2E_TMP/install-deps.log"))"
  exit 0
}

# kam_installed: the kamailio binary runs and its tls module is there.
kam_installed() {
  command -v kamailio >/dev/null || return 1
  dpkg-query -W -f='${Status}' kamailio-tls-modules 2>/dev/null | grep -q "install ok installed"
}

# kam_render TEMPLATE OUT KEY=VALUE...: tests/e2e/kamailio/TEMPLATE with each @KEY@ replaced
# by VALUE, written to OUT; a placeholder left unreplaced fails the test (a typo in a test
# would otherwise reach Kamailio as a parse error far from its cause).
kam_render() {
  local tpl="$KAM_TEMPLATES/$1" out=$2 kv key val
  shift 2
  cp "$tpl" "$out" || return 1
  for kv in "$@"; do
    key=${kv%%=*}
    val=${kv#*=}
    val=${val//\\/\\\\}
    val=${val//|/\\|}
    val=${val//&/\\&}
    sed -i "s|@$key@|$val|g" "$out"
  done
  if grep -qE '@[A-Z_]+@' "$out"; then
    fail "$1: placeholders left: $(grep -oE '@[A-Z_]+@' "$out" | sort -u | tr '\n' ' ')"
    return 1
  fi
}

# kam_start NAME CFG PORT: starts Kamailio on CFG (its log in $E2E_TMP/NAME.log), and waits up
# to 30 s for an OPTIONS on its UDP PORT to be answered (Kamailio binds its sockets before it
# forks its workers: the first answer may take seconds on a loaded machine). Sets KAM_PID.
# Call it directly, not in $(...): the process must be a child of the test's shell.
kam_start() {
  local name=$1 cfg=$2 port=$3
  mkdir -p "$E2E_TMP/$name.run"
  kamailio -f "$cfg" -DD -E -P "$E2E_TMP/$name.pid" -Y "$E2E_TMP/$name.run" -m 64 -M 8 \
    >"$E2E_TMP/$name.log" 2>&1 &
  KAM_PID=$!
  E2E_PIDS+=("$KAM_PID")
  KAM_NAMES+=("$name:$KAM_PID")
  local deadline=$((SECONDS + 30))
  while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$KAM_PID" 2>/dev/null; do
    kam_alive "$KAM_PID" "$port" && return 0
    sleep 0.2
  done
  echo "kamailio $name did not become ready; its log:" >&2
  tail -n 40 "$E2E_TMP/$name.log" >&2
  return 1
}

# kam_alive PID PORT: the process is there and answers an OPTIONS on 127.0.0.1:PORT (UDP)
# with a 200 (every template answers an OPTIONS for itself).
kam_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  [[ "$(options_udp "$2")" == "SIP/2.0 200 "* ]]
}

# kam_check_alive NAME PID PORT LABEL: a pass or a fail (with Kamailio's log) for "alive after
# LABEL"; also fails on a child that died of a signal (Kamailio's main logs it, then stops).
kam_check_alive() {
  local name=$1 pid=$2 port=$3 label=$4
  if kam_alive "$pid" "$port" && ! grep -qE "exited by a signal|core dumped" "$E2E_TMP/$name.log"; then
    pass "$name alive after $label (pid $pid, OPTIONS answered 200)"
  else
    fail "$name not alive after $label"
    kam_dump "$name"
  fi
}

# kam_dump NAME: the end of Kamailio's log, for a failure's context.
kam_dump() {
  echo "--- $1 log (tail)"
  tail -n 40 "$E2E_TMP/$1.log"
}

# kam_stop PID: SIGTERM to Kamailio's main process, which stops its children; up to 5 s for
# all of them, then SIGKILL to those left (children first recorded by PID, never by name).
kam_stop() {
  local pid=$1 kids p
  kids=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ')
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  for p in $pid $kids; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
  wait "$pid" 2>/dev/null
  return 0
}

# sipp_uas NAME PORT CALLS [TRANSPORT]: the callee of uac_dialog.xml (uas_dialog.xml: it
# returns the Record-Route) on 127.0.0.1:PORT, exiting after CALLS calls; waits for its port.
sipp_uas() {
  local name=$1 port=$2 n=$3 t=${4:-u1}
  sipp -sf "$KAM_TEMPLATES/uas_dialog.xml" -i 127.0.0.1 -p "$port" -t "$t" -m "$n" -nostdin \
    -timeout 120s -trace_stat -stf "$E2E_TMP/$name.csv" -trace_err -error_file "$E2E_TMP/$name.err" \
    >"$E2E_TMP/$name.out" 2>&1 &
  SIPP_UAS_PID=$!
  E2E_PIDS+=("$SIPP_UAS_PID")
  wait_port "$port" "$([ "$t" = t1 ] && echo tcp || echo udp)"
}

# sipp_stat CSV COLUMN: the last value of a column of sipp's -trace_stat file.
sipp_stat() {
  awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
    { v = $c } END { print v + 0 }' "$1"
}

# sipp_calls NAME DEST CALLS RATE [sipp options...]: CALLS calls of uac_dialog.xml to DEST at
# RATE calls/s (bounded: 120 s). Sets SIPP_FIGURES ("500 successful, 0 failed, 0
# retransmissions in 10.3 s"); true when sipp exits 0 with every call successful.
sipp_calls() {
  local name=$1 dest=$2 n=$3 rate=$4 start rc ok failed retrans secs
  shift 4
  start=$(date +%s.%N)
  sipp -sf "$KAM_TEMPLATES/uac_dialog.xml" -i 127.0.0.1 -p "$(free_port)" -m "$n" -r "$rate" \
    -l 200 -nostdin -timeout 120s -timeout_error -trace_stat -stf "$E2E_TMP/$name.csv" \
    -trace_err -error_file "$E2E_TMP/$name.err" "$@" "$dest" >"$E2E_TMP/$name.out" 2>&1
  rc=$?
  secs=$(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $start}")
  ok=$(sipp_stat "$E2E_TMP/$name.csv" "SuccessfulCall(C)")
  failed=$(sipp_stat "$E2E_TMP/$name.csv" "FailedCall(C)")
  retrans=$(sipp_stat "$E2E_TMP/$name.csv" "Retransmissions(C)")
  SIPP_FIGURES="$ok successful, $failed failed, $retrans retransmissions in ${secs}s (sipp exit $rc)"
  [ "$rc" -eq 0 ] && [ "$ok" -eq "$n" ] && [ "$failed" -eq 0 ] && return 0
  sipp_errors "$name"
  return 1
}

# sipp_errors NAME: what sipp NAME said went wrong with its failed calls (its -error_file).
sipp_errors() {
  [ -s "$E2E_TMP/$1.err" ] || return 0
  echo "--- sipp $1: errors (last 30 lines)"
  tail -n 30 "$E2E_TMP/$1.err"
}

# sipp_uas_result NAME CALLS: the UAS started by sipp_uas exits by itself after CALLS calls
# (up to 10 s more); a pass when it counted them all successful.
sipp_uas_result() {
  local name=$1 n=$2 rc=124 ok failed
  for _ in $(seq 1 100); do kill -0 "$SIPP_UAS_PID" 2>/dev/null || break; sleep 0.1; done
  if ! kill -0 "$SIPP_UAS_PID" 2>/dev/null; then wait "$SIPP_UAS_PID"; rc=$?; fi
  ok=$(sipp_stat "$E2E_TMP/$name.csv" "SuccessfulCall(C)")
  failed=$(sipp_stat "$E2E_TMP/$name.csv" "FailedCall(C)")
  if [ "$rc" -eq 0 ] && [ "$ok" -eq "$n" ] && [ "$failed" -eq 0 ]; then
    pass "the UAS saw $ok calls through, ACK and BYE included, 0 failed"
  else
    fail "the UAS: exit $rc, $ok successful, $failed failed"
    tail -n 20 "$E2E_TMP/$name.out"
    sipp_errors "$name"
  fi
}

# On exit, every Kamailio started is stopped before lib.sh's cleanup (whose SIGKILL would
# leave Kamailio's children behind).
kam_cleanup() {
  local entry
  for entry in "${KAM_NAMES[@]}"; do kam_stop "${entry#*:}"; done
  e2e_cleanup
}
trap kam_cleanup EXIT
