#!/usr/bin/env bash
# The main job on an already-built release tree: the most complete end-to-end
# flow the project has (until `nser demo` lands with issue 10):
#   1. a synthetic population with the NSER registry and programme extracts;
#   2. a linkage secret for the custodians (never given to a hub);
#   3. NSER linked against the Punjab programme: encoded locally, blocked,
#      scored with a model trained on the data, clustered; quality against
#      the synthetic truth;
#   4. every source linked into entities; quality against the truth;
#   5. a hub and the NSER and Punjab connectors as separate processes over
#      mutual TLS (a demo CA): both sync their CSVs, the hub resolves
#      entities, and Punjab's programme gateway answers a plaintext query;
#      the programme asks for NSER's PMT score under a statutory agreement
#      (brokered: sealed by NSER's connector, opened by Punjab's) and for the
#      household size under a consent-based one (denied: no consent).
# Work files go to ${NSER_DEMO_DIR:-build/demo}. People: ${NSER_DEMO_PEOPLE:-50000}.
set -euo pipefail
cd "$(dirname "$0")/.."
nser=${NSER_BINARY:-build/release/bin/nser}
work=${NSER_DEMO_DIR:-build/demo}
people=${NSER_DEMO_PEOPLE:-50000}
schema=schemas/linkage/nser-person-v1.json
mkdir -p "$work"

echo "== nser version =="
"$nser" version
echo

echo "== 1. synthetic population: $people people =="
"$nser" synth --people "$people" --seed 2026 --out "$work/synth"
echo

echo "== 2. linkage secret (custodians only) =="
if [ ! -f "$work/linkage.key" ]; then
  (umask 077 && head -c 32 /dev/urandom | base64 > "$work/linkage.key")
fi
ls -l "$work/linkage.key"
echo

echo "== 3. NSER registry against the Punjab programme =="
"$nser" link --schema "$schema" --secret-file "$work/linkage.key" --quiet \
  --model "$work/model.json" --out "$work/pairs-nser-punjab.csv" \
  "$work/synth/nser.csv" "$work/synth/punjab.csv"
"$nser" eval --truth "$work/synth/truth.csv" --pairs "$work/pairs-nser-punjab.csv" --a nser --b punjab
echo

echo "== 4. all sources into entities =="
"$nser" link --schema "$schema" --secret-file "$work/linkage.key" --quiet \
  --model "$work/model.json" --clusters "$work/clusters.csv" \
  "$work/synth/nser.csv" "$work/synth/punjab.csv" "$work/synth/sindh.csv" \
  "$work/synth/kp.csv" "$work/synth/balochistan.csv" "$work/synth/kafaalat.csv"
"$nser" eval --truth "$work/synth/truth.csv" --clusters "$work/clusters.csv"
echo
echo "== 5. the hub and two custodian connectors over mutual TLS =="
port=${NSER_DEMO_HUB_PORT:-18443}
gateway_port=${NSER_DEMO_GATEWAY_PORT:-18444}
rm -rf "$work/pki" "$work/hub-data" "$work/connector-nser" "$work/connector-punjab"
"$nser" pki init-ca --dir "$work/pki/ca" --name "NSER demo CA" >/dev/null
# The hub and the connectors serve and call each other: both usages.
for party in hub nser punjab; do
  "$nser" pki issue --ca "$work/pki/ca" --party "$party" --server --client --san 127.0.0.1 --san localhost \
    --out "$work/pki/issued" >/dev/null
done
"$nser" pki issue --ca "$work/pki/ca" --party admin --client --out "$work/pki/issued" >/dev/null
root=$(pwd)
cat > "$work/hub.json" <<JSON
{"listen": {"address": "127.0.0.1", "port": $port},
 "tls": {"certificate": "pki/issued/hub.crt", "private_key": "pki/issued/hub.key",
         "ca_certificate": "pki/ca/ca.crt", "crl": "pki/ca/ca.crl"},
 "data_directory": "hub-data",
 "linkage": {"schema": "$root/$schema", "model": "$root/schemas/linkage/nser-person-v1.model.json", "key_epoch": 1},
 "bootstrap_admins": [{"id": "admin", "certificate": "pki/issued/admin.crt"}],
 "log": {"format": "json", "level": "warning", "file": "hub.log"}}
JSON
"$nser" hub --config "$work/hub.json" 2> "$work/hub.stderr" &
hub_pid=$!
connector_pid=
nser_connector_pid=
cleanup() {
  [ -n "$connector_pid" ] && kill "$connector_pid" 2>/dev/null && wait "$connector_pid" 2>/dev/null
  [ -n "$nser_connector_pid" ] && kill "$nser_connector_pid" 2>/dev/null && wait "$nser_connector_pid" 2>/dev/null
  kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null
  return 0
}
trap cleanup EXIT
for _ in $(seq 150); do grep -q listening "$work/hub.stderr" 2>/dev/null && break; sleep 0.2; done
admin=(--hub "https://127.0.0.1:$port" --cert "$work/pki/issued/admin.crt" --key "$work/pki/issued/admin.key" --ca "$work/pki/ca/ca.crt")
for party in nser punjab; do
  "$nser" admin party add "$party" --role custodian --certificate "$work/pki/issued/$party.crt" "${admin[@]}"
  gateway=""
  if [ "$party" = punjab ]; then
    echo '{"format": "nser-connector-mapping", "version": 1, "key_column": "rec_id"}' > "$work/mapping-$party.json"
    gateway=", \"gateway\": {\"listen\": {\"address\": \"127.0.0.1\", \"port\": $gateway_port}, \"loopback_only\": true}"
  else
    cat > "$work/mapping-$party.json" <<'JSON'
{"format": "nser-connector-mapping", "version": 1, "key_column": "rec_id",
 "attributes": [{"name": "pmt_score", "column": "pmt_score", "type": "number", "description": "proxy means test score", "sensitivity": "high"},
                {"name": "household_size", "column": "household_size", "type": "integer", "description": "household members", "sensitivity": "medium"}]}
JSON
    gateway=", \"attribute_server\": {\"listen\": {\"address\": \"127.0.0.1\", \"port\": 0}}"
  fi
  cat > "$work/connector-$party.json" <<JSON
{"custodian": "$party",
 "hub": {"url": "https://127.0.0.1:$port",
         "tls": {"certificate": "pki/issued/$party.crt", "private_key": "pki/issued/$party.key", "ca_certificate": "pki/ca/ca.crt"}},
 "linkage": {"schema": "$root/$schema", "secret_file": "linkage.key", "key_epoch": 1},
 "source": {"type": "csv", "path": "synth/$party.csv"},
 "mapping": "mapping-$party.json",
 "data_directory": "connector-$party",
 "log": {"format": "json", "level": "warning"}$gateway}
JSON
  echo "-- connector $party: sync"
  "$nser" connector --config "$work/connector-$party.json" sync
done
"$nser" admin status "${admin[@]}"
echo
echo "-- the programme punjab-ehsaas (querying via Punjab) and its agreements with NSER:"
"$nser" admin party add punjab-ehsaas --role programme --via punjab "${admin[@]}"
now=$(date +%s)
for terms in "ehsaas-eligibility eligibility pmt_score statutory" "ehsaas-health health-card household_size consent"; do
  set -- $terms
  cat > "$work/agreement-$1.json" <<JSON
{"schema": "nser-agreement-v1", "id": "$1", "version": 1, "programme": "punjab-ehsaas", "custodians": ["nser"],
 "purposes": [{"code": "$2", "text": "demo purpose $2"}], "attributes": ["$3"], "legal_basis": "$4",
 "valid_from": $((now - 86400)), "valid_until": $((now + 86400 * 365)), "status": "active"}
JSON
  "$nser" admin agreement add "$work/agreement-$1.json" "${admin[@]}"
done
"$nser" connector --config "$work/connector-nser.json" run > /dev/null 2> "$work/connector-nser.stderr" &
nser_connector_pid=$!
for _ in $(seq 150); do grep -q "attribute server listening" "$work/connector-nser.stderr" 2>/dev/null && break; sleep 0.2; done
echo
echo "-- Punjab's programme asks its connector (plaintext stays at the connector):"
"$nser" connector --config "$work/connector-punjab.json" run > /dev/null 2> "$work/connector-punjab.stderr" &
connector_pid=$!
for _ in $(seq 150); do grep -q "gateway listening" "$work/connector-punjab.stderr" 2>/dev/null && break; sleep 0.2; done
person=$(awk -F, 'NR == 2 {print $3 "|" $2}' "$work/synth/punjab.csv")
query=$(printf '{"header": {"message_id": "demo-1", "message_ts": "2026-11-27T00:00:00Z", "action": "search", "sender_id": "punjab-programme", "receiver_id": "punjab", "total_count": 1}, "message": {"transaction_id": "demo", "search_request": [{"reference_id": "r1", "search_criteria": {"query_type": "predicate", "query": {"name": "%s", "cnic": "%s"}}}]}}' "${person%%|*}" "${person##*|}")
curl -s -X POST -H 'Content-Type: application/json' --data "$query" "http://127.0.0.1:$gateway_port/registry/sync/search" \
  | grep -o '"reg_records":\[{[^}]*}' | head -c 400
echo
ask() {
  printf '{"header": {"message_id": "demo-%s", "message_ts": "2026-11-27T00:00:00Z", "action": "search", "sender_id": "punjab-ehsaas", "receiver_id": "punjab", "total_count": 1}, "message": {"transaction_id": "demo", "search_request": [{"reference_id": "r1", "search_criteria": {"query_type": "idtype-value", "query": {"type": "CNIC", "value": "%s"}, "purpose": "%s", "attributes": ["%s"]}}]}}' \
    "$2" "${person##*|}" "$1" "$2" \
    | curl -s -o "$work/answer.json" -w 'HTTP %{http_code}  ' -X POST -H 'Content-Type: application/json' --data @- \
        "http://127.0.0.1:$gateway_port/registry/sync/search"
  grep -o '"decisions":\[[^]]*\]\|"values":{[^}]*}}\|"status_reason_code":"[^"]*"' "$work/answer.json" | tr '\n' ' '
  echo
}
echo "-- statutory agreement: the PMT score, sealed by NSER's connector and opened by Punjab's:"
ask eligibility pmt_score
echo "-- consent-based agreement, no consent registered: denied"
ask health-card household_size
cleanup
trap - EXIT
echo
echo "Files: $work (synthetic data, model.json, pairs, clusters, pki, hub and connector state)."
echo "Next: docs/architecture.md, docs/hub.md, docs/connector.md."
