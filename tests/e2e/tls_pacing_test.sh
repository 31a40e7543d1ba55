#!/usr/bin/env bash
# Limits pace, they do not turn away the legitimate. 1. 500 TLS connections opened at once from
# 127.0.0.1 (an SBC reconnecting after a restart) all complete their handshake and get their
# OPTIONS answered, although tls_max_handshakes_per_ip (64) lets only 64 handshake at a time.
# 2. 2,000 silent TCP connections from 127.0.0.1 to the TLS port neither exhaust ser nor keep a
# TLS client from 127.0.0.2 from being served, and are all closed at their handshake deadline.
# The peers are python3's ssl module (OpenSSL), many connections at once.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 0; }
tls_make_certs
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"  # ser and the peers inherit it

PEERS=$E2E_TMP/peers.py
cat >"$PEERS" <<'PY'
import selectors, socket, ssl, sys, threading, time

def options(port, n):
    return (f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bKp{n}\r\n"
            f"From: <sip:p@test>;tag={n}\r\nTo: <sip:127.0.0.1>\r\nCall-ID: pace{n}\r\nCSeq: 1 OPTIONS\r\n"
            "Max-Forwards: 5\r\nContent-Length: 0\r\n\r\n").encode()

def tls_options(sock, ctx, port, n):
    with ctx.wrap_socket(sock, server_hostname=None) as s:
        s.sendall(options(port, n))
        return s.recv(4096).split(b"\r\n", 1)[0].decode()

def context(ca):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = False
    return ctx

def burst(port, ca, n):
    # Every TCP connection first, then every handshake at once.
    ctx = context(ca)
    socks = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(n)]
    results = [None] * n
    start = threading.Barrier(n)
    def run(i):
        start.wait()
        try:
            results[i] = tls_options(socks[i], ctx, port, i)
        except Exception as e:
            results[i] = type(e).__name__ + ": " + str(e)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()
    ok = sum(1 for r in results if r == "SIP/2.0 200 OK")
    errors = sorted(set(r for r in results if r != "SIP/2.0 200 OK"))[:3]
    print(f"{ok} of {n} answered; errors: {errors}")

def silent(port, n, ready, limit):
    # n connections that never send; waits (at most `limit` s) for ser to close each one.
    sel = selectors.DefaultSelector()
    opened = {}
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.setblocking(False)
        opened[s] = time.monotonic()
        sel.register(s, selectors.EVENT_READ)
    open(ready, "w").write("ready\n")
    lived = []
    end = time.monotonic() + limit
    while opened and time.monotonic() < end:
        for key, _ in sel.select(timeout=0.5):
            s = key.fileobj
            try:
                data = s.recv(1)
            except OSError:
                data = b""
            if data == b"":
                lived.append(time.monotonic() - opened.pop(s))
                sel.unregister(s)
                s.close()
    if lived:
        print(f"{len(lived)} of {n} closed by ser, after {min(lived):.2f} to {max(lived):.2f} s")
    else:
        print(f"0 of {n} closed by ser")

def client(port, ca, src):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(src, 0))
    print(tls_options(sock, context(ca), port, 0))

mode = sys.argv[1]
if mode == "burst": burst(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
elif mode == "silent": silent(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5]))
else: client(int(sys.argv[2]), sys.argv[3], sys.argv[4])
PY

# 1. A burst of 500 from one address, default limits (tls_max_handshakes_per_ip = 64).
P=$(tls_port)
cat >"$E2E_TMP/burst.cfg" <<CFG
listen = tls:127.0.0.1:$P
log_level = 2
$(tls_server_params server)
route { sl_send_reply(200, "OK"); }
CFG
start_ser "$E2E_TMP/burst.cfg" burst || { fail "ser start"; e2e_finish; }
got=$(timeout 120 python3 "$PEERS" burst "$P" "$CERTS/ca.pem" 500 2>&1)
if [[ "$got" == "500 of 500 answered"* ]]; then
  pass "500 TLS connections opened at once from 127.0.0.1 all completed and were answered ($got)"
else
  fail "burst of 500 TLS connections: $got"
fi
stop_ser
if grep -qE "tls: 500 handshakes done, 0 failed, 0 timed out, 0 send timeouts, [1-9][0-9]* waited" "$E2E_TMP/burst.log"; then
  pass "counters: $(grep -m1 -oE 'tls: [0-9]+ handshakes done.*' "$E2E_TMP/burst.log")"
else
  fail "counters after the burst: $(grep -oE 'tls: .*' "$E2E_TMP/burst.log")"
fi

# 2. 2,000 silent connections from 127.0.0.1 (tcp_max_connections_per_ip raised so that every
#    one is accepted), and a client from 127.0.0.2 meanwhile.
P=$(tls_port)
cat >"$E2E_TMP/silent.cfg" <<CFG
listen = tls:127.0.0.1:$P
children = 1
log_level = 2
tcp_max_connections_per_ip = 4000
tls_handshake_timeout = 3
$(tls_server_params server)
route { sl_send_reply(200, "OK"); }
CFG
start_ser "$E2E_TMP/silent.cfg" silent || { fail "ser start"; e2e_finish; }
READY=$E2E_TMP/silent.ready
timeout 60 python3 "$PEERS" silent "$P" 2000 "$READY" 20 >"$E2E_TMP/silent.out" 2>&1 &
SILENT=$!
E2E_PIDS+=("$SILENT")
for _ in $(seq 1 300); do [ -s "$READY" ] && break; sleep 0.05; done
if [ -s "$READY" ]; then
  got=$(timeout 20 python3 "$PEERS" client "$P" "$CERTS/ca.pem" 127.0.0.2 2>&1)
  held=$(ss -Htn state established "( sport = :$P )" | wc -l)
  if [ "$got" = "SIP/2.0 200 OK" ]; then
    pass "with 2000 silent connections from 127.0.0.1 open ($held held by ser), a TLS client from 127.0.0.2 is served ('$got')"
  else
    fail "client from 127.0.0.2 beside 2000 silent connections: '$got' ($held held by ser)"
  fi
else
  fail "the 2000 silent connections were not all opened: $(cat "$E2E_TMP/silent.out")"
fi
wait "$SILENT"
got=$(cat "$E2E_TMP/silent.out")
# Closed at the deadline (3 s from each accept): not before it, and within a few seconds after.
if [[ "$got" =~ ^2000\ of\ 2000\ closed\ by\ ser,\ after\ ([0-9.]+)\ to\ ([0-9.]+)\ s ]] &&
  awk "BEGIN{exit !(${BASH_REMATCH[1]} >= 2.5 && ${BASH_REMATCH[2]} <= 8.0)}"; then
  pass "silent connections closed at the handshake deadline: $got"
else
  fail "silent connections: $got"
fi
left=$(ss -Htn state established "( sport = :$P )" | wc -l)
[ "$left" -eq 0 ] && pass "no connection left open on ser's side" || fail "$left connections still open on ser's side"
stop_ser
if grep -qE "tls: 1 handshakes done, 0 failed, 2000 timed out" "$E2E_TMP/silent.log"; then
  pass "counters: $(grep -m1 -oE 'tls: [0-9]+ handshakes done.*' "$E2E_TMP/silent.log")"
else
  fail "counters after the silent connections: $(grep -oE 'tls: .*' "$E2E_TMP/silent.log")"
fi
[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser logs (tail)"; tail -5 "$E2E_TMP/burst.log" "$E2E_TMP/silent.log"; }
e2e_finish
