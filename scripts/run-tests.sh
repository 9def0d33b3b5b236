#!/usr/bin/env bash
# The test command of the README and of CI: lint, then pytest. Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

$BIN/ruff check . || exit 1
$BIN/ruff format --check . || exit 1

mkdir -p test-artifacts
run_session() {  # pytest's "no tests collected" (5) is not a pass: say so plainly and fail
  "$@"
  local rc=$?
  if [ $rc -eq 5 ]; then echo "pytest collected no tests: $*"; return 1; fi
  return $rc
}

run_session $BIN/python -m pytest --durations=25 --junitxml=test-artifacts/junit.xml "$@"
rc=$?
# The tests marked `cluster` (the first day) also run on the cluster profile, in a session of their own:
#   SMARTCAR_PROFILE=cluster .venv/bin/python -m pytest -m cluster
# Not yet part of `make test`: on Hive 4.0.1 under Celery the drive mart's quality check still finds no rows
# (issue 24's note); it joins this script once that passes.
exit $rc
