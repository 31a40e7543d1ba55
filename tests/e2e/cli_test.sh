#!/usr/bin/env bash
# End-to-end: the built `ser` binary's command line and `-c` config check.
# Env (set by CTest): SER_BIN (the ser binary), SER_SOURCE_DIR (source tree), SER_TLS (1/0).
# Prints PASS/FAIL per check; exits non-zero when any check failed. Every run is bounded by
# `timeout`, nothing listens on a socket.
set -u

SER_BIN=${SER_BIN:?SER_BIN must point at the ser binary}
SER_SOURCE_DIR=${SER_SOURCE_DIR:?SER_SOURCE_DIR must point at the source tree}
SER_TLS=${SER_TLS:-1}
[ "$SER_TLS" = ON ] && SER_TLS=1
[ "$SER_TLS" = OFF ] && SER_TLS=0

work=$(mktemp -d "${TMPDIR:-/tmp}/ser-cli-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0

# run ARGS...: runs ser with a time limit; sets $rc, $out (stdout), $err (stderr).
run() {
  timeout 20 "$SER_BIN" "$@" >"$work/out" 2>"$work/err"
  rc=$?
  out=$(cat "$work/out")
  err=$(cat "$work/err")
}

# check NAME CONDITION...: PASS when the command succeeds, else FAIL with what ser printed.
check() {
  local name=$1
  shift
  if "$@"; then
    echo "PASS: $name"
  else
    echo "FAIL: $name (exit $rc)"
    printf '  stdout: %s\n' "$out" | head -20
    printf '  stderr: %s\n' "$err" | head -20
    failures=$((failures + 1))
  fi
}

has() { grep -qF -- "$2" <<<"$1"; }
has_re() { grep -qE -- "$2" <<<"$1"; }

cd "$SER_SOURCE_DIR" || exit 1

# ---- the sample configurations ----
# A copy of etc/ with the test PKI beside it, where the samples look for it (../certs).
mkdir -p "$work/sample/etc"
cp etc/*.cfg "$work/sample/etc/"
"$SER_SOURCE_DIR/tools/make-test-certs.sh" "$work/sample/certs" 2>/dev/null
if [ "$SER_TLS" = 1 ]; then
  run -c -f "$work/sample/etc/ser.cfg"
  check "ser -c -f etc/ser.cfg exits 0 with a summary" \
    eval '[ $rc -eq 0 ] && has "$out" "configuration OK" && has "$out" "tls:127.0.0.1:5061" &&
          has "$out" "server  127.0.0.1:5061" && has "$out" "TLSv1.2+"'

  run -c -f "$work/sample/etc/ser-tlscfg.cfg"
  check "ser -c -f etc/ser-tlscfg.cfg (domains from tls.cfg) exits 0" \
    eval '[ $rc -eq 0 ] && has "$out" "client  127.0.0.1:5071  localhost"'

  run -c -f "$work/sample/etc/ser.cfg" -l udp:127.0.0.1:5070 -n 3
  check "-l adds a listener shown by -c" \
    eval '[ $rc -eq 0 ] && has "$out" "udp:127.0.0.1:5070"'

  # The TLS files are checked by -c: no certificates where the sample expects them.
  rm -rf "$work/nocerts" && mkdir -p "$work/nocerts/etc" && cp etc/ser.cfg "$work/nocerts/etc/"
  run -c -f "$work/nocerts/etc/ser.cfg"
  check "-c reports a missing certificate naming the domain and the parameter" \
    eval '[ $rc -eq 1 ] && has_re "$err" "ser.cfg:[0-9]+:[0-9]+: error: .*tls_certificate" &&
          has "$err" "server.pem"'

  # A key that does not match its certificate.
  sed -e 's#"../certs/server.key"#"../certs/server-mismatch.key"#' "$work/sample/etc/ser.cfg" \
    >"$work/sample/etc/mismatch.cfg"
  run -c -f "$work/sample/etc/mismatch.cfg"
  check "-c reports a key that does not match its certificate" \
    eval '[ $rc -eq 1 ] && has_re "$err" "mismatch.cfg:[0-9]+:[0-9]+: error: .*(does not match|mismatch)"'
else
  run -c -f etc/ser.cfg
  check "TLS=0: etc/ser.cfg (listen=tls) is refused with 'built without TLS'" \
    eval '[ $rc -eq 1 ] && has "$err" "built without TLS"'
fi

# ---- a config with errors: exit 1 and file:line:col ----
cat >"$work/bad.cfg" <<'EOF'
listen = udp:127.0.0.1:5060
childern = 4
route {
    sl_send_reply(404);
}
EOF
run -c -f "$work/bad.cfg"
check "a config with errors exits 1 with file:line:col: error:" \
  eval '[ $rc -eq 1 ] && has_re "$err" "^$work/bad.cfg:2:1: error: .*did you mean .children." &&
        has_re "$err" "^$work/bad.cfg:4:[0-9]+: error: " && [ -z "$out" ]'

run -c -f "$work/missing.cfg"
check "a missing config file exits 1" eval '[ $rc -eq 1 ] && has "$err" "missing.cfg"'

# ---- TLS listeners without TLS support ----
printf 'listen = tls:127.0.0.1:5061\ntls_certificate = "sample/certs/server.pem"\ntls_private_key = "sample/certs/server.key"\n' >"$work/tls.cfg"
run -c -f "$work/tls.cfg"
if [ "$SER_TLS" = 1 ]; then
  check "listen=tls is accepted when built with TLS" \
    eval '[ $rc -eq 0 ] && has "$out" "configuration OK"'
else
  check "TLS=0: listen=tls exits 1 with 'built without TLS'" \
    eval '[ $rc -eq 1 ] && has_re "$err" "tls.cfg:1:[0-9]+: error: .*built without TLS"'
  printf 'listen = udp:127.0.0.1:5060\n' >"$work/udp.cfg"
  run -c -f "$work/udp.cfg" -l tls:127.0.0.1:5061
  check "TLS=0: -l tls:... is a usage error" \
    eval '[ $rc -eq 2 ] && has "$err" "built without TLS"'
fi

# ---- usage ----
run -x
check "an unknown flag exits 2 with the usage" \
  eval '[ $rc -eq 2 ] && has "$err" "unrecognised option" && has "$err" "Usage: ser"'

run -n zero -c
check "a bad flag value exits 2" eval '[ $rc -eq 2 ] && has "$err" "option '"'"'-n'"'"'"'

run -c etc/ser.cfg
check "a stray argument exits 2" eval '[ $rc -eq 2 ] && has "$err" "-f FILE"'

run -h
check "-h exits 0 with the usage" eval '[ $rc -eq 0 ] && has "$out" "Usage: ser" && has "$out" "-c"'

run -V
if [ "$SER_TLS" = 1 ]; then
  check "-V exits 0 and names TLS and OpenSSL" \
    eval '[ $rc -eq 0 ] && has "$out" "TLS support: yes" && has "$out" "OpenSSL"'
else
  check "-V exits 0 and says TLS is not built in" \
    eval '[ $rc -eq 0 ] && has "$out" "TLS support: no"'
fi

if [ "$failures" -ne 0 ]; then
  echo "cli_test: $failures check(s) failed"
  exit 1
fi
echo "cli_test: all checks passed"
