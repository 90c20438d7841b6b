#!/usr/bin/env bash
# Brokering benchmark (docs/performance.md, "Brokering"): brokered search +
# fetch through real processes on loopback, all over mutual TLS:
#
#   nser bench gateway --(HTTP)--> Punjab connector gateway (encodes the CNIC)
#     --> hub (match, policy decision, audit entry, signed fetch order)
#     --> NSER connector attribute server (verify, read the CSV row, seal)
#     --> hub relays --> gateway opens the sealed payload --> answer
#
#   tests/bench/brokering_benchmark.sh [PEOPLE] [RATE] [SECONDS] [WORKDIR] [ROUNDS]
#
# Sets up a CA, a hub, the NSER and Punjab connectors (synthetic sources of
# PEOPLE people), the programme punjab-ehsaas querying via Punjab and a
# statutory agreement for pmt_score and household_size from NSER, waits for
# both syncs, then runs `nser bench gateway` open loop at RATE requests/s
# for SECONDS, ROUNDS times (default 1) back to back against the same
# processes. Prints, for each round, the load generator's result (with the
# share of the machine's CPU time the hypervisor took, steal_percent) and
# each process's CPU time during the round, in seconds and in milliseconds
# per request sent; with several rounds, then each round's p99 and their
# median (the lower middle one for an even count) and maximum.
# Needs the release build (or $NSER_BINARY).
set -euo pipefail
PEOPLE=${1:-20000}
RATE=${2:-1000}
SECONDS_=${3:-20}
WORK=${4:-/tmp/nser-brokering-bench-$PEOPLE}
ROUNDS=${5:-1}
case "$ROUNDS" in '' | *[!0-9]* | 0*) echo "ROUNDS must be a positive integer, not '$ROUNDS'" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NSER=${NSER_BINARY:-$ROOT/build/release/bin/nser}
PORT=${HUB_PORT:-19543}
GATEWAY_PORT=${GATEWAY_PORT:-19544}
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

"$NSER" synth --people "$PEOPLE" --seed 7 --out synth >/dev/null
(umask 077 && head -c 32 /dev/urandom | base64 > linkage.key)
"$NSER" pki init-ca --dir pki/ca --name "NSER bench CA" >/dev/null
for party in hub nser punjab; do
  "$NSER" pki issue --ca pki/ca --party "$party" --server --client --san 127.0.0.1 --san localhost --out pki/issued >/dev/null
done
"$NSER" pki issue --ca pki/ca --party admin --client --out pki/issued >/dev/null

cat > hub.json <<JSON
{"listen": {"address": "127.0.0.1", "port": $PORT},
 "tls": {"certificate": "pki/issued/hub.crt", "private_key": "pki/issued/hub.key", "ca_certificate": "pki/ca/ca.crt"},
 "data_directory": "hub-data",
 "linkage": {"schema": "$ROOT/schemas/linkage/nser-person-v1.json",
             "model": "$ROOT/schemas/linkage/nser-person-v1.model.json", "key_epoch": 1},
 "bootstrap_admins": [{"id": "admin", "certificate": "pki/issued/admin.crt"}],
 "log": {"format": "json", "level": "warning", "file": "hub.log"}}
JSON
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
"$NSER" hub --config hub.json 2> hub.stderr &
pids+=($!)
hub_pid=$!
for _ in $(seq 150); do grep -q listening hub.stderr 2>/dev/null && break; sleep 0.2; done
admin=(--hub "https://127.0.0.1:$PORT" --cert pki/issued/admin.crt --key pki/issued/admin.key --ca pki/ca/ca.crt)
for party in nser punjab; do
  "$NSER" admin party add "$party" --role custodian --certificate "pki/issued/$party.crt" "${admin[@]}" >/dev/null
done
"$NSER" admin party add punjab-ehsaas --role programme --via punjab "${admin[@]}" >/dev/null
now=$(date +%s)
cat > agreement.json <<JSON
{"schema": "nser-agreement-v1", "id": "ehsaas-eligibility", "version": 1, "programme": "punjab-ehsaas",
 "custodians": ["nser"], "purposes": [{"code": "eligibility", "text": "cash transfer eligibility"}],
 "attributes": ["pmt_score", "household_size"], "legal_basis": "statutory",
 "valid_from": $((now - 86400)), "valid_until": $((now + 86400 * 365)), "status": "active"}
JSON
"$NSER" admin agreement add agreement.json "${admin[@]}" >/dev/null

cat > mapping-nser.json <<'JSON'
{"format": "nser-connector-mapping", "version": 1, "key_column": "rec_id",
 "attributes": [{"name": "pmt_score", "column": "pmt_score", "type": "number", "description": "PMT score", "sensitivity": "high"},
                {"name": "household_size", "column": "household_size", "type": "integer", "description": "household members", "sensitivity": "medium"}]}
JSON
cat > mapping-punjab.json <<'JSON'
{"format": "nser-connector-mapping", "version": 1, "key_column": "rec_id",
 "attributes": [{"name": "district", "column": "district", "type": "string", "description": "district", "sensitivity": "low"}]}
JSON
for party in nser punjab; do
  gateway=""
  [ "$party" = punjab ] && gateway=", \"gateway\": {\"listen\": {\"address\": \"127.0.0.1\", \"port\": $GATEWAY_PORT}, \"loopback_only\": true, \"threads\": 64}"
  cat > "connector-$party.json" <<JSON
{"custodian": "$party",
 "hub": {"url": "https://127.0.0.1:$PORT",
         "tls": {"certificate": "pki/issued/$party.crt", "private_key": "pki/issued/$party.key", "ca_certificate": "pki/ca/ca.crt"}},
 "linkage": {"schema": "$ROOT/schemas/linkage/nser-person-v1.json", "secret_file": "linkage.key", "key_epoch": 1},
 "source": {"type": "csv", "path": "synth/$party.csv"},
 "mapping": "mapping-$party.json",
 "data_directory": "connector-$party",
 "sync": {"interval_seconds": 86400},
 "attribute_server": {"listen": {"address": "127.0.0.1", "port": 0}, "threads": 32},
 "log": {"format": "json", "level": "warning", "file": "connector-$party.log"}$gateway}
JSON
  "$NSER" connector --config "connector-$party.json" run > "connector-$party.stdout" 2> "connector-$party.stderr" &
  pids+=($!)
  eval "${party}_pid=$!"
done
expected=$(( $(wc -l < synth/nser.csv) + $(wc -l < synth/punjab.csv) - 2 ))
for _ in $(seq 600); do
  records=$("$NSER" admin status --json "${admin[@]}" | grep -o '"records":[0-9]*' | cut -d: -f2)
  [ "${records:-0}" -ge "$((expected * 99 / 100))" ] && break
  sleep 1
done
echo "hub records: $records (source rows: $expected)"
grep -q "gateway listening" connector-punjab.stderr

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks=$(getconf CLK_TCK)
names=(hub nser-connector punjab-connector)
# One run of the load generator against the running processes; its output
# goes to round-K.txt as well.
measure() {
  local before after sent total generator seconds i
  before=("$(cpu "$hub_pid")" "$(cpu "$nser_pid")" "$(cpu "$punjab_pid")")
  uptime
  "$NSER" bench gateway --url "http://127.0.0.1:$GATEWAY_PORT" --csv synth/punjab.csv --programme punjab-ehsaas \
    --purpose eligibility --attributes pmt_score,household_size --rate "$RATE" --seconds "$SECONDS_" | tee "round-$1.txt"
  after=("$(cpu "$hub_pid")" "$(cpu "$nser_pid")" "$(cpu "$punjab_pid")")
  sent=$(sed -n 's/^sent=//p' "round-$1.txt")
  total=0
  for i in 0 1 2; do
    seconds=$(awk -v a="${before[$i]}" -v b="${after[$i]}" -v t="$ticks" 'BEGIN {printf "%.2f", (b - a) / t}')
    total=$(awk -v a="$total" -v b="$seconds" 'BEGIN {print a + b}')
    echo "cpu_seconds_${names[$i]}=$seconds"
    echo "cpu_ms_per_request_${names[$i]}=$(awk -v s="$seconds" -v n="$sent" 'BEGIN {printf "%.3f", 1000 * s / n}')"
  done
  # The three processes together, then with the load generator (it shares the
  # cores); per request sent, warm-up included, as the CPU times are.
  generator=$(sed -n 's/^cpu_seconds_generator=//p' "round-$1.txt")
  echo "cpu_ms_per_request_three_processes=$(awk -v s="$total" -v n="$sent" 'BEGIN {printf "%.3f", 1000 * s / n}')"
  echo "cpu_ms_per_request_with_generator=$(awk -v s="$total" -v g="$generator" -v n="$sent" 'BEGIN {printf "%.3f", 1000 * (s + g) / n}')"
}

# Rounds run back to back against the same processes: the hub's audit log
# and every cache keep growing, as in a hub that has been up for a while.
p99s=()
for round in $(seq "$ROUNDS"); do
  if [ "$ROUNDS" -gt 1 ]; then echo "round=$round"; fi
  measure "$round"
  p99s+=("$(sed -n 's/^latency_p99_ms=//p' "round-$round.txt")")
done
if [ "$ROUNDS" -eq 1 ]; then exit 0; fi
echo "rounds=$ROUNDS"
echo "p99_ms_by_round=$(IFS=,; echo "${p99s[*]}")"
printf '%s\n' "${p99s[@]}" | sort -g | awk '{v[NR] = $1} END {
  printf "p99_ms_rounds_median=%s\np99_ms_rounds_max=%s\n", v[int((NR + 1) / 2)], v[NR] }'
