#!/usr/bin/env bash
# One path from text to runtime: every sample config (etc/*.cfg), every golden config of the
# config tests and configs that only the compiler, the TLS checks or the account checks refuse
# are run both ways, `ser -c` and a real start, which must agree: -c passes exactly when ser
# starts, and a config that fails prints the same diagnostics both ways.
# Each config runs in a copy of its directory with its listen sockets (and the TLS domains and
# tls.cfg sections naming them) moved to free loopback ports and its control socket into the
# test's directory; etc/'s certificates (../certs) are made by tools/make-test-certs.sh.
source "$(dirname "$0")/lib.sh"
[ "${SER_TLS:-1}" = ON ] && SER_TLS=1
W="$E2E_TMP/w"
mkdir -p "$W"
if [ "$SER_TLS" = 1 ]; then
  "$SER_SOURCE_DIR/tools/make-test-certs.sh" "$W/certs" 2>"$E2E_TMP/make-certs.log" ||
    { cat "$E2E_TMP/make-certs.log"; fail "tools/make-test-certs.sh"; e2e_finish; }
fi

# prepare SRC_DIR NAME: copies SRC_DIR to $W/NAME and rewrites the configs in it together.
prepare() {
  cp -r "$1" "$W/$2"
  rewrite "$W/$2"/*.cfg "$W/$2"/*.inc
}

# rewrite FILE...: listen addresses -> 127.0.0.1:FREE_PORT (one port per original address and
# port across the files, so duplicates stay duplicates), the same in tls_domain[...] and
# tls.cfg sections; ctl_socket -> a unix socket in the test's directory.
rewrite() {
  local ports
  ports=$(for _ in $(seq 1 8); do free_port; done | tr '\n' ' ')
  python3 - "$W" "$ports" "$@" <<'PY'
import os, re, sys
work, free, paths = sys.argv[1], sys.argv[2].split(), [p for p in sys.argv[3:] if os.path.exists(p)]
texts = {p: open(p).read() for p in paths}
ports = {}
def listen(m):
    proto, host, port = m.group(2), m.group(3), m.group(4)
    port = port or ("5061" if proto.lower() == "tls" else "5060")
    new = ports.setdefault((host.lower(), port), free[len(ports) % len(free)])
    return "%s%s:127.0.0.1:%s" % (m.group(1), proto, new)
def domain(m):
    key = (m.group(2).lower(), m.group(3))
    return "%s127.0.0.1:%s" % (m.group(1), ports[key]) if key in ports else m.group(0)
for p in paths:
    texts[p] = re.sub(r"(\blisten\s*=\s*)(udp|tcp|tls)\s*:\s*(\[[^\]]*\]|[0-9.A-Za-z-]+)(?::(\d+))?",
                      listen, texts[p], flags=re.I)
for i, p in enumerate(paths):
    t = re.sub(r"(tls_(?:client_)?domain\[|\[(?:server|client):)(\[[^\]]*\]|[0-9.]+):(\d+)",
               domain, texts[p])
    ctl = "unix:%s/ctl%d-%d.sock" % (work, os.getpid(), i)
    if re.search(r"^\s*ctl_socket\s*=", t, flags=re.M):
        t = re.sub(r"(ctl_socket\s*=\s*)\"[^\"]*\"", r'\1"%s"' % ctl, t)
    elif re.search(r"^\s*(listen|route)\b", t, flags=re.M) and p.endswith(".cfg"):
        t = 'ctl_socket = "%s"\n' % ctl + t
    open(p, "w").write(t)
PY
}

# both_ways NAME CFG: `ser -c` and a start (pid file = ready) must agree.
both_ways() {
  local name=$1 cfg=$2 crc rc started=0 pid
  local out="$E2E_TMP/${name//\//_}"
  "$SER_BIN" -c -f "$cfg" >"$out.c.out" 2>"$out.c.err"
  crc=$?
  "$SER_BIN" -f "$cfg" -D -E -P "$out.pid" >"$out.start.out" 2>"$out.start.err" &
  pid=$!
  E2E_PIDS+=("$pid")
  for _ in $(seq 1 100); do
    [ -s "$out.pid" ] && { started=1; break; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ "$started" = 1 ] && kill -TERM "$pid"
  wait "$pid"
  rc=$?
  if [ "$crc" = 0 ] && [ "$started" = 1 ]; then
    pass "$name: passes -c and starts"
  elif [ "$crc" = 1 ] && [ "$started" = 0 ] && [ "$rc" = 1 ] && cmp -s "$out.c.err" "$out.start.err"; then
    pass "$name: fails -c and the start, same diagnostics ($(grep -c ': error: ' "$out.c.err") errors)"
  else
    fail "$name: -c exit $crc, start $([ $started = 1 ] && echo started || echo "exit $rc")"
    diff "$out.c.err" "$out.start.err" | head -20
  fi
}

prepare "$SER_SOURCE_DIR/etc" etc
for f in "$W"/etc/*.cfg; do
  # tls.cfg is the INI file ser-tlscfg.cfg reads, not a ser.cfg.
  [ "$(basename "$f")" = tls.cfg ] || both_ways "etc/$(basename "$f")" "$f"
done
prepare "$SER_SOURCE_DIR/tests/unit/cfg/golden" golden
for f in "$W"/golden/*.cfg; do both_ways "golden/$(basename "$f")" "$f"; done

# Configs the route compiler alone refused before both ways used it (-c passed them).
mkdir -p "$W/more"
fixture() {
  printf '%b' "$2" >"$W/more/$1.cfg"
  rewrite "$W/more/$1.cfg"
  both_ways "$1" "$W/more/$1.cfg"
}
fixture plain 'listen = udp:127.0.0.1:5060\nroute { forward(uri:host, uri:port); }\n'
fixture rewritehost_field 'listen = udp:127.0.0.1:5060\nroute {\n    rewritehost(uri:host);\n}\n'
fixture unknown_route 'listen = udp:127.0.0.1:5060\nroute {\n    route(nosuch);\n}\n'
fixture bad_regex 'listen = udp:127.0.0.1:5060\nroute {\n    if (uri =~ "sip:(") { drop; }\n}\n'
fixture no_such_user 'listen = udp:127.0.0.1:5060\nuser = "no-such-user-ser"\n'
if [ "$SER_TLS" = 1 ]; then
  C="$W/certs"
  tls_fixture() {
    fixture "$1" "listen = tls:127.0.0.1:5061\ntls_certificate = \"$C/$2.pem\"\ntls_private_key = \"$C/$3.key\"\ntls_ca_list = \"$C/ca.pem\"\n"
  }
  tls_fixture tls_good server server
  tls_fixture tls_missing_cert nonexistent server
  tls_fixture tls_key_mismatch server-mismatch server-mismatch
  tls_fixture tls_other_key server server-ec
  tls_fixture tls_expired server-expired server-expired
fi

# What changed: before, -c never compiled the script, so this one passed -c and then failed.
if grep -q "rewritehost() argument 1 (host) must be a host name or an address, found .uri:host." "$E2E_TMP/rewritehost_field.c.err"; then
  pass "-c reports the compiler's error for rewritehost(uri:host)"
else
  fail "-c does not report rewritehost(uri:host)"; cat "$E2E_TMP/rewritehost_field.c.err"
fi
# What serctl cfg shows of a running ser: the values in effect, as ser.cfg spells them.
SERCTL="${SER_BINARY_DIR:-$(dirname "$SER_BIN")}/serctl"
if [ -x "$SERCTL" ]; then
  printf 'listen = udp:127.0.0.1:5060\nlisten = tcp:127.0.0.1:5062\nchildren = 3\ntcp_connect_timeout = 1500ms\n' >"$W/more/cfg.cfg"
  rewrite "$W/more/cfg.cfg"
  ctl=$(sed -n 's/^ctl_socket = "\(.*\)"$/\1/p' "$W/more/cfg.cfg")
  if start_ser "$W/more/cfg.cfg" cfg && "$SERCTL" -s "$ctl" cfg >"$E2E_TMP/serctl-cfg.out" 2>&1; then
    out=$(tr -s ' ' <"$E2E_TMP/serctl-cfg.out")
    if grep -qx 'children 3' <<<"$out" && grep -qx 'tcp_connect_timeout 1500ms' <<<"$out" &&
      grep -qx 'max_message_size 65535' <<<"$out" && grep -q '^listen udp:127.0.0.1:' <<<"$out" &&
      grep -q '^listen tcp:127.0.0.1:' <<<"$out"; then
      pass "serctl cfg shows the parameters in effect (set ones, defaults, every listen)"
    else
      fail "serctl cfg output"; cat "$E2E_TMP/serctl-cfg.out"
    fi
  else
    fail "serctl cfg against a running ser"; cat "$E2E_TMP/serctl-cfg.out" "$E2E_TMP/cfg.log" 2>/dev/null
  fi
fi
e2e_finish
