#!/usr/bin/env bash
# `make test`: the whole suite. On PostgreSQL it runs as three pytest processes side by side,
# each with a test database and Redis databases of its own, and fails when any of them fails:
# - the browser tests (marker `e2e`: chromium, a live server and a real worker; most of their
#   time is the browser's, on the other core), then the fault tests (marker `faults`: their
#   timings are measured with no browser running);
# - the migration checks (marker `migrations`: a database migrated back and forth, several
#   minutes of mostly waiting on PostgreSQL);
# - everything else, whose output is printed as it runs.
# On SQLite, or with `-m` in the arguments, one pytest runs what was asked.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=.venv/bin/pytest

case " $* " in *" -m "*) exec "$PYTEST" "$@" ;; esac
if [[ "${DATABASE_URL:-}" != postgres* || "${LANES_ALONGSIDE:-1}" == 0 ]]; then
  exec "$PYTEST" "$@"
fi

# The slowest tests of each process, at the end of its output: where the time goes.
DURATIONS="--durations=${DURATIONS:-15}"
base="${DATABASE_URL%/*}"
name="${DATABASE_URL##*/}"
main_log="$(mktemp -t caflab-suite.XXXXXX)"
e2e_log="$(mktemp -t caflab-e2e.XXXXXX)"
migrations_log="$(mktemp -t caflab-migrations.XXXXXX)"
trap 'rm -f "$main_log" "$e2e_log" "$migrations_log"' EXIT

DATABASE_URL="$base/${name}_e2e" \
  CELERY_BROKER_URL="${E2E_BROKER_URL:-redis://127.0.0.1:6379/8}" \
  REDIS_URL="${E2E_REDIS_URL:-redis://127.0.0.1:6379/9}" \
  "$PYTEST" -m "(e2e or faults) and not migrations" -p no:cacheprovider "$DURATIONS" "$@" >"$e2e_log" 2>&1 &
e2e=$!

DATABASE_URL="$base/${name}_migrations" \
  CELERY_BROKER_URL="${MIGRATIONS_BROKER_URL:-redis://127.0.0.1:6379/12}" \
  REDIS_URL="${MIGRATIONS_REDIS_URL:-redis://127.0.0.1:6379/13}" \
  "$PYTEST" -m migrations -p no:cacheprovider "$@" >"$migrations_log" 2>&1 &
migrations=$!

"$PYTEST" -m "not migrations and not e2e and not faults" "$DURATIONS" "$@" 2>&1 | tee "$main_log"
main_status=${PIPESTATUS[0]}

wait "$e2e"
e2e_status=$?
wait "$migrations"
migrations_status=$?
printf '\n=== browser and fault tests (run alongside) ===\n'
cat "$e2e_log"
printf '\n=== migration checks (run alongside) ===\n'
cat "$migrations_log"
# pytest exits 5 when a selection holds no test (e.g. `make test ARGS=tests/criees`).
[[ $e2e_status == 5 ]] && e2e_status=0
[[ $migrations_status == 5 ]] && migrations_status=0
closing() { grep -E '(passed|failed|errors?|deselected)\b.* in [0-9.]+s' "$1" | tail -n1; }
# The closing lines last, for whoever reads the end of the log.
printf '\n=== closing lines ===\nsuite:           %s\nbrowser, faults: %s\nmigrations:      %s\n' \
  "$(closing "$main_log")" "$(closing "$e2e_log")" "$(closing "$migrations_log")"
for status in "$main_status" "$e2e_status" "$migrations_status"; do
  [[ $status != 0 ]] && exit "$status"
done
exit 0
