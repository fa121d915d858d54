#!/usr/bin/env bash
# `make test`: the whole suite. On PostgreSQL the migration checks (marker `migrations`: a
# database migrated back and forth, several minutes of mostly waiting on PostgreSQL) run in a
# second pytest process alongside the rest, each with a test database of its own; the run fails
# when either fails. On SQLite, or with `-m` in the arguments, one pytest runs what was asked.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=.venv/bin/pytest

case " $* " in *" -m "*) exec "$PYTEST" "$@" ;; esac
if [[ "${DATABASE_URL:-}" != postgres* || "${MIGRATIONS_ALONGSIDE:-1}" == 0 ]]; then
  exec "$PYTEST" "$@"
fi

log="$(mktemp -t caflab-migrations.XXXXXX)"
main_log="$(mktemp -t caflab-suite.XXXXXX)"
trap 'rm -f "$log" "$main_log"' EXIT
# Its own database (test_<name>_migrations) and Redis databases, so neither run sees the other.
base="${DATABASE_URL%/*}"
name="${DATABASE_URL##*/}"
DATABASE_URL="$base/${name}_migrations" \
  CELERY_BROKER_URL="${MIGRATIONS_BROKER_URL:-redis://127.0.0.1:6379/12}" \
  REDIS_URL="${MIGRATIONS_REDIS_URL:-redis://127.0.0.1:6379/13}" \
  "$PYTEST" -m migrations -p no:cacheprovider "$@" >"$log" 2>&1 &
migrations=$!

"$PYTEST" -m "not migrations" "$@" 2>&1 | tee "$main_log"
main_status=${PIPESTATUS[0]}

wait "$migrations"
migrations_status=$?
printf '\n=== migration checks (run alongside) ===\n'
cat "$log"
# pytest exits 5 when a selection holds no test (e.g. `make test ARGS=tests/criees`).
[[ $migrations_status == 5 ]] && migrations_status=0
# The suite's own closing line last, for whoever reads the end of the log.
printf '\n=== suite ===\n%s\n' "$(grep -E '(passed|failed|errors?)\b.* in [0-9.]+s' "$main_log" | tail -n1)"
if [[ $main_status != 0 ]]; then exit "$main_status"; fi
exit "$migrations_status"
