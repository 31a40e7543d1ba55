# Shared helpers for the end-to-end tests (sourced). Everything runs on loopback only and is
# bounded in time; every process started is killed on exit.
set -u
: "${SER_BIN:?SER_BIN must point at the built ser binary}"
: "${SER_SOURCE_DIR:?SER_SOURCE_DIR must point at the source tree}"

E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ser-e2e.XXXXXX")
E2E_PIDS=()
E2E_FAILS=0
E2E_PASSES=0

# A sanitized build (make test SAN=1) writes its reports into this test's directory, where
# e2e_finish looks for them: a report fails the test even when the process that wrote it was
# in the background with its output thrown away.
if [ -n "${ASAN_OPTIONS:-}" ]; then export ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$E2E_TMP/sanitizer"; fi
if [ -n "${UBSAN_OPTIONS:-}" ]; then export UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$E2E_TMP/sanitizer"; fi

e2e_cleanup() {
  for p in "${E2E_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.2
  for p in "${E2E_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  if [ "$E2E_FAILS" -eq 0 ] && [ -z "${E2E_KEEP:-}" ]; then rm -rf "$E2E_TMP"; fi
}
trap e2e_cleanup EXIT

pass() { echo "PASS: $*"; E2E_PASSES=$((E2E_PASSES + 1)); }
fail() { echo "FAIL: $*"; E2E_FAILS=$((E2E_FAILS + 1)); }

# free_port: a port below the kernel's ephemeral range (so that no outgoing connection of this
# or of a test running beside it can be holding it), that no TCP or UDP socket uses, and that
# this test has not handed out before (it is called in $(...), so the list lives in a file).
free_port() {
  local lo hi p
  read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
  [ "$lo" -gt 21000 ] || lo=60000  # odd ranges: fall back to the top
  for _ in $(seq 1 100); do
    if [ "$lo" = 60000 ]; then p=$((60000 + RANDOM % 5000)); else p=$((20000 + RANDOM % (lo - 20000))); fi
    grep -qx "$p" "$E2E_TMP/ports" 2>/dev/null && continue
    if ! ss -Htuan 2>/dev/null | awk '{print $5}' | grep -qE "[:.]$p\$"; then
      echo "$p" >>"$E2E_TMP/ports"
      echo "$p"
      return 0
    fi
  done
  return 1
}

# wait_port PORT [tcp|udp]: up to 5 s for a socket bound to PORT (a peer's readiness).
wait_port() {
  local flag=-Hlun
  [ "${2:-udp}" = tcp ] && flag=-Hltn
  for _ in $(seq 1 50); do
    ss "$flag" 2>/dev/null | awk '{print $4}' | grep -qE "[:.]$1\$" && return 0
    sleep 0.1
  done
  return 1
}

# start_ser CFG [NAME]: starts ser in the foreground mode, in the background, and waits for
# its pid file (written once every socket is bound) for up to 10 s. Sets SER_PID. Call it
# directly, not in $(...): the process must be a child of the test's shell.
start_ser() {
  local cfg=$1 name=${2:-ser}
  local pidf="$E2E_TMP/$name.pid"
  "$SER_BIN" -f "$cfg" -D -E -P "$pidf" >"$E2E_TMP/$name.log" 2>&1 &
  SER_PID=$!
  E2E_PIDS+=("$SER_PID")
  for _ in $(seq 1 100); do
    [ -s "$pidf" ] && return 0
    kill -0 "$SER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "ser did not become ready; its log:" >&2
  cat "$E2E_TMP/$name.log" >&2
  return 1
}

# send_dgram PORT FORMAT [ARGS...]: one UDP datagram to 127.0.0.1:PORT (printf FORMAT).
# Through a file and cat, since bash's printf writes a datagram per line.
send_dgram() {
  local port=$1 f="$E2E_TMP/dgram.$$"
  shift
  printf "$@" >"$f"
  cat "$f" >"/dev/udp/127.0.0.1/$port"
}

# options_udp PORT: sends an OPTIONS to 127.0.0.1:PORT over UDP, prints the status line.
options_udp() {
  local port=$1 line=""
  exec {fd}<>"/dev/udp/127.0.0.1/$port"
  printf 'OPTIONS sip:127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bKp%s\r\nFrom: <sip:t@test>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: p%s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\nContent-Length: 0\r\n\r\n' "$port" "$RANDOM" "$RANDOM" >"$E2E_TMP/options.msg"
  cat "$E2E_TMP/options.msg" >&"$fd"
  # dd reads the reply datagram whole (bash's read would take one byte of it).
  line=$(timeout 3 dd bs=4096 count=1 status=none <&"$fd" | head -1)
  exec {fd}>&-
  printf '%s' "${line%$'\r'}"
}

# e2e_stop_all: SIGTERM to every process started and up to 5 s for each to exit, so that a
# sanitized ser runs its exit checks (LeakSanitizer) and writes its last log lines.
e2e_stop_all() {
  local p
  for p in "${E2E_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${E2E_PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
}

# e2e_check_sanitizers: a sanitizer report in any log or report file of this test is a failure.
e2e_check_sanitizers() {
  local f
  for f in $(grep -rlE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|WARNING: ThreadSanitizer' \
    "$E2E_TMP" 2>/dev/null); do
    fail "sanitizer report in ${f#"$E2E_TMP"/}"
    head -n 60 "$f"
  done
}

# e2e_finish: stops what the test started, checks for sanitizer reports, prints the summary
# line and exits with the right status.
e2e_finish() {
  e2e_stop_all
  e2e_check_sanitizers
  echo "$E2E_PASSES passed, $E2E_FAILS failed"
  [ "$E2E_FAILS" -eq 0 ]
  exit $?
}

# Sets SERCTL to the serctl built beside ser; a test that needs it fails (and ends) without it.
require_serctl() {
  SERCTL="$(dirname "$SER_BIN")/serctl"
  [ -x "$SERCTL" ] || { fail "serctl not built next to ser ($SERCTL)"; e2e_finish; }
}

# json_field PATH [FILE]: the value at PATH (keys and list indexes joined by dots: sent,
# errors.timeout, pools.0.in_use) in FILE (default stdin): the whole text when it is one JSON
# document (serctl --json), else its last line that starts with '{' (sipbench's summary).
# Printed as python3 prints it (True/False for booleans), objects and lists as JSON; nothing
# when the path or the JSON is missing.
json_field() {
  python3 -c 'import json, sys
text = open(sys.argv[2]).read()
try:
    v = json.loads(text)
except ValueError:
    v = json.loads([l for l in text.splitlines() if l.lstrip().startswith("{")][-1])
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v) if isinstance(v, (dict, list)) else v)' "$1" "${2:-/dev/stdin}" 2>/dev/null
}

# serctl_mem CTL PATH: one field of `serctl --json mem` on control socket CTL (json_field's
# PATH), e.g. serctl_mem "$CTL" guard.refusing.
serctl_mem() {
  "$SERCTL" -s "unix:$1" --json mem | json_field "$2"
}
