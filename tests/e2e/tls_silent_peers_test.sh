#!/usr/bin/env bash
# Peers that connect to a TLS listener and send nothing (port scanners, or an attacker holding
# half-open connections against the memory guard, issue #9) must cost little: ser makes no
# handshake or record buffers for a peer before its ClientHello arrives. Measured from outside
# with serctl mem (OpenSSL's bytes in shm) while 100 such peers are held; a real client still
# completes its handshake beside them, and everything held is given back once they go.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 0; }
require_serctl
tls_make_certs

PEERS=100
LIMIT_KIB=24  # per silent peer; OpenSSL's SSL object is about 9 KiB, its buffers 50 kB more
P=$(tls_port)
CTL="$E2E_TMP/ser.ctl"
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
children = 2
log_level = 2
ctl_socket = "unix:$CTL"
tcp_max_connections_per_ip = 1000
tls_max_handshakes_per_ip = 1000
$(tls_server_params server-ec)
route { drop; }
CFG
start_ser "$E2E_TMP/ser.cfg" || { fail "ser start"; e2e_finish; }

openssl_bytes() { serctl_mem "$CTL" openssl_in_use; }
tls_connections() { serctl_mem "$CTL" tls_connections; }

before=$(openssl_bytes)
# The silent peers: connected, then nothing, until stdin closes.
exec 3> >(python3 -c '
import socket, sys
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5) for _ in range(int(sys.argv[2]))]
print("held", len(socks), flush=True)
sys.stdin.read()
' "$P" "$PEERS" >"$E2E_TMP/silent.out" 2>&1)
SILENT_PID=$!
E2E_PIDS+=("$SILENT_PID")
for _ in $(seq 1 100); do
  [ "$(tls_connections)" -ge "$PEERS" ] && break
  sleep 0.1
done
held=$(openssl_bytes)
per_peer=$(((held - before) / PEERS))
if [ "$(tls_connections)" -ge "$PEERS" ] && [ "$per_peer" -le $((LIMIT_KIB * 1024)) ]; then
  pass "$PEERS silent peers cost $per_peer bytes of OpenSSL state each (at most $LIMIT_KIB KiB)"
else
  fail "$(tls_connections) silent peers accepted, $per_peer bytes of OpenSSL state each (more than $LIMIT_KIB KiB: buffers made before any ClientHello)"
fi

sclient "$E2E_TMP/client.out" "127.0.0.1:$P"
if [ -n "$(negotiated "$E2E_TMP/client.out")" ]; then
  pass "a real client completes its handshake beside them: $(negotiated "$E2E_TMP/client.out")"
else
  fail "handshake beside the silent peers: $(tail -3 "$E2E_TMP/client.out")"
fi

exec 3>&-  # the silent peers go
for _ in $(seq 1 100); do
  [ "$(tls_connections)" -eq 0 ] && break
  sleep 0.1
done
after=$(openssl_bytes)
# The session the real client got may stay in the cache: a few kilobytes.
if [ "$(tls_connections)" -eq 0 ] && [ "$after" -le $((before + 64 * 1024)) ]; then
  pass "OpenSSL's share back near the start once they left ($before -> $after bytes)"
else
  fail "after the silent peers left: $(tls_connections) tls connections, OpenSSL $before -> $after bytes"
fi
if kill -0 "$SER_PID" 2>/dev/null; then pass "ser is still running"; else fail "ser died"; fi
e2e_finish
