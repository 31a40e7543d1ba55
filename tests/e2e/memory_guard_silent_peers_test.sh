#!/usr/bin/env bash
# Peers that connect to a TLS listener and never send a ClientHello must not lock real clients
# out through the shared memory guard (issue #9): an accepted TLS connection reserves its
# handshake's peak (64 KiB) only once its ClientHello arrives, so 400 silent connections from
# one address at the default per-address limits, against -m 24, leave the guard admitting.
# Before, each held the reservation from its accept until tls_handshake_timeout: about 320 of
# them had the guard refuse every new client while shm was 6 % used.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 0; }
require_serctl
tls_make_certs

PEERS=400
P=$(tls_port)
CTL="$E2E_TMP/ser.ctl"
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
children = 2
log_level = 2
shm_mem_size = 24
ctl_socket = "unix:$CTL"
$(tls_server_params server-ec)
route { drop; }
CFG
start_ser "$E2E_TMP/ser.cfg" || { fail "ser start"; e2e_finish; }

mem() { serctl_mem "$CTL" "$1"; }

# The silent peers, from 127.0.0.2 (the real client comes from 127.0.0.1: its handshake slot is
# not behind theirs, tls_max_handshakes_per_ip): connected, then nothing, until stdin closes.
exec 3> >(python3 -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[2])):
    try:
        socks.append(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5,
                                             source_address=("127.0.0.2", 0)))
    except OSError:
        pass
print("held", len(socks), flush=True)
sys.stdin.read()
' "$P" "$PEERS" >"$E2E_TMP/silent.out" 2>&1)
E2E_PIDS+=("$!")
for _ in $(seq 1 100); do
  grep -q held "$E2E_TMP/silent.out" 2>/dev/null && break
  sleep 0.1
done
sleep 0.5  # the last accepts reach the workers
silent=$(mem tls_connections)
echo "# $(cat "$E2E_TMP/silent.out"); ser holds $silent TLS connections; shm $(mem pools.0.in_use) of $(mem pools.0.budget) bytes"

sclient "$E2E_TMP/client.out" "127.0.0.1:$P"
if [ -n "$(negotiated "$E2E_TMP/client.out")" ]; then
  pass "a new client completes its handshake beside $silent silent peers: $(negotiated "$E2E_TMP/client.out")"
else
  fail "a new client was shut out beside $silent silent peers: $(tail -3 "$E2E_TMP/client.out")"
fi
refused=$(mem guard.refused_connections)
refusing=$(mem guard.refusing)
if [ "$refused" = 0 ] && [ "$refusing" = False ]; then
  pass "the guard refused nobody (silent peers hold no handshake reservation)"
else
  fail "the guard refused $refused connections (refusing: $refusing) with $silent silent peers"
fi
if [ "$silent" -ge 300 ]; then
  pass "$silent silent peers were held (enough to lock clients out before)"
else
  fail "only $silent silent peers held: the test did not reach the old lock-out"
fi
exec 3>&-
if kill -0 "$SER_PID" 2>/dev/null; then pass "ser is still running"; else fail "ser died"; fi
e2e_finish
