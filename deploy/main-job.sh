#!/usr/bin/env bash
# The main job on an already-built release tree: the most complete end-to-end
# flow the project has. Work files go to ${NSER_DEMO_DIR:-build/demo}.
set -euo pipefail
cd "$(dirname "$0")/.."
nser=build/release/bin/nser
work=${NSER_DEMO_DIR:-build/demo}
mkdir -p "$work"

echo "== nser version =="
"$nser" version
echo
echo "== subcommands =="
"$nser" --help
