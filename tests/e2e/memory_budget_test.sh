#!/usr/bin/env bash
# A budget that holds (issue #9, DESIGN.md principle 3): ser with a small shared pool (-m) and
# a flood of TLS connections beyond it. A TLS client connected before the flood keeps sending
# OPTIONS and gets every 200; the flood is partly refused by the memory guard (closed at once,
# counted in serctl mem and the metrics, one throttled log line); once the flood's connections
# close, new ones are served again (nothing sticky: kamailio#4777); ser never crashes.
# The peers are python3's ssl module (OpenSSL), on loopback, bounded in count and time.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls_lib.sh"
tls_require_build
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 0; }
require_serctl
tls_make_certs
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"  # ser and the peers inherit it

SHM_MB=${SHM_MB:-16}  # the smallest -m: the contexts fit, a few hundred TLS connections do not
FLOOD=${FLOOD:-4000}  # at most this many connections tried (the flood stops at 100 refused)
P=$(tls_port)
M=$(tls_port)
CTL="$E2E_TMP/ser.ctl"
cat >"$E2E_TMP/ser.cfg" <<CFG
listen = tls:127.0.0.1:$P
children = 2
log_level = 2
ctl_socket = "unix:$CTL"
metrics_listen = 127.0.0.1:$M
tcp_max_connections_per_ip = 8000
tls_max_handshakes_per_ip = 8000
$(tls_server_params server-ec)
route { if (method == "OPTIONS") { sl_send_reply(200, "OK"); exit; } drop; }
CFG
"$SER_BIN" -c -f "$E2E_TMP/ser.cfg" >"$E2E_TMP/check.log" 2>&1 || {
  fail "ser -c: $(cat "$E2E_TMP/check.log")"
  e2e_finish
}
# start_ser with -m: the budget under test.
"$SER_BIN" -f "$E2E_TMP/ser.cfg" -m "$SHM_MB" -D -E -P "$E2E_TMP/ser.pid" >"$E2E_TMP/ser.log" 2>&1 &
SER_PID=$!
E2E_PIDS+=("$SER_PID")
for _ in $(seq 1 100); do [ -s "$E2E_TMP/ser.pid" ] && break; sleep 0.1; done
[ -s "$E2E_TMP/ser.pid" ] || { fail "ser did not start with -m $SHM_MB: $(tail -5 "$E2E_TMP/ser.log")"; e2e_finish; }

FLOODER=$E2E_TMP/flood.py
cat >"$FLOODER" <<'PY'
import json, socket, ssl, subprocess, sys, threading, time, urllib.request

port, ca, serctl, ctl, metrics_port, flood = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
port = int(port)
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
out = {}

def options(n):
    return (f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bKm{n}\r\n"
            f"From: <sip:m@test>;tag={n}\r\nTo: <sip:127.0.0.1>\r\nCall-ID: mem{n}\r\nCSeq: 1 OPTIONS\r\n"
            "Max-Forwards: 5\r\nContent-Length: 0\r\n\r\n").encode()

def answer(s, n):
    s.sendall(options(n))
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = s.recv(4096)
        if not data:
            raise ConnectionError("closed")
        buf += data
    return buf.split(b"\r\n", 1)[0].decode()

def connect(n):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10))
    return s, answer(s, n)

def mem():
    r = subprocess.run([serctl, "-s", "unix:" + ctl, "--json", "mem"], capture_output=True, timeout=20)
    return json.loads(r.stdout) if r.returncode == 0 else {"rc": r.returncode, "err": r.stderr.decode()}

def metric(name):
    text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).read().decode()
    return sum(float(l.split()[-1]) for l in text.splitlines() if l.startswith(name))

# The early client: connected before the flood, an OPTIONS every 20 ms until told to stop.
stop = threading.Event()
early = {"sent": 0, "answered": 0, "errors": []}
def keep_asking(s):
    n = 0
    while not stop.is_set():
        n += 1
        early["sent"] += 1
        try:
            if answer(s, 100000 + n) == "SIP/2.0 200 OK":
                early["answered"] += 1
            else:
                early["errors"].append("not 200")
        except Exception as e:
            early["errors"].append(type(e).__name__ + ": " + str(e))
            return
        time.sleep(0.02)
first, status = connect(0)
out["early_first"] = status
asker = threading.Thread(target=keep_asking, args=(first,))
asker.start()

# The flood: eight threads opening connections and holding them, each answered or refused,
# until 100 have been refused (or `flood` were tried: the budget then held them all).
held, refused, other = [], [0], []
lock = threading.Lock()
def flood_part(k):
    for i in range(k, flood, 8):
        if refused[0] >= 100:
            return
        try:
            s, st = connect(i + 1)
            with lock:
                held.append(s)
        except (ssl.SSLError, ConnectionError, OSError) as e:
            with lock:
                refused[0] += 1
                if not isinstance(e, (ssl.SSLEOFError, ConnectionResetError, ConnectionError, ssl.SSLZeroReturnError)) and len(other) < 3:
                    other.append(type(e).__name__ + ": " + str(e))
start = time.monotonic()
threads = [threading.Thread(target=flood_part, args=(k,)) for k in range(8)]
for t in threads: t.start()
for t in threads: t.join()
out["flood_seconds"] = round(time.monotonic() - start, 1)
out["flood_held"] = len(held)
out["flood_refused"] = refused[0]
out["flood_other_errors"] = other
out["mem_during"] = mem()
out["metric_refused"] = metric('ser_memory_guard_refused_total{kind="inbound"}')

# The flood ends: its connections close; the guard must let newcomers in again by itself.
for s in held:
    s.close()
deadline = time.monotonic() + 15
after = None
while time.monotonic() < deadline:
    try:
        s, after = connect(999999)
        s.close()
        if after == "SIP/2.0 200 OK":
            break
    except Exception as e:
        after = type(e).__name__
    time.sleep(0.2)
out["after_flood"] = after
out["mem_after"] = mem()
stop.set()
asker.join()
out["early"] = {"sent": early["sent"], "answered": early["answered"], "errors": early["errors"][:3]}
print(json.dumps(out))
PY

if ! got=$(timeout 90 python3 "$FLOODER" "$P" "$CERTS/ca.pem" "$SERCTL" "$CTL" "$M" "$FLOOD" 2>"$E2E_TMP/flood.err"); then
  fail "the flood did not finish: $(tail -5 "$E2E_TMP/flood.err")"
  e2e_finish
fi
echo "$got" >"$E2E_TMP/flood.json"
# check EXPR MESSAGE: EXPR (python, over the flood's result `j`) is true.
check() {
  if python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$E2E_TMP/flood.json"; then
    pass "$2"
  else
    fail "$2: $(cat "$E2E_TMP/flood.json")"
  fi
}
field() { json_field "$1" "$E2E_TMP/flood.json"; }
echo "flood: $(field flood_held) held, $(field flood_refused) refused in $(field flood_seconds) s; shm $(field mem_during.pools.0.in_use) of $(field mem_during.pools.0.budget) bytes, $(field mem_during.avg_tls_connection_bytes) per TLS connection"
check 'j["early_first"] == "SIP/2.0 200 OK"' "the early client is served before the flood"
check 'j["flood_refused"] > 0 and j["flood_held"] > 0' "the flood is partly refused ($(field flood_refused) refused, $(field flood_held) held)"
check 'not j["flood_other_errors"]' "refused connections are closed at once (no other error: $(field flood_other_errors))"
check 'j["mem_during"]["guard"]["refused_connections"] == j["flood_refused"]' "serctl mem counts every refusal ($(field mem_during.guard.refused_connections))"
check 'j["metric_refused"] == j["flood_refused"]' "the metrics endpoint counts them too ($(field metric_refused))"
check 'j["mem_during"]["pools"][0]["in_use"] <= j["mem_during"]["pools"][0]["budget"]' "shm stayed within -m $SHM_MB"
check 'j["mem_during"]["tls_connections"] == j["flood_held"] + 1' "serctl mem shows the live TLS connections"
check 'j["early"]["sent"] > 5 and j["early"]["answered"] == j["early"]["sent"] and not j["early"]["errors"]' \
  "the early client got every answer during the flood ($(field early))"
check 'j["after_flood"] == "SIP/2.0 200 OK"' "after the flood a new connection is served again"
check 'not j["mem_after"]["guard"]["refusing"]' "the guard is no longer refusing"
n=$(grep -c "refused: the shared memory budget is nearly spent" "$E2E_TMP/ser.log")
if [ "$n" -ge 1 ] && [ "$n" -le 4 ]; then
  pass "the refusals are logged in $n throttled line(s): $(grep -m1 -o "tls connection from.*" "$E2E_TMP/ser.log" | cut -c1-160)"
else
  fail "$n refusal lines in the log"
fi
if kill -0 "$SER_PID" 2>/dev/null; then pass "ser is still running"; else fail "ser died: $(tail -5 "$E2E_TMP/ser.log")"; fi
stop_ser
# The rest are summed up in the throttle's line (within 10 s of the first, or at the stop).
if log_has "connections refused by the shared memory guard: and [0-9,]+ more in the last [0-9]+ s"; then
  pass "the refusals not logged one by one are counted: $(grep -m1 -o "connections refused by the shared memory guard: .*" "$E2E_TMP/ser.log")"
else
  fail "no summary of the refusals held back"
fi
if grep -q "stopped:" "$E2E_TMP/ser.log" && ! grep -qiE "sanitizer|terminate|abort" "$E2E_TMP/ser.log"; then
  pass "ser stopped cleanly"
else
  fail "ser's stop: $(tail -5 "$E2E_TMP/ser.log")"
fi
# The stop log at debug level: one line per pool with its figures.
sed -i 's/^log_level = 2$/log_level = 4/' "$E2E_TMP/ser.cfg"
start_ser "$E2E_TMP/ser.cfg" debug || { fail "ser start (debug)"; e2e_finish; }
stop_ser
if log_has "memory: pool shm: [0-9]+ bytes in use, peak [0-9]+, budget [0-9]+, [0-9]+ allocations, [0-9]+ failures" "$E2E_TMP/debug.log" &&
  log_has "memory: pool pkg 1: " "$E2E_TMP/debug.log" && log_has "memory: openssl [0-9]+ and libevent" "$E2E_TMP/debug.log"; then
  pass "the stop log has each pool's figures at debug level"
else
  fail "stop log at debug: $(grep "memory:" "$E2E_TMP/debug.log")"
fi
[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -20 "$E2E_TMP/ser.log"; }
e2e_finish
