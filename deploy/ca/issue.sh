#!/usr/bin/env bash
# Issues a party certificate from the CA in CA_DIR and prints its SHA-256
# fingerprint, which an admin then binds to the party at the hub
# (`nser admin party ...`, see README.md).
#
# Usage: deploy/ca/issue.sh CA_DIR PARTY_ID (--server | --client | --server --client)
#                           [--san NAME]... [--out DIR] [--days N] [--force]
#   PARTY_ID: lowercase letters, digits, '-' and '.', 1 to 64 characters
#   --out defaults to CA_DIR/../issued/PARTY_ID; writes PARTY_ID.key (0600) and PARTY_ID.crt
# A thin wrapper around `nser pki issue`; refuses to overwrite without --force.
set -euo pipefail
source "$(dirname "$0")/nser-binary.sh"
if [[ $# -lt 3 || "$1" == -* || "$2" == -* ]]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
ca_dir="$1"
party="$2"
shift 2
out=""
args=()
while [[ $# -gt 0 ]]; do
  if [[ "$1" == "--out" && $# -ge 2 ]]; then
    out="$2"
    shift 2
  else
    args+=("$1")
    shift
  fi
done
[[ -n "$out" ]] || out="$(dirname "$ca_dir")/issued/$party"
umask 077
"$NSER" pki issue --ca "$ca_dir" --party "$party" --out "$out" "${args[@]}"
