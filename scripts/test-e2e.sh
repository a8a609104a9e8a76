#!/usr/bin/env bash
# The end-to-end deployment test: deploy the local stack with a test
# configuration through scripts/deploy.ts, test the running system through its
# published port, destroy it, and check that nothing is left (docs/e2e.md).
#
# Usage: test-e2e.sh [PYTEST_ARGS...]   e.g. -k decision, -x
# Every deployment the run makes is named sa-e2e-<hex>; should pytest itself
# be killed, a last sweep here removes whatever carries that name.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
export CHECKPOINT_DISABLE=1

missing=()
for tool in docker npx git; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
((${#missing[@]} == 0)) ||
  die "the end-to-end test needs these on PATH: ${missing[*]}"

if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import httpx, psycopg, pytest' 2>/dev/null; then
  step "python environment" bash scripts/test-api.sh --setup-only
fi

# The name prefix of every deployment this run makes, for the sweep below.
run_id=sa-e2e-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
export SMART_ACCESS_E2E_RUN=$run_id

# shellcheck disable=SC2086,SC2317 # id lists are split on purpose; runs from a trap
sweep() {
  local kind ids
  ids=$(docker ps -aq --filter "name=$run_id" 2>/dev/null || true)
  if [[ -n $ids ]]; then docker rm -f -v $ids >/dev/null 2>&1 || true; fi
  for kind in network volume; do
    ids=$(docker "$kind" ls -q --filter "name=$run_id" 2>/dev/null || true)
    if [[ -n $ids ]]; then docker "$kind" rm $ids >/dev/null 2>&1 || true; fi
  done
  ids=$(docker images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -F "$run_id" || true)
  if [[ -n $ids ]]; then docker rmi -f $ids >/dev/null 2>&1 || true; fi
}
trap sweep EXIT

# pytest runs in the background so that a TERM or INT sent to this script
# reaches it: it turns either into an interrupt and destroys what it made.
pytest_pid=
# shellcheck disable=SC2317 # runs from a trap
forward() {
  [[ -n $pytest_pid ]] && kill -TERM "$pytest_pid" 2>/dev/null
  return 0
}
trap forward INT TERM

echo "==> end-to-end tests (run $run_id)" >&2
start=$SECONDS
.venv/bin/python -m pytest tests/e2e -v -p no:cacheprovider \
  --confcutdir=tests/e2e "$@" &
pytest_pid=$!
rc=0
# wait returns early when a trap runs; wait again until pytest has exited.
while true; do
  wait "$pytest_pid" && rc=0 || rc=$?
  kill -0 "$pytest_pid" 2>/dev/null || break
done
echo "end-to-end tests: exit $rc after $((SECONDS - start))s" >&2
((rc != 5)) || die "pytest collected no tests from tests/e2e (exit 5)"
exit "$rc"
