#!/usr/bin/env bash
# Linkage quality on synthetic data: for each profile, NSER linked against
# every programme source with the default schema and settings (hardening on),
# pairwise precision/recall/F1 against the synthetic truth.
# Usage: tests/eval/linkage_quality.sh [PEOPLE] [PROFILES...]   (release build required)
# Prints a Markdown table (docs/linkage-quality.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
nser=${NSER_BINARY:-build/release/bin/nser}
people=${1:-100000}
shift || true
profiles=("${@:-clean realistic hard}")
work=$(mktemp -d /tmp/nser-quality-XXXXXX)
trap 'rm -rf "$work"' EXIT
(umask 077 && head -c 32 /dev/urandom | base64 > "$work/key")
echo "| profile | source | precision | recall | F1 | seconds |"
echo "|---|---|---|---|---|---|"
for profile in ${profiles[*]}; do
  "$nser" synth --people "$people" --seed 1 --profile "$profile" --out "$work/$profile" >/dev/null
  for source in punjab sindh kp balochistan kafaalat; do
    start=$(date +%s.%N)
    "$nser" link --schema schemas/linkage/nser-person-v1.json --secret-file "$work/key" --quiet \
      --out "$work/$profile-$source.csv" "$work/$profile/nser.csv" "$work/$profile/$source.csv" 2>"$work/log"
    end=$(date +%s.%N)
    "$nser" eval --truth "$work/$profile/truth.csv" --pairs "$work/$profile-$source.csv" --a nser --b "$source" \
      | awk -v p="$profile" -v s="$source" -v t="$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" '
          /^pairwise_precision:/ {pr=$2} /^pairwise_recall:/ {re=$2} /^pairwise_f1:/ {f1=$2}
          END {printf "| %s | %s | %.4f | %.4f | %.4f | %.1f |\n", p, s, pr, re, f1, t}'
  done
done
