#!/usr/bin/env bash
# Connector benchmark (docs/performance.md, "Connector"): `nser connector sync`
# of a synthetic CSV source (`nser synth`) to a real hub over mutual TLS on
# loopback, on this machine.
#
#   tests/bench/connector_benchmark.sh [PUSH_ROWS] [RESYNC_ROWS] [WORKDIR]
#
# (a) push: a full sync of PUSH_ROWS new records (default 200,000): every row
#     is read, hashed, normalised, encoded and pushed in batches of 1,000.
#     Reports the end-to-end rate and the connector's own CPU seconds (user +
#     system), i.e. its encode+send capacity independent of the hub's speed.
# (b) re-sync: RESYNC_ROWS records (default 1,000,000) are pushed once
#     (setup, reported but not the target), then the same unchanged source is
#     synced again: read, hash, compare with the local state, find no
#     deletion, push nothing. That second sync is the measured one.
# Set SKIP_PUSH=1 or SKIP_RESYNC=1 to run one part only. Needs the release
# build (build/release/bin/nser or $NSER_BINARY).
set -euo pipefail
PUSH_ROWS=${1:-200000}
RESYNC_ROWS=${2:-1000000}
WORK=${3:-/tmp/nser-connector-bench}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NSER=${NSER_BINARY:-$ROOT/build/release/bin/nser}
PORT=${HUB_PORT:-18543}
mkdir -p "$WORK"
cd "$WORK"
echo "== machine: $(nproc) cores; $(uptime)"

# One synthetic source big enough for both parts: the "punjab" extract with
# full coverage of every province, clean profile (every row encodable).
MAX_ROWS=$(( PUSH_ROWS > RESYNC_ROWS ? PUSH_ROWS : RESYNC_ROWS ))
if [ ! -f "data/rows-$MAX_ROWS.ok" ]; then
  cat > sources.json <<'JSON'
{"format": "nser-synth-sources/1", "sources": [{"name": "punjab", "coverage": 1.0, "profile": "clean"}]}
JSON
  "$NSER" synth --people $(( MAX_ROWS + MAX_ROWS / 20 )) --seed 7 --sources sources.json --out data >/dev/null
  touch "data/rows-$MAX_ROWS.ok"
fi
head -c 32 /dev/urandom | base64 > secret.key && chmod 600 secret.key

rm -rf pki hub-data
"$NSER" pki init-ca --dir pki/ca >/dev/null
"$NSER" pki issue --ca pki/ca --party hub --server --san 127.0.0.1 --san localhost --out pki/issued >/dev/null
for p in admin punjab sindh; do "$NSER" pki issue --ca pki/ca --party "$p" --client --out pki/issued >/dev/null; done
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
hub_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$HUB/stat"; }
# Two custodians, one per part, so that each starts its own batch sequence.
for p in punjab sindh; do
  "$NSER" admin party add $p --role custodian --certificate pki/issued/$p.crt \
    --hub "https://127.0.0.1:$PORT" --cert pki/issued/admin.crt --key pki/issued/admin.key --ca pki/ca/ca.crt >/dev/null
done

cat > mapping.json <<'JSON'
{"format": "nser-connector-mapping", "version": 1, "key_column": "rec_id"}
JSON
# connector NAME ROWS CUSTODIAN: a connector directory syncing the first ROWS rows.
connector() {
  mkdir -p "$1"
  head -n $(( $2 + 1 )) data/punjab.csv > "$1/source.csv"
  cat > "$1/connector.json" <<JSON
{
  "custodian": "$3",
  "hub": {"url": "https://127.0.0.1:$PORT",
          "tls": {"certificate": "$WORK/pki/issued/$3.crt", "private_key": "$WORK/pki/issued/$3.key",
                  "ca_certificate": "$WORK/pki/ca/ca.crt"}},
  "linkage": {"schema": "$ROOT/schemas/linkage/nser-person-v1.json", "secret_file": "$WORK/secret.key", "key_epoch": 1},
  "source": {"type": "csv", "path": "source.csv"},
  "mapping": "$WORK/mapping.json",
  "data_directory": "state",
  "sync": {"batch_size": 1000},
  "log": {"format": "json", "level": "notice", "file": "connector.log"}
}
JSON
  rm -rf "$1/state"
}
# timed_sync NAME ROWS LABEL: one sync; prints the connector's report, wall
# and CPU seconds and the rates.
timed_sync() {
  local c0 c1
  c0=$(hub_cpu)
  /usr/bin/time -f "connector_cpu_seconds=%U+%S connector_max_rss_kib=%M" -o "$1/time.out" \
    "$NSER" connector --config "$1/connector.json" sync > "$1/sync.out" 2>/dev/null
  c1=$(hub_cpu)
  echo "$3: $(cat "$1/sync.out")"
  cat "$1/time.out"
  awk -v r="$2" -v c0="$c0" -v c1="$c1" -v cpu="$(grep -o 'seconds=[0-9.+]*' "$1/time.out" | head -1 | cut -d= -f2)" \
      -v wall="$(grep -o ' seconds=[0-9.]*' "$1/sync.out" | cut -d= -f2)" 'BEGIN {
    split(cpu, p, "+"); c = p[1] + p[2];
    printf "%s_records_per_second=%.0f connector_cpu_us_per_record=%.1f records_per_connector_cpu_second=%.0f hub_cpu_seconds=%.2f\n",
      "'"$3"'", r / wall, c * 1e6 / r, r / c, c1 - c0 }'
}

if [ "${SKIP_PUSH:-0}" != 1 ]; then
  echo "== (a) full sync, encode + push of $PUSH_ROWS new records"
  connector push "$PUSH_ROWS" punjab
  timed_sync push "$PUSH_ROWS" push
fi
if [ "${SKIP_RESYNC:-0}" != 1 ]; then
  echo "== (b) setup: full sync of $RESYNC_ROWS records"
  connector resync "$RESYNC_ROWS" sindh
  timed_sync resync "$RESYNC_ROWS" initial
  echo "== (b) re-sync of $RESYNC_ROWS unchanged records (measured)"
  timed_sync resync "$RESYNC_ROWS" resync
  timed_sync resync "$RESYNC_ROWS" resync_again
fi
ps -o rss= -p $HUB | awk '{printf "hub_rss_mib=%.0f\n", $1/1024}'
echo "== machine after: $(uptime)"
