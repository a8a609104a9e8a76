#!/usr/bin/env bash
# The benchmark of the deployed local stack (bench/README.md).
#
# Usage: bench.sh [--quick] [--keep] [--with-robustness]
#   --quick            smaller data and short runs, under 3 minutes
#   --keep             leave the bench's deployment running afterwards
#   --with-robustness  then run tests/robustness (and the bench's unit tests)
# Writes bench/results.json, bench/report.md and bench/latency.svg.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
export CHECKPOINT_DISABLE=1

bench_args=()
robustness=false
for arg in "$@"; do
  case $arg in
    --quick | --keep) bench_args+=("$arg") ;;
    --with-robustness) robustness=true ;;
    *) die "unknown argument '$arg'; expected --quick, --keep or --with-robustness" 2 ;;
  esac
done

step "docker engine" bash scripts/ensure-docker.sh
step "host tools" bash scripts/ensure-tools.sh
if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import httpx, psycopg, pytest, schemathesis' 2>/dev/null; then
  step "python environment" bash scripts/test-api.sh --setup-only
fi

rc=0
if $robustness; then
  step "bench unit tests" .venv/bin/python -m pytest -q -p no:cacheprovider tests/bench || rc=1
fi
step "bench ${bench_args[*]}" .venv/bin/python -m bench "${bench_args[@]}" || rc=1
if $robustness; then
  step "robustness under load" .venv/bin/python -m pytest -p no:cacheprovider tests/robustness || rc=1
fi
exit "$rc"
