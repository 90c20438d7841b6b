#!/usr/bin/env bash
# The linkage-key rotation procedure (docs/key-rotation.md), step by step.
#
# Admin side (an admin party's connection: NSER_HUB_URL, NSER_CERT, NSER_KEY,
# NSER_CA, or the same options after the step's arguments):
#   rotate-linkage-key.sh prepare EPOCH [--key-fingerprint FP]
#                                    the hub accepts EPOCH beside the current one
#   rotate-linkage-key.sh status     each custodian's re-encoding progress
#   rotate-linkage-key.sh wait [SECONDS]
#                                    polls until every record is re-encoded
#                                    (default: up to 24 hours); exit 1 on timeout
#   rotate-linkage-key.sh switch [--force]
#                                    makes EPOCH current (refused while records
#                                    are missing, unless forced)
#   rotate-linkage-key.sh abort      rollback before the switch
# Custodian side (on the connector's machine):
#   rotate-linkage-key.sh connector CONFIG SECRET_FILE EPOCH
#                                    points the connector configuration at the
#                                    new secret and epoch (keeping a copy of the
#                                    old file as CONFIG.epoch-<old>) and runs a
#                                    sync, which re-encodes and pushes every
#                                    record; stop nser-connector@<c> first if it
#                                    runs as a service, start it afterwards.
# NSER: the nser binary (default: PATH, then this checkout's release build).
set -euo pipefail
nser=${NSER:-$(command -v nser || echo "$(dirname "$0")/../build/release/bin/nser")}

usage() {
  sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
step=$1
shift
case "$step" in
  prepare)
    [[ $# -ge 1 && "$1" =~ ^[1-9][0-9]*$ ]] || usage
    "$nser" admin linkage-epoch prepare "$@"
    ;;
  status)
    "$nser" admin linkage-epoch status "$@"
    ;;
  wait)
    limit=86400
    if [[ $# -ge 1 && "$1" =~ ^[0-9]+$ ]]; then limit=$1; shift; fi
    deadline=$(( $(date +%s) + limit ))
    while true; do
      answer=$("$nser" admin linkage-epoch status --json "$@")
      if [[ "$answer" != *'"state":"prepared"'* ]]; then
        echo "rotate-linkage-key.sh: no rotation is prepared" >&2
        exit 1
      fi
      if [[ "$answer" == *'"ready_to_switch":true'* ]]; then
        "$nser" admin linkage-epoch status "$@"
        exit 0
      fi
      if (( $(date +%s) >= deadline )); then
        "$nser" admin linkage-epoch status "$@" >&2
        echo "rotate-linkage-key.sh: not every record is re-encoded after ${limit}s" >&2
        exit 1
      fi
      sleep 10
    done
    ;;
  switch)
    "$nser" admin linkage-epoch switch "$@"
    echo "rotate-linkage-key.sh: now set linkage.key_epoch in the hub configuration to the new epoch"
    ;;
  abort)
    "$nser" admin linkage-epoch abort "$@"
    echo "rotate-linkage-key.sh: put the connectors back on the old secret and epoch"
    ;;
  connector)
    [[ $# -eq 3 && "$3" =~ ^[1-9][0-9]*$ ]] || usage
    config=$1 secret=$2 epoch=$3
    [[ -f "$config" ]] || { echo "rotate-linkage-key.sh: no configuration '$config'" >&2; exit 1; }
    [[ -f "$secret" ]] || { echo "rotate-linkage-key.sh: no secret file '$secret'" >&2; exit 1; }
    secret=$(realpath "$secret")  # relative paths in the file resolve against its directory
    if [[ "$secret" == *'"'* || "$secret" == *'\'* || "$secret" == *'|'* ]]; then
      echo "rotate-linkage-key.sh: the secret file path may not contain '\"', '\\' or '|'" >&2
      exit 1
    fi
    old=$(sed -n 's/.*"key_epoch" *: *\([0-9][0-9]*\).*/\1/p' "$config" | head -n 1)
    [[ -n "$old" ]] || { echo "rotate-linkage-key.sh: '$config' has no linkage.key_epoch" >&2; exit 1; }
    grep -q '"secret_file" *: *"[^"]*"' "$config" ||
      { echo "rotate-linkage-key.sh: '$config' has no linkage.secret_file" >&2; exit 1; }
    cp -p "$config" "$config.epoch-$old"
    sed -i -e "s|\"secret_file\" *: *\"[^\"]*\"|\"secret_file\": \"$secret\"|" \
           -e "s|\"key_epoch\" *: *[0-9][0-9]*|\"key_epoch\": $epoch|" "$config"
    echo "rotate-linkage-key.sh: $config now uses key epoch $epoch (previous file: $config.epoch-$old)"
    "$nser" connector --config "$config" sync
    ;;
  *)
    usage
    ;;
esac
