#!/usr/bin/env bash
# One online hub backup (docs/backup-restore.md), for nser-backup.service
# (started hourly by nser-backup.timer) or by hand:
#   1. asks the running hub for a backup (`nser admin backup`: RocksDB
#      checkpoints of the store and the audit log, plus the hub's keys);
#   2. verifies it on a scratch copy (`nser hub verify-backup`);
#   3. optionally copies it off the data filesystem (NSER_BACKUP_COPY_TO):
#      a checkpoint on the same filesystem shares its table files with the
#      live data through hard links, so it does not survive that disk;
#   4. keeps the newest NSER_BACKUP_KEEP backups (default 48) and removes
#      older hub-* backups from the backup directory.
# Environment (/etc/nser/backup.env for the service):
#   NSER_HUB_URL, NSER_CERT, NSER_KEY, NSER_CA   an admin party's connection
#   NSER_HUB_CONFIG    the hub's configuration (default /etc/nser/hub.json)
#   NSER_BACKUP_KEEP   backups to keep (default 48)
#   NSER_BACKUP_COPY_TO  a directory to copy each verified backup into
#   NSER               the nser binary (default: PATH, then build/release/bin/nser)
set -euo pipefail
nser=${NSER:-$(command -v nser || echo "$(dirname "$0")/../build/release/bin/nser")}
config=${NSER_HUB_CONFIG:-/etc/nser/hub.json}
keep=${NSER_BACKUP_KEEP:-48}
if ! [[ "$keep" =~ ^[1-9][0-9]*$ ]]; then
  echo "backup.sh: NSER_BACKUP_KEEP must be a positive integer" >&2
  exit 2
fi

answer=$("$nser" admin backup --json)
path=$(printf '%s' "$answer" | sed -n 's/.*"path" *: *"\([^"]*\)".*/\1/p')
path=${path//\\\//\/}  # JSON may escape '/' as '\/'
if [[ -z "$path" || ! -d "$path" ]]; then
  echo "backup.sh: the hub answered without a usable backup path: $answer" >&2
  exit 1
fi
echo "backup.sh: created $path"
"$nser" hub verify-backup --config "$config" --from "$path"

if [[ -n "${NSER_BACKUP_COPY_TO:-}" ]]; then
  mkdir -p "$NSER_BACKUP_COPY_TO"
  cp -a "$path" "$NSER_BACKUP_COPY_TO/"
  echo "backup.sh: copied to $NSER_BACKUP_COPY_TO/$(basename "$path")"
fi

# Retention: whole backups only (never a .partial one being written).
root=$(dirname "$path")
mapfile -t backups < <(find "$root" -mindepth 1 -maxdepth 1 -type d -name 'hub-*' ! -name '*.partial' -printf '%f\n' | sort)
excess=$(( ${#backups[@]} - keep ))
for (( i = 0; i < excess; i++ )); do
  rm -rf -- "${root:?}/${backups[$i]}"
  echo "backup.sh: removed old backup ${backups[$i]}"
done
