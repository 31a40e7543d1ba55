#!/usr/bin/env bash
# Makes or rotates a tls_ticket_key_file: session ticket keys shared by several ser nodes.
#
# Usage: tools/make-ticket-keys.sh FILE            make FILE with one new key
#        tools/make-ticket-keys.sh --rotate FILE   put a new key first, keep the previous two
#
# Format (README, "Several nodes as one"): one key a line, the base64 of 80 random bytes
# (16-byte name, 32-byte HMAC secret, 32-byte AES key: nginx's ssl_session_ticket_key layout).
# The first key encrypts new tickets, every key decrypts. The file is written mode 600 beside
# the old one and renamed over it, so a watching ser (tls_reload_on_change) never reads half a
# file. Copy the same file to every node, then reload each (serctl tls reload or SIGHUP).
set -euo pipefail

usage() {
  echo "usage: $0 [--rotate] FILE" >&2
  exit 2
}

rotate=0
if [ "${1:-}" = "--rotate" ]; then
  rotate=1
  shift
fi
[ $# -eq 1 ] || usage
file=$1
keep=2  # previous keys kept by --rotate: tickets they encrypted still resume until then

command -v openssl >/dev/null || { echo "$0: openssl is needed" >&2; exit 1; }
tmp=$(mktemp "$(dirname -- "$file")/.ticket-keys.XXXXXX")
trap 'rm -f -- "$tmp"' EXIT
chmod 600 "$tmp"
{
  echo "# ser tls_ticket_key_file: first key encrypts, all decrypt. Secret: mode 600."
  openssl rand 80 | base64 -w0
  echo
  if [ $rotate -eq 1 ]; then
    [ -f "$file" ] || { echo "$0: --rotate: $file does not exist" >&2; exit 1; }
    grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' -- "$file" | head -n "$keep"
  fi
} >"$tmp"
mv -f -- "$tmp" "$file"
trap - EXIT
