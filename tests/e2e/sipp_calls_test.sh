#!/usr/bin/env bash
# sipp UAC -> ser -> sipp UAS: 1000 calls each over UDP->UDP, TCP->TCP, UDP->TCP, TCP->UDP,
# and one over IPv6 loopback. Every call must succeed (sipp exits 0 only then).
source "$(dirname "$0")/lib.sh"
CALLS=${SIPP_CALLS:-1000}

P_UU=$(free_port); P_TT=$(free_port); P_UT=$(free_port); P_TU=$(free_port); P_6=$(free_port)
U_UDP=$(free_port); U_TCP=$(free_port); U_6=$(free_port)

cat >"$E2E_TMP/ser.cfg" <<CFG
listen = udp:127.0.0.1:$P_UU
listen = tcp:127.0.0.1:$P_TT
listen = udp:127.0.0.1:$P_UT
listen = tcp:127.0.0.1:$P_TU
listen = udp:[::1]:$P_6
children = 2
log_level = 1
route {
  if (!mf_process_maxfwd_header(10)) { sl_send_reply(483, "Too Many Hops"); exit; }
  if (af == INET6) { forward_udp("::1", $U_6); exit; }
  if (dst_port == $P_UU || dst_port == $P_TU) { forward_udp("127.0.0.1", $U_UDP); exit; }
  if (dst_port == $P_TT || dst_port == $P_UT) { forward_tcp("127.0.0.1", $U_TCP); exit; }
  sl_send_reply(404, "No Route");
}
CFG

uas() {  # uas NAME IP PORT TRANSPORT
  sipp -sn uas -i "$2" -p "$3" -t "$4" -nostdin -timeout 300s >"$E2E_TMP/$1.out" 2>&1 &
  E2E_PIDS+=("$!")
}
uas uas_udp 127.0.0.1 "$U_UDP" u1
uas uas_tcp 127.0.0.1 "$U_TCP" t1
uas uas_v6 ::1 "$U_6" u1
start_ser "$E2E_TMP/ser.cfg" ser || { fail "ser start"; e2e_finish; }
wait_port "$U_UDP" udp && wait_port "$U_TCP" tcp && wait_port "$U_6" udp ||
  { fail "a sipp UAS did not bind"; tail -3 "$E2E_TMP"/uas_*.out; e2e_finish; }

calls() {  # calls LABEL TRANSPORT IP DEST COUNT
  local label=$1 t=$2 ip=$3 dest=$4 n=$5 start end rc
  start=$(date +%s.%N)
  sipp -sn uac -i "$ip" -t "$t" -m "$n" -r 250 -l 200 -nostdin -timeout 120s -timeout_error \
    -trace_stat -stf "$E2E_TMP/$label.csv" "$dest" >"$E2E_TMP/$label.out" 2>&1
  rc=$?
  end=$(date +%s.%N)
  local secs; secs=$(awk "BEGIN{printf \"%.1f\", $end-$start}")
  if [ "$rc" -eq 0 ]; then
    pass "$label: $n calls successful in ${secs}s"
  else
    fail "$label: sipp exit $rc after ${secs}s"
    tail -20 "$E2E_TMP/$label.out"
  fi
}
calls udp_to_udp u1 127.0.0.1 "127.0.0.1:$P_UU" "$CALLS"
calls tcp_to_tcp t1 127.0.0.1 "127.0.0.1:$P_TT" "$CALLS"
calls udp_to_tcp u1 127.0.0.1 "127.0.0.1:$P_UT" "$CALLS"
calls tcp_to_udp t1 127.0.0.1 "127.0.0.1:$P_TU" "$CALLS"
calls ipv6_udp u1 ::1 "[::1]:$P_6" 1

if grep -qiE "crit|segfault|assert" "$E2E_TMP/ser.log"; then
  fail "ser log has critical lines"; grep -iE "crit|segfault|assert" "$E2E_TMP/ser.log" | head
fi
[ "$E2E_FAILS" -ne 0 ] && { echo "--- ser log (tail)"; tail -30 "$E2E_TMP/ser.log"; }
e2e_finish
