#!/usr/bin/env bash
# Creates the deployment's certificate authority in CA_DIR (see README.md):
# ca.key (0600; keep it offline), ca.crt (give to every party and the hub),
# ca.crl (give to the hub), index.tsv (what was issued).
#
# Usage: deploy/ca/init-ca.sh CA_DIR [--name NAME] [--days N] [--crl-days N]
#   defaults: --name "NSER Hub CA", --days 3650, --crl-days 30
# A thin wrapper around `nser pki init-ca`; refuses to replace an existing CA.
set -euo pipefail
source "$(dirname "$0")/nser-binary.sh"
if [[ $# -lt 1 || "$1" == -* ]]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
ca_dir="$1"
shift
umask 077  # the directory holds the CA key: owner only
mkdir -p "$ca_dir"
"$NSER" pki init-ca --dir "$ca_dir" "$@"
echo "next: deploy/ca/issue.sh $ca_dir hub --server --san <hub host name>" >&2
