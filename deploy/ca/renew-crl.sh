#!/usr/bin/env bash
# Re-signs CA_DIR/ca.crl with a fresh nextUpdate. Run it (e.g. weekly from a
# timer) well before the current CRL lapses: a hub that checks CRLs refuses
# every client once its CRL has expired.
#
# Usage: deploy/ca/renew-crl.sh CA_DIR [--crl-days N]   (default 30)
# A thin wrapper around `nser pki renew-crl`.
set -euo pipefail
source "$(dirname "$0")/nser-binary.sh"
if [[ $# -lt 1 || "$1" == -* ]]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
ca_dir="$1"
shift
"$NSER" pki renew-crl --ca "$ca_dir" "$@"
