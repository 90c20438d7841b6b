#!/usr/bin/env bash
# Revokes a party certificate and re-signs CA_DIR/ca.crl. Then: copy ca.crl
# to the hub (its tls.crl_file) and restart or reload it, and unbind the
# fingerprint at the hub, which takes effect at once (README.md).
#
# Usage: deploy/ca/revoke.sh CA_DIR (CERT_FILE | --serial HEX) [--crl-days N]
# A thin wrapper around `nser pki revoke`.
set -euo pipefail
source "$(dirname "$0")/nser-binary.sh"
if [[ $# -lt 2 || "$1" == -* ]]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
ca_dir="$1"
shift
if [[ "$1" == "--serial" ]]; then
  "$NSER" pki revoke --ca "$ca_dir" "$@"
else
  cert="$1"
  shift
  "$NSER" pki revoke --ca "$ca_dir" --cert "$cert" "$@"
fi
echo "next: install $ca_dir/ca.crl on the hub and unbind the fingerprint above" >&2
