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

# The whole suite on the embedded profile, then, in a session of its own on the cluster profile (Hive 4.0.1,
# three Kafka nodes, Celery workers, FAB), the tests marked `cluster` (the first day) and `cluster_only`
# (a broker killed under the stream, the FAB Viewer's rights): each session starts its own platform once.
run_session $BIN/python -m pytest -m "not cluster_only" --durations=25 --junitxml=test-artifacts/junit.xml "$@"
rc=$?
SMARTCAR_PROFILE=cluster $BIN/python -m pytest -m "cluster or cluster_only" --durations=10 \
  --junitxml=test-artifacts/junit-cluster.xml "$@"
cluster_rc=$?
if [ $cluster_rc -eq 5 ]; then  # nothing of the chosen tests runs on the cluster: fine only when tests were chosen
  if [ $# -eq 0 ]; then echo "pytest collected no tests for the cluster session"; cluster_rc=1; else cluster_rc=0; fi
fi
[ $rc -ne 0 ] && exit $rc
exit $cluster_rc
