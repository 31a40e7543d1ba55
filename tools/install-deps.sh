#!/usr/bin/env bash
# Installs what building and testing ser needs, from Debian's packages.
# Called by the Makefile when a dependency is missing; safe to run again.
# Usage: tools/install-deps.sh [build|test|fuzz|bench]
#   test = build + the peers e2e tests run; fuzz = build + clang, libFuzzer and the sanitizer
#   runtimes (libclang-rt) and llvm-symbolizer for `make fuzz`; bench = build + what `make bench`
#   runs beside ser: Kamailio with its TLS module, sipp, openssl s_server, python3.
set -euo pipefail

want=${1:-build}
build_pkgs=(g++ make cmake pkg-config libssl-dev openssl libevent-dev libinih-dev
            libboost-program-options-dev libgtest-dev googletest
            nlohmann-json3-dev libsystemd-dev libmimalloc-dev libc-ares-dev)
# kamailio: the interop tests start their own on loopback ports (tests/e2e/kamailio_lib.sh);
# the package's system service is never used.
test_pkgs=(sip-tester iproute2 procps testssl.sh bsdextrautils python3 prometheus python3-dnslib
           kamailio kamailio-tls-modules)
fuzz_pkgs=(clang libclang-rt-dev llvm)
# make bench starts its own Kamailio too (tests/bench/run_bench.py), never the package's service.
bench_pkgs=(kamailio kamailio-tls-modules sip-tester openssl python3 procps coreutils git)

pkgs=("${build_pkgs[@]}")
[ "$want" = test ] && pkgs+=("${test_pkgs[@]}")
[ "$want" = fuzz ] && pkgs+=("${fuzz_pkgs[@]}")
[ "$want" = bench ] && pkgs+=("${bench_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
