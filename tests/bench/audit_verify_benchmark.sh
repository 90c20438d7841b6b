#!/usr/bin/env bash
# End-to-end `nser audit verify` over a hub whose audit log holds COUNT
# entries (docs/performance.md, "Audit log"): a CA and certificates, the
# hub's audit log pre-filled by `audit_log_bench --fill` (decision entries),
# the hub, an auditor party, then `nser audit verify` timed (it fetches the
# signed checkpoint and every entry over mutual TLS, recomputes the root and
# checks the signature against the pinned key).
#   tests/bench/audit_verify_benchmark.sh 1000000 /tmp/auditbench [BUILD_DIR]
set -euo pipefail
COUNT=${1:-1000000}
WORK=${2:-/tmp/nser-audit-verify-bench}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${3:-$ROOT/build/release}" && pwd)
NSER=$BUILD/bin/nser
FILL=$BUILD/tests/bench/audit_log_bench
PORT=${PORT:-18443}
mkdir -p "$WORK" && cd "$WORK"
rm -rf pki hub-data state
"$NSER" pki init-ca --dir pki/ca >/dev/null
"$NSER" pki issue --ca pki/ca --party hub --server --san 127.0.0.1 --san localhost --out pki/issued >/dev/null
for p in admin auditor; do "$NSER" pki issue --ca pki/ca --party "$p" --client --out pki/issued >/dev/null; done
"$FILL" --fill hub-data/audit "$COUNT"
cat > hub.json <<JSON
{
  "listen": {"address": "127.0.0.1", "port": $PORT},
  "tls": {"certificate": "pki/issued/hub.crt", "private_key": "pki/issued/hub.key",
          "ca_certificate": "pki/ca/ca.crt"},
  "data_directory": "hub-data",
  "linkage": {"schema": "$ROOT/schemas/linkage/nser-person-v1.json",
              "model": "$ROOT/schemas/linkage/nser-person-v1.model.json", "key_epoch": 1},
  "bootstrap_admins": [{"id": "admin", "certificate": "pki/issued/admin.crt"}],
  "log": {"format": "json", "level": "warning", "file": "hub.log"}
}
JSON
"$NSER" hub --config hub.json 2> hub.stderr &
HUB=$!
trap 'kill $HUB 2>/dev/null; wait $HUB 2>/dev/null || true' EXIT
for _ in $(seq 300); do grep -q "listening" hub.stderr 2>/dev/null && break; sleep 0.2; done
conn() { echo --hub "https://127.0.0.1:$PORT" --cert "pki/issued/$1.crt" --key "pki/issued/$1.key" --ca pki/ca/ca.crt; }
"$NSER" admin party add auditor --role auditor --certificate pki/issued/auditor.crt $(conn admin) >/dev/null
"$NSER" audit checkpoint --publish $(conn auditor) >/dev/null
"$NSER" audit key $(conn auditor) > hub.vkey
/usr/bin/time -f "wall_seconds=%e client_cpu_seconds=%U+%S max_rss_kb=%M" \
  "$NSER" audit verify --log-key-file hub.vkey --state state $(conn auditor)
