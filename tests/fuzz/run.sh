#!/usr/bin/env bash
# Runs each libFuzzer target of BUILD_DIR for SECONDS and prints its final figures.
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS TARGET...   (`make fuzz` calls it)
#
# The working corpus of a target is BUILD_DIR/corpus/TARGET (kept between runs, grown by
# libFuzzer); the committed seeds (tests/fuzz/corpus/TARGET) and crash regressions
# (tests/fuzz/regressions/TARGET) are read too. A crash leaves its input in
# BUILD_DIR/artifacts/TARGET/ and fails the run: fix it, then commit the input under
# tests/fuzz/regressions/TARGET/ so that the replay test (ctest -R fuzz) keeps it fixed.
set -uo pipefail
build=$1 seconds=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
failed=()
summary=()
for t in "$@"; do
  bin="$build/${t}_fuzz"
  [ -x "$bin" ] || { echo "fuzz: $bin not built" >&2; failed+=("$t"); continue; }
  work="$build/corpus/$t" art="$build/artifacts/$t"
  mkdir -p "$work" "$art"
  dict=()
  [ -f "$src/$t.dict" ] && dict=(-dict="$src/$t.dict")
  case $t in  # seeds kept elsewhere in the tree (CMakeLists.txt replays the same ones)
    cfg_parser) cp "$src"/../../etc/*.cfg "$src"/../unit/cfg/golden/*.cfg "$work"/ ;;
    tls_ini) cp "$src"/../../etc/tls.cfg "$work"/ ;;
  esac
  seeds=()
  for d in "$src/corpus/$t" "$src/regressions/$t"; do [ -d "$d" ] && seeds+=("$d"); done
  echo "== $t: ${seconds}s"
  log="$build/$t.log"
  # SER_FUZZ_SEED_DIR: targets that capture seeds at start (tls_engine) write them there.
  SER_FUZZ_SEED_DIR="$work" "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=25 \
    -rss_limit_mb=2048 -max_len=8192 -artifact_prefix="$art/" "${dict[@]}" "$work" "${seeds[@]}" \
    >"$log" 2>&1
  rc=$?
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
  execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$')
  cov=$(echo "$done_line" | grep -oE 'cov: [0-9]+' | grep -oE '[0-9]+')
  ft=$(echo "$done_line" | grep -oE 'ft: [0-9]+' | grep -oE '[0-9]+')
  corp=$(echo "$done_line" | grep -oE 'corp: [0-9]+' | grep -oE '[0-9]+')
  grep -E '^(stat::|#[0-9]+[[:space:]]+DONE)' "$log"
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $t FAILED (exit $rc); the report:"
    grep -E -A40 '==ERROR|check failed|runtime error|ERROR: libFuzzer' "$log" | head -80
    ls "$art"
    failed+=("$t")
    summary+=("$t: CRASH (see $log, input in $art/)")
  else
    summary+=("$t: ${execs:-?} executions in ${seconds}s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}")
  fi
done
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
[ ${#failed[@]} -eq 0 ]
