#!/usr/bin/env bash
# The README's second command: installs what is missing, builds, and runs every
# test. Release build: all labels (unit, integration, e2e). ASan+UBSan build:
# the unit tests. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache: hash paths relative to the checkout, so clones in other folders
# (CI's fresh clone) reuse earlier compilations.
export CCACHE_BASEDIR="$PWD"

bash deploy/install-deps.sh

echo "== release build: all tests =="
cmake --preset release
cmake --build --preset release
ctest --preset release

echo "== asan build: unit tests =="
cmake --preset asan
cmake --build --preset asan --target unit_tests
ctest --preset asan
