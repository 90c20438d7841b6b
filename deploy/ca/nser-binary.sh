# Sourced by the deploy/ca scripts: sets NSER to the nser executable to run.
# Order: $NSER if set, then `nser` on PATH, then this checkout's release build.
if [[ -z "${NSER:-}" ]]; then
  if command -v nser >/dev/null 2>&1; then
    NSER="$(command -v nser)"
  else
    NSER="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/release/bin/nser"
  fi
fi
if [[ ! -x "$NSER" ]]; then
  echo "error: nser executable not found (set NSER=/path/to/nser or build the release preset)" >&2
  exit 1
fi
