#!/usr/bin/env bash
# TLS handshake figure (not a test): `openssl s_time` makes new full handshakes to ser for
# 5 s (TLS 1.3, RSA-2048 certificate from tools/make-test-certs.sh, X25519); prints the rate
# and ser's CPU time per handshake. Loopback only, bounded in time.
set -u
SER_BIN=${1:?usage: tls_handshakes.sh path/to/ser}
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'kill "$ser" 2>/dev/null; rm -rf "$tmp"' EXIT
"$here/tools/make-test-certs.sh" "$tmp/certs" 2>/dev/null || { echo "tls_handshakes: no certificates"; exit 0; }
P=$((20000 + RANDOM % 10000))
printf 'listen = tls:127.0.0.1:%s\nchildren = 2\nlog_level = 1\ntls_certificate = "certs/server.pem"\ntls_private_key = "certs/server.key"\nroute { sl_send_reply(200, "OK"); }\n' "$P" >"$tmp/ser.cfg"
"$SER_BIN" -f "$tmp/ser.cfg" -D -E -P "$tmp/ser.pid" 2>"$tmp/ser.log" &
ser=$!
for _ in $(seq 1 100); do [ -s "$tmp/ser.pid" ] && break; sleep 0.1; done
cpu() { awk '{print $14 + $15}' "/proc/$ser/stat"; }
c0=$(cpu)
out=$(timeout 30 openssl s_time -connect "127.0.0.1:$P" -new -time 5 2>&1 | grep "real seconds")
c1=$(cpu)
n=$(awk '{print $1}' <<<"$out")
rss=$(awk '/VmRSS/{print $2}' "/proc/$ser/status")
awk -v n="${n:-0}" -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v rss="$rss" 'BEGIN {
  secs = c / hz; if (secs <= 0) secs = 1 / hz;
  printf "tls_handshakes: %d full TLS 1.3 handshakes in 5 s (client on the same machine)\n", n;
  printf "  ser CPU %.2f s: %.0f handshakes per CPU-second (%.0f us each); RSS %d KiB\n",
         secs, n / secs, secs * 1e6 / (n > 0 ? n : 1), rss }'
