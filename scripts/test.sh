#!/usr/bin/env bash
# Runs every suite: the stack tests (jest), the API's lint and tests against a
# real PostgreSQL, the stand-in image tests, the end-to-end deployment, and the
# robustness tests with the quick benchmark. Installs what a fresh machine
# lacks first. Every suite runs even when an earlier one fails; the last line
# counts them.
set -uo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

setup() {
  ensure_npm_packages || return 1
  step "host tools" bash scripts/ensure-tools.sh || return 1
  step "docker engine" bash scripts/ensure-docker.sh || return 1
  step "base images" bash scripts/images.sh || return 1
  step "python environment" bash scripts/test-api.sh --setup-only || return 1
}

if ! setup; then
  echo "setup failed: see the step above" >&2
  echo "suites: 0 passed, 1 failed"
  exit 1
fi

passed=0
failed=0
failures=()
suite() {
  local name=$1
  shift
  if step "$name" "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

suite "stack and rehearsal tests (jest)" npx jest --ci
suite "API lint and tests (ruff, pytest)" bash scripts/test-api.sh
# The stand-in tests need the stand-ins even where the public images exist.
suite "stand-in image tests" bash -c 'bash scripts/images.sh --standins >/dev/null &&
  .venv/bin/python -m pytest -p no:cacheprovider --confcutdir=tests/images tests/images'
suite "end-to-end deployment" bash scripts/test-e2e.sh
suite "robustness under load and quick bench" bash scripts/bench.sh --quick --with-robustness

if [ "$failed" -gt 0 ]; then
  echo "failed suites: ${failures[*]}" >&2
fi
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
