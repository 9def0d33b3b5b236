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
if [ $# -eq 0 ]; then
  # The whole suite (no arguments) runs the tests marked `cluster` once more, in a session of their own on the
  # cluster profile: Hive 4.0.1, three replicated Kafka brokers, Celery workers, FAB roles, two stream processors.
  echo "== cluster profile session"
  SMARTCAR_PROFILE=cluster run_session $BIN/python -m pytest -m cluster --durations=10 \
    --junitxml=test-artifacts/junit-cluster.xml
  cluster_rc=$?
  [ $rc -eq 0 ] && rc=$cluster_rc
fi
exit $rc
