#!/usr/bin/env bash
# Idle TLS 1.3 connections' cost (not a test: prints figures, asserts nothing). For each N in
# 2,500, 5,000, 10,000 and as many as the open-file limit allows, a fresh ser (ECDSA P-256
# certificate from tools/make-test-certs.sh, default workers) is warmed up with a few
# handshakes, then sipbench holds N idle TLS 1.3 connections, each after one OPTIONS answered:
#   PSS/conn  (ser's Pss in /proc/PID/smaps_rollup with them held - before) / N
#   shm/conn  (the shm pool's bytes in use with them held - before) / N, from mem.stats on the
#             control socket when ser has it, else ser_pool_in_use_bytes{pool="shm"} of /metrics
#   ser's avg TLS  mem.stats' avg_tls_connection_bytes with them held (ser's own figure)
# and, at N = 10,000, a new handshake's latency (300 sequential full TLS 1.3 handshakes, from
# another source address) with none and with the N held. Loopback only; everything started
# is stopped by PID at the end, on failure too; each step is bounded, the whole in ~3 minutes.
#   usage: idle_connections.sh path/to/ser   (sipbench and serctl are taken from beside it)
#   IDLE_COUNTS="2500 5000" overrides the list of N ("max" = as many as the fd limit allows).
set -u
SER_BIN=${1:?usage: idle_connections.sh path/to/ser}
bin=$(cd "$(dirname "$SER_BIN")" && pwd)
SIPBENCH=$bin/sipbench
SERCTL=$bin/serctl
here=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$SIPBENCH" ] || { echo "idle_connections: no $SIPBENCH (a TLS build makes it)"; exit 0; }
tmp=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p"
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
deadline=$((SECONDS + 170))

"$here/tools/make-test-certs.sh" "$tmp/certs" 2>/dev/null || { echo "idle_connections: no certificates"; exit 0; }
# Both ends hold one descriptor per connection: the most either can hold is its hard limit less
# what is not a connection (listeners, epoll, eventfds, logs, the control and metrics sockets).
limit=$(ulimit -Hn)
[ "$limit" = unlimited ] && limit=1048576
max_n=$((limit - 100))
read -r -a counts <<<"${IDLE_COUNTS:-2500 5000 10000 max}"

# free_port: a TCP port nothing listens on, below the ephemeral range.
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 10000))
    ss -Htan | awk '{print $4}' | grep -qE "[:.]$p\$" || { echo "$p"; return; }
  done
}

# start_ser: a fresh ser; sets ser, port, mport (metrics), ctl.
start_ser() {
  port=$(free_port)
  mport=$(free_port)
  ctl=$tmp/ser.ctl
  rm -f "$tmp/ser.pid" "$ctl"
  # shm sized so that the memory guard (high water of the shared budget) never refuses here.
  cat >"$tmp/ser.cfg" <<CFG
listen = tls:127.0.0.1:$port
log_level = 1
shm_mem_size = 4096
tcp_max_connections = 65536
tcp_max_connections_per_ip = 65535
tcp_connection_lifetime = 3600
tls_certificate = "$tmp/certs/server-ec.pem"
tls_private_key = "$tmp/certs/server-ec.key"
metrics_listen = 127.0.0.1:$mport
ctl_socket = unix:$ctl
route { sl_send_reply(200, "OK"); }
CFG
  "$SER_BIN" -f "$tmp/ser.cfg" -D -E -P "$tmp/ser.pid" >"$tmp/ser.log" 2>&1 &
  ser=$!
  pids+=("$ser")
  for _ in $(seq 1 100); do [ -s "$tmp/ser.pid" ] && return 0; kill -0 "$ser" || break; sleep 0.1; done
  echo "idle_connections: ser did not start:"; cat "$tmp/ser.log"
  return 1
}

stop_pid() {
  kill -TERM "$1" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$1" 2>/dev/null && kill -KILL "$1"
  wait "$1" 2>/dev/null
}

pss_kib() { awk '/^Pss:/{print $2}' "/proc/$1/smaps_rollup" 2>/dev/null; }

# mem_stats: "SHM_IN_USE AVG_TLS_CONNECTION_BYTES" from mem.stats on the control socket; else
# "SHM_IN_USE -" from ser_pool_in_use_bytes{pool="shm"} of /metrics (a ser without mem.stats).
mem_stats() {
  local v
  v=$("$SERCTL" -s "unix:$ctl" -t 5 --json call mem.stats 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
shm = next(p["in_use"] for p in r["pools"] if p["name"] == "shm")
print(shm, r.get("avg_tls_connection_bytes", "-"))' 2>/dev/null)
  if [ -n "$v" ]; then echo "$v"; return; fi
  exec {fd}<>"/dev/tcp/127.0.0.1/$mport" || return
  printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&"$fd"
  v=$(timeout 5 cat <&"$fd" | awk '/^ser_pool_in_use_bytes\{.*pool="shm"/{print $2; exit}')
  exec {fd}>&-
  echo "${v:-0} -"
}

# jnum KEY FILE: a number of sipbench's JSON line.
jnum() { grep -o "\"$1\":[0-9.]*" "$2" | tail -1 | cut -d: -f2; }

# latency FILE: 300 sequential full TLS 1.3 handshakes from 127.0.0.250; "p50 p99" in ms.
latency() {
  timeout 60 "$SIPBENCH" handshake "127.0.0.1:$port" -n 300 -p 1 --tls-version 1.3 \
    --local-ip 127.0.0.250 -q >"$1" 2>&1
  awk -v a="$(jnum p50 "$1")" -v b="$(jnum p99 "$1")" -v ok="$(jnum succeeded "$1")" \
    'BEGIN { printf "p50 %.2f ms, p99 %.2f ms (%d/300 ok)", a / 1000, b / 1000, ok }'
}

# measure N: one row of the table (and the latency lines at 10,000).
measure() {
  local n=$1 sb pss0 pss1 shm0 shm1 avg up lat0="" sbpss
  [ "$n" = max ] && n=$max_n
  [ "$n" -gt "$max_n" ] && { echo "  $n: over the open-file limit ($limit), skipped"; return; }
  [ $((deadline - SECONDS)) -lt $((20 + n / 400)) ] && { echo "  $n: skipped, out of time"; return; }
  start_ser || return
  timeout 30 "$SIPBENCH" handshake "127.0.0.1:$port" -n 50 -p 5 --tls-version 1.3 --options -q \
    >"$tmp/warm.out" 2>&1
  [ "$n" = 10000 ] && lat0=$(latency "$tmp/lat0.out")
  pss0=$(pss_kib "$ser")
  read -r shm0 _ <<<"$(mem_stats)"
  # Files of their own per N: the grep below must not see the previous N's line before the
  # new sipbench's redirection has truncated the file.
  # Source addresses of their own per N: the previous run's ports may still be in TIME_WAIT.
  local ips="127.0.$((10 + ${#rows[@]})).1,127.0.$((10 + ${#rows[@]})).2"
  # Not under timeout(1): its PSS is read by PID; -d is the backstop, stop_pid the end.
  "$SIPBENCH" idle "127.0.0.1:$port" -c "$n" -p 200 -d 600 --tls-version 1.3 \
    --local-ip "$ips" --timeout 30 >"$tmp/idle.$n.out" 2>"$tmp/idle.$n.err" &
  sb=$!
  pids+=("$sb")
  for _ in $(seq 1 $((500 + n / 10))); do
    grep -q "connections up; holding" "$tmp/idle.$n.err" && break
    kill -0 "$sb" 2>/dev/null || break
    sleep 0.1
  done
  up=$(sed -n 's/^sipbench: \([0-9]*\) connections up.*/\1/p' "$tmp/idle.$n.err")
  if [ -z "$up" ] || [ "$up" -eq 0 ]; then
    echo "  $n: sipbench did not get its connections up:"; tail -5 "$tmp/idle.$n.err"
    stop_pid "$sb"; stop_pid "$ser"; return
  fi
  pss1=$(pss_kib "$ser")
  read -r shm1 avg <<<"$(mem_stats)"
  sbpss=$(pss_kib "$sb")
  [ "$n" = 10000 ] && lat1=$(latency "$tmp/lat1.out")
  stop_pid "$sb"
  stop_pid "$ser"
  rows+=("$(awk -v n="$n" -v up="$up" -v p0="$pss0" -v p1="$pss1" -v s0="${shm0:-0}" -v s1="${shm1:-0}" \
    -v avg="${avg:--}" -v sb="$sbpss" -v t="$(jnum setup_s "$tmp/idle.$n.out")" 'BEGIN {
      a = avg == "-" ? "-" : sprintf("%.1f", avg / 1024)
      printf "%8d %8d %12.1f %12.1f %12s %14.1f %9.1f", n, up, (p1 - p0) / up, (s1 - s0) / 1024 / up, a,
        sb / up, t }')")
  echo "${rows[-1]}"
  if [ -n "$lat0" ]; then lat_lines+=("  none held:   $lat0" "  $up held: $lat1"); fi
}

rows=()
lat_lines=()
echo "idle_connections: idle TLS 1.3 connections held by sipbench (ECDSA P-256, loopback, $(nproc) CPUs, open-file limit $limit)"
printf '%8s %8s %12s %12s %12s %14s %9s\n' N up "PSS/conn" "shm/conn" "ser's avg" "sipbench PSS" "setup"
printf '%8s %8s %12s %12s %12s %14s %9s\n' "" "" "(KiB)" "(KiB)" "TLS (KiB)" "/conn (KiB)" "(s)"
for n in "${counts[@]}"; do measure "$n"; done
if [ ${#lat_lines[@]} -gt 0 ]; then
  echo "a new TLS 1.3 handshake (300 sequential, sipbench handshake -p 1):"
  printf '%s\n' "${lat_lines[@]}"
fi
