#!/usr/bin/env bash
# Prove the newest backup restores: restore it into a scratch database on the same server, run
# Django's checks and the missing-migrations check against it, print row counts of the main tables,
# then drop the scratch database. Exit status 0 only if all of that worked.
#
#   DATABASE_URL   postgres://user@host:5432/bonehealth: the server (and role) to restore on; its
#                  database is never touched. The role needs CREATEDB.
#   BACKUP_DIR     where backup.sh writes (default /var/backups/bonehealth)
#   DUMP           a dump file to check instead of the newest in BACKUP_DIR
#   RESTORE_DB     scratch database name (default bonehealth_restore_check); dropped first and after
#   KEEP_RESTORE   1 to keep the scratch database for inspection
#   PYTHON         the app's Python (default: .venv/bin/python beside manage.py, else python3)
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL (server and role to restore on)}"
app_dir="$(cd "$(dirname "$0")/.." && pwd)"
dir="${BACKUP_DIR:-/var/backups/bonehealth}"
scratch_db="${RESTORE_DB:-bonehealth_restore_check}"
python="${PYTHON:-$app_dir/.venv/bin/python}"
[[ -x "$python" ]] || python="python3"

if [[ ! "$scratch_db" =~ ^[a-z_][a-z0-9_]*$ ]]; then
  echo "restore_check.sh: RESTORE_DB must be a plain lower-case name, not '$scratch_db'" >&2
  exit 2
fi
# The same server and credentials, another database: replace the path of the URL.
base="${DATABASE_URL%%\?*}"
server="${base%/*}"
if [[ "$scratch_db" == "${base##*/}" ]]; then
  echo "restore_check.sh: RESTORE_DB must differ from the live database" >&2
  exit 2
fi
dump="${DUMP:-}"
if [[ -z "$dump" ]]; then
  dump="$(find "$dir" -maxdepth 1 -name 'bonehealth-*.dump' | sort | tail -n 1)"
fi
if [[ -z "$dump" || ! -f "$dump" ]]; then
  echo "restore_check.sh: no dump found (BACKUP_DIR=$dir, DUMP=${DUMP:-})" >&2
  exit 1
fi

scratch_url="$server/$scratch_db"
admin_url="$server/postgres"

drop_scratch() {
  psql -X -q -v ON_ERROR_STOP=1 --dbname="$admin_url" \
    -c "DROP DATABASE IF EXISTS \"$scratch_db\" WITH (FORCE)"
}
cleanup() {
  if [[ "${KEEP_RESTORE:-0}" != 1 ]]; then drop_scratch || true; fi
}

echo "== restoring $dump into $scratch_db"
drop_scratch
psql -X -q -v ON_ERROR_STOP=1 --dbname="$admin_url" -c "CREATE DATABASE \"$scratch_db\""
trap cleanup EXIT
pg_restore --exit-on-error --no-owner --no-privileges --dbname="$scratch_url" "$dump"

echo "== manage.py check, and migrate --check (every migration of this code is applied)"
(
  cd "$app_dir"
  export DATABASE_URL="$scratch_url"
  export DATABASE_REPLICA_URL=""  # check the restored copy only
  "$python" manage.py check --database default
  "$python" manage.py migrate --check --plan >/dev/null
)

echo "== row counts"
psql -X -v ON_ERROR_STOP=1 --dbname="$scratch_url" -P footer=off -c "
  SELECT 'patients' AS rows, count(*) FROM patients_patient
  UNION ALL SELECT 'dexa scans', count(*) FROM monitoring_dexascan
  UNION ALL SELECT 'lab results', count(*) FROM monitoring_labresult
  UNION ALL SELECT 'open alerts', count(*) FROM monitoring_alert WHERE cleared_at IS NULL
  UNION ALL SELECT 'audit events', count(*) FROM audit_auditevent
  UNION ALL SELECT 'users', count(*) FROM accounts_user
  UNION ALL SELECT 'migrations', count(*) FROM django_migrations"
echo "restore check passed: $dump"
