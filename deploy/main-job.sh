#!/usr/bin/env bash
# The main job on an already-built release tree: the most complete end-to-end
# flow the project has (until `nser demo` lands with issue 10):
#   1. a synthetic population with the NSER registry and programme extracts;
#   2. a linkage secret for the custodians (never given to a hub);
#   3. NSER linked against the Punjab programme: encoded locally, blocked,
#      scored with a model trained on the data, clustered; quality against
#      the synthetic truth;
#   4. every source linked into entities; quality against the truth.
# Work files go to ${NSER_DEMO_DIR:-build/demo}. People: ${NSER_DEMO_PEOPLE:-50000}.
set -euo pipefail
cd "$(dirname "$0")/.."
nser=build/release/bin/nser
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
echo "Files: $work (synthetic data, model.json, pairs, clusters). Next: docs/architecture.md."
