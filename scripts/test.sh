#!/usr/bin/env bash
# Runs the whole suite on SQLite, then again on PostgreSQL (the domain tests touch no database and run once).
set -uo pipefail
cd "$(dirname "$0")/.."
PG_URL="${KUNDENNETZ_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
PYTEST=(.venv/bin/python -m pytest -p no:cacheprovider -n 2 --dist loadfile)

echo "=== Test pass 1: SQLite ==="
"${PYTEST[@]}" "$@"
status=$?
[ $status -eq 0 ] || exit $status

if .venv/bin/python scripts/pg_reachable.py "$PG_URL"; then
  echo "=== Test pass 2: PostgreSQL ($PG_URL) ==="
  DATABASE_URL="$PG_URL" "${PYTEST[@]}" --ignore=tests/domain "$@"
  exit $?
fi
if [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $PG_URL, and CI must run the PostgreSQL pass." >&2
  exit 1
fi
echo
echo "NOTICE: PostgreSQL is not reachable at $PG_URL — the PostgreSQL pass was SKIPPED."
echo "        Start a server (or set KUNDENNETZ_TEST_DATABASE_URL) to run it."
