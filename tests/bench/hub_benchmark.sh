#!/usr/bin/env bash
# Hub throughput benchmark (docs/performance.md, "Hub"): a real hub process over
# mutual TLS on loopback, loaded by `nser bench hub-ingest` / `hub-search`.
#
#   tests/bench/hub_benchmark.sh [PEOPLE] [WORKDIR]
#
# 1. `nser synth --people PEOPLE` (NSER plus the default programme sources) and
#    `nser encode` of the NSER and Punjab sources with one secret (the
#    connectors' part, done up front so the hub is measured alone);
# 2. a test CA, certificates, a hub configuration; the hub is started;
# 3. preload: NSER's records are ingested (the hub then holds about PEOPLE
#    entities) - reported as "preload";
# 4. measured ingest: Punjab's records, which link to the held entities;
# 5. search: DCI searches for Punjab records from 8 connections for 20 s.
# Besides wall-clock rates it reports the hub's own CPU seconds per phase, a
# steadier figure on a shared machine.
# Needs the release build (build/release/bin/nser or $NSER_BINARY).
set -euo pipefail
PEOPLE=${1:-100000}
WORK=${2:-/tmp/nser-hub-bench-$PEOPLE}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NSER=${NSER_BINARY:-$ROOT/build/release/bin/nser}
PORT=${HUB_PORT:-18443}
mkdir -p "$WORK"
cd "$WORK"

if [ ! -f data/nser.enc ]; then
  "$NSER" synth --people "$PEOPLE" --seed 42 --out data >/dev/null
  head -c 32 /dev/urandom | base64 > data/secret.key && chmod 600 data/secret.key
  for s in nser punjab; do
    "$NSER" encode --schema "$ROOT/schemas/linkage/nser-person-v1.json" --secret-file data/secret.key \
      --out "data/$s.enc" "data/$s.csv" 2>/dev/null
  done
fi
rm -rf pki hub-data
"$NSER" pki init-ca --dir pki/ca >/dev/null
"$NSER" pki issue --ca pki/ca --party hub --server --san 127.0.0.1 --san localhost --out pki/issued >/dev/null
for p in admin nser punjab; do "$NSER" pki issue --ca pki/ca --party "$p" --client --out pki/issued >/dev/null; done
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
for _ in $(seq 100); do grep -q "listening" hub.stderr 2>/dev/null && break; sleep 0.2; done
# CPU seconds (user + system) the hub process has used so far.
hub_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$HUB/stat"; }
conn() { echo --hub "https://127.0.0.1:$PORT" --cert "pki/issued/$1.crt" --key "pki/issued/$1.key" --ca pki/ca/ca.crt; }
for p in nser punjab; do "$NSER" admin party add "$p" --role custodian --certificate "pki/issued/$p.crt" $(conn admin) >/dev/null; done

echo "== preload: NSER records"
/usr/bin/time -f "client_cpu_seconds=%U+%S" "$NSER" bench hub-ingest --custodian nser --encodings data/nser.enc $(conn nser)
echo "== measured ingest: Punjab records into the loaded hub"
C0=$(hub_cpu)
"$NSER" bench hub-ingest --custodian punjab --encodings data/punjab.enc $(conn punjab) | tee ingest.out
C1=$(hub_cpu)
R=$(grep '^records=' ingest.out | cut -d= -f2)
awk -v r="$R" -v c0="$C0" -v c1="$C1" 'BEGIN {printf "hub_cpu_seconds=%.2f\nrecords_per_hub_cpu_second=%.0f\n", c1 - c0, r / (c1 - c0)}'
"$NSER" admin status $(conn admin)
echo "== search: ${SEARCH_CONNECTIONS:-8} connections, 20 s"
C0=$(hub_cpu)
"$NSER" bench hub-search --encodings data/punjab.enc --connections ${SEARCH_CONNECTIONS:-8} --seconds 20 $(conn punjab) | tee search.out
C1=$(hub_cpu)
Q=$(grep '^requests=' search.out | cut -d= -f2)
awk -v q="$Q" -v c0="$C0" -v c1="$C1" 'BEGIN {printf "hub_cpu_seconds=%.2f\nsearches_per_hub_cpu_second=%.0f\n", c1 - c0, q / (c1 - c0)}'
grep -E '^nser_hub_(records|entities) ' <(curl -s --cacert pki/ca/ca.crt --cert pki/issued/admin.crt --key pki/issued/admin.key "https://127.0.0.1:$PORT/metrics") || true
ps -o rss= -p $HUB | awk '{printf "hub_rss_mib=%.0f\n", $1/1024}'
