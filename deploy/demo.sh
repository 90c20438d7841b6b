#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the release
# preset, and runs the main job. Extra arguments go to the main job.
#
# The main job grows with the project: today it is the most complete
# end-to-end flow that exists (see "Main job" in README.md); with issue 10 it
# becomes `nser demo`, the national demo.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache: hash paths relative to the checkout, so clones in other folders
# (CI's fresh clone) reuse earlier compilations.
export CCACHE_BASEDIR="$PWD"

bash deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target nser

exec bash deploy/main-job.sh "$@"
