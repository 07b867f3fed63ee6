#!/usr/bin/env bash
# Dump the bonehealth database with pg_dump (custom format, compressed) under a UTC timestamp, then
# keep only the newest BACKUP_KEEP dumps. Run it nightly (deploy/systemd/bonehealth-backup.timer)
# and copy BACKUP_DIR off the machine; check restores with deploy/restore_check.sh.
#
#   DATABASE_URL      postgres://user@host:5432/bonehealth (required; the app's own variable)
#   BACKUP_DIR        where dumps go (default /var/backups/bonehealth)
#   BACKUP_KEEP       how many dumps to keep (default 14)
#
# Prints the path of the new dump. Take it from the primary or the replica: pg_dump reads one
# consistent snapshot either way and does not block the app.
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL to the database to dump}"
dir="${BACKUP_DIR:-/var/backups/bonehealth}"
keep="${BACKUP_KEEP:-14}"
if ! [[ "$keep" =~ ^[1-9][0-9]*$ ]]; then
  echo "backup.sh: BACKUP_KEEP must be a positive whole number, not '$keep'" >&2
  exit 2
fi

umask 077  # dumps hold patient records: readable by the backup user only
mkdir -p "$dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
final="$dir/bonehealth-$stamp.dump"
partial="$final.partial"
trap 'rm -f "$partial"' EXIT

# Write under a temporary name and rename when complete, so a failed or running dump is never
# taken for the newest good one (by restore_check.sh or by the retention below).
pg_dump --format=custom --compress=6 --dbname="$DATABASE_URL" --file="$partial"
mv "$partial" "$final"

# Retention by count, not age: if backups stop, the last good ones are never deleted.
mapfile -t dumps < <(find "$dir" -maxdepth 1 -name 'bonehealth-*.dump' -printf '%f\n' | sort -r)
for old in "${dumps[@]:keep}"; do
  rm -f -- "$dir/$old"
done
echo "$final"
