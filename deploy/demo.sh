#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the release
# preset, and runs the main job, the national demo (`nser demo`, README.md
# "Main job"). Extra arguments go to `nser demo` (e.g. --people 50000,
# --keep-running); its working directory is build/demo unless --dir is given.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache: hash paths relative to the checkout, so clones in other folders
# (CI's fresh clone) reuse earlier compilations.
export CCACHE_BASEDIR="$PWD"

bash deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target nser

exec build/release/bin/nser demo --dir build/demo "$@"
