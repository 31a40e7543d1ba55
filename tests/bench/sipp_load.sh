#!/usr/bin/env bash
# Load figure (not a test): sipp UAC -> ser -> sipp UAS over UDP on loopback, CALLS calls at
# RATE calls/s; prints ser's CPU time, calls per CPU-second and resident memory. Bounded: the
# run stops after the calls or 120 s.
set -u
SER_BIN=${1:?usage: sipp_load.sh path/to/ser}
CALLS=${CALLS:-20000}
RATE=${RATE:-2000}
command -v sipp >/dev/null || { echo "sipp_load: sipp not installed (make test-deps)"; exit 0; }
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT
port() { echo $((20000 + RANDOM % 40000)); }
P=$(port); U=$(port)
printf 'listen = udp:127.0.0.1:%s\nchildren = 2\nlog_level = 1\nroute {\n  if (!mf_process_maxfwd_header(10)) { sl_send_reply(483, "Too Many Hops"); exit; }\n  forward_udp("127.0.0.1", %s);\n}\n' "$P" "$U" >"$tmp/ser.cfg"
sipp -sn uas -i 127.0.0.1 -p "$U" -t u1 -nostdin -timeout 150s >/dev/null 2>&1 &
pids+=($!)
"$SER_BIN" -f "$tmp/ser.cfg" -D -E -P "$tmp/ser.pid" 2>"$tmp/ser.log" &
ser=$!
pids+=($ser)
for _ in $(seq 1 100); do [ -s "$tmp/ser.pid" ] && break; sleep 0.1; done
cpu() { awk '{print $14 + $15}' "/proc/$ser/stat"; }
hz=$(getconf CLK_TCK)
c0=$(cpu); t0=$(date +%s.%N)
sipp -sn uac -i 127.0.0.1 -t u1 -m "$CALLS" -r "$RATE" -l 5000 -nostdin -timeout 120s \
  "127.0.0.1:$P" >"$tmp/uac.out" 2>&1
rc=$?
c1=$(cpu); t1=$(date +%s.%N)
rss=$(awk '/VmRSS/{print $2}' "/proc/$ser/status")
awk -v calls="$CALLS" -v c="$((c1 - c0))" -v hz="$hz" -v t="$(awk "BEGIN{print $t1-$t0}")" \
    -v rss="$rss" -v rc="$rc" 'BEGIN {
  secs = c / hz; if (secs <= 0) secs = 1 / hz;
  printf "sipp_load: %d calls (6 messages each through ser) over UDP in %.1f s (sipp exit %d)\n", calls, t, rc;
  printf "  ser CPU %.2f s: %.0f calls per CPU-second, %.0f messages per CPU-second; RSS %d KiB\n",
         secs, calls / secs, calls * 6 / secs, rss }'
