#!/usr/bin/env bash
# The test command of the README and of CI: lint, then pytest. Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

$BIN/ruff check . || exit 1
$BIN/ruff format --check . || exit 1

mkdir -p test-artifacts
$BIN/python -m pytest --durations=25 --junitxml=test-artifacts/junit.xml "$@"
rc=$?
if [ $rc -eq 5 ]; then
  # pytest's "no tests collected" is not a pass: say so plainly and fail.
  echo "pytest collected no tests"
  exit 1
fi
exit $rc
