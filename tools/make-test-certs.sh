#!/usr/bin/env bash
# Makes a test PKI for ser: a root CA, an intermediate CA, server and client certificates,
# and the bad certificates tests need. For tests and labs only: keys are unencrypted.
#
# Usage: tools/make-test-certs.sh [OUTDIR]     (default: certs/)
#
# OUTDIR afterwards holds (certificate files are PEM chains: leaf first, then the
# intermediate, no root; keys are mode 600):
#   ca.pem                 the root CA: what peers trust (tls_ca_list)
#   ca-chain.pem           intermediate + root
#   server.pem/.key        RSA-2048, CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1
#   server-rsa3072.pem/.key, server-ec.pem/.key (ECDSA P-256), same names
#   server2.pem/.key       CN=sip2.test, SAN DNS:sip2.test, IP:127.0.0.2 (a second domain)
#   sni.pem/.key           CN=sni.test, SAN DNS:sni.test, DNS:*.sni.test (chosen by SNI)
#   client.pem/.key        a good client certificate (CN=client.test)
#   client-localhost.pem/.key a client certificate for DNS:localhost (a peer's Via sent-by)
#   client-expired.pem/.key   expired in 2020
#   client-revoked.pem/.key   revoked: listed in crl.pem
#   client-other-ca.pem/.key  from another CA (other-ca.pem), untrusted by ca.pem
#   server-wrong-name.pem/.key  SAN DNS:wrong.example.net only
#   server-expired.pem/.key     expired in 2020
#   server-soon.pem/.key        expires in 10 days
#   server-mismatch.pem/.key    the key does not belong to the certificate
#   RFC 5922 §7 name rules, for the peer name sip.example.net:
#   server-uri-san.pem/.key     SAN URI:sip:sip.example.net only (CN=URI SAN only)
#   server-wildcard.pem/.key    CN=*.example.net, SAN DNS:*.example.net
#   server-cn-only.pem/.key     CN=sip.example.net, no subjectAltName at all
#   server-uri-other.pem/.key   CN=sip.example.net, SAN URI:sip:other.example.net
#   server-dns-other.pem/.key   CN=sip.example.net, SAN DNS:other.example.net
#   other-ca.pem           the other root CA
#   crl.pem                CRLs of the root and the intermediate (client-revoked revoked)
#   dh2048.pem             is not made: ser has RFC 7919 ffdhe2048 built in
set -euo pipefail

out=${1:-certs}
here=$(cd "$(dirname "$0")" && pwd)
cnf="$here/openssl/ca.cnf"
command -v openssl >/dev/null || { echo "make-test-certs: openssl not found (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
work="$out/.ca"
rm -rf "$work"
mkdir -p "$work"
umask 077

log() { printf 'make-test-certs: %s\n' "$*" >&2; }
ossl() { openssl "$@" 2>"$work/last.err" || { cat "$work/last.err" >&2; exit 1; }; }

# new_ca DIR CN [PARENT_DIR]: a CA folder; self-signed root without parent.
new_ca() {
  local dir=$1 cn=$2 parent=${3:-}
  mkdir -p "$dir/newcerts"
  : >"$dir/index.txt"
  echo 1000 >"$dir/serial"
  echo 1000 >"$dir/crlnumber"
  ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$dir/ca.key"
  if [ -z "$parent" ]; then
    CA_DIR=$dir ossl req -config "$cnf" -new -x509 -key "$dir/ca.key" -subj "/CN=$cn" \
      -days 3650 -extensions v3_root -out "$dir/ca.pem"
  else
    CA_DIR=$dir ossl req -config "$cnf" -new -key "$dir/ca.key" -subj "/CN=$cn" -out "$dir/ca.csr"
    CA_DIR=$parent ossl ca -config "$cnf" -name root_ca -batch -notext -extensions v3_intermediate \
      -in "$dir/ca.csr" -out "$dir/ca.pem"
  fi
}

# new_key FILE KIND: rsa2048 | rsa3072 | ec
new_key() {
  case $2 in
    rsa2048) ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" ;;
    rsa3072) ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$1" ;;
    ec) ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
  esac
}

# leaf NAME CN SAN EXT KIND CA_DIR [ca options...]: key + certificate chain in $out.
leaf() {
  local name=$1 cn=$2 san=$3 ext=$4 kind=$5 ca=$6
  shift 6
  new_key "$out/$name.key" "$kind"
  CA_DIR=$ca SAN=$san ossl req -config "$cnf" -new -key "$out/$name.key" -subj "/CN=$cn" \
    -out "$work/$name.csr"
  CA_DIR=$ca SAN=$san ossl ca -config "$cnf" -name intermediate_ca -batch -notext \
    -extensions "$ext" "$@" -in "$work/$name.csr" -out "$work/$name.crt"
  local chain=$ca/ca.pem
  [ -f "$ca/parent.pem" ] || chain=/dev/null
  cat "$work/$name.crt" "$chain" >"$out/$name.pem"
}

log "root and intermediate CA"
new_ca "$work/root" "ser Test Root CA"
new_ca "$work/inter" "ser Test Intermediate CA" "$work/root"
cp "$work/root/ca.pem" "$work/inter/parent.pem"
new_ca "$work/other" "Other Test Root CA"
cp "$work/root/ca.pem" "$out/ca.pem"
cat "$work/inter/ca.pem" "$work/root/ca.pem" >"$out/ca-chain.pem"
cp "$work/other/ca.pem" "$out/other-ca.pem"

local_san="DNS:localhost,IP:127.0.0.1,IP:::1"
log "server certificates"
leaf server localhost "$local_san" v3_server rsa2048 "$work/inter"
leaf server-rsa3072 localhost "$local_san" v3_server rsa3072 "$work/inter"
leaf server-ec localhost "$local_san" v3_server ec "$work/inter"
leaf server2 sip2.test "DNS:sip2.test,IP:127.0.0.2" v3_server rsa2048 "$work/inter"
leaf sni sni.test "DNS:sni.test,DNS:*.sni.test" v3_server ec "$work/inter"

log "client certificates"
leaf client client.test "DNS:client.test" v3_client ec "$work/inter"
leaf client-revoked revoked.test "DNS:revoked.test" v3_client ec "$work/inter"
leaf client-localhost localhost "DNS:localhost" v3_client ec "$work/inter"

log "bad certificates"
leaf client-expired expired.test "DNS:expired.test" v3_client ec "$work/inter" \
  -startdate 20200101000000Z -enddate 20200201000000Z
leaf server-expired localhost "$local_san" v3_server ec "$work/inter" \
  -startdate 20200101000000Z -enddate 20200201000000Z
leaf server-soon localhost "$local_san" v3_server ec "$work/inter" -days 10
leaf server-wrong-name wrong.example.net "DNS:wrong.example.net" v3_server ec "$work/inter"
leaf client-other-ca client.other "DNS:client.other" v3_client ec "$work/other"
leaf server-mismatch localhost "$local_san" v3_server ec "$work/inter"
new_key "$out/server-mismatch.key" ec

log "peer name certificates (RFC 5922)"
leaf server-uri-san "URI SAN only" "URI:sip:sip.example.net" v3_server ec "$work/inter"
leaf server-wildcard "*.example.net" "DNS:*.example.net" v3_server ec "$work/inter"
leaf server-cn-only sip.example.net "" v3_server_nosan ec "$work/inter"
leaf server-uri-other sip.example.net "URI:sip:other.example.net" v3_server ec "$work/inter"
leaf server-dns-other sip.example.net "DNS:other.example.net" v3_server ec "$work/inter"

log "revocation list"
CA_DIR=$work/inter ossl ca -config "$cnf" -name intermediate_ca -revoke "$work/client-revoked.crt"
CA_DIR=$work/inter ossl ca -config "$cnf" -name intermediate_ca -gencrl -out "$work/inter.crl"
CA_DIR=$work/root ossl ca -config "$cnf" -name root_ca -gencrl -out "$work/root.crl"
cat "$work/inter.crl" "$work/root.crl" >"$out/crl.pem"

chmod 644 "$out"/*.pem
chmod 600 "$out"/*.key
log "done: $out (trust anchor: $out/ca.pem)"
