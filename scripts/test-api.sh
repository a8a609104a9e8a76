#!/usr/bin/env bash
# The API's lint and tests: ruff over app/ and tests/, then pytest over the
# app, the entrypoint and the image, against a real PostgreSQL (tests/conftest.py
# finds or starts one) and the Docker engine (for tests/test_image.py).
#
# Usage: test-api.sh [--setup-only] [PYTEST_ARGS...]
#   --setup-only  only create or refresh .venv, then stop
# The venv is .venv at the repository root, installed from the hash-pinned
# requirements-dev.txt and rebuilt whenever that file or the interpreter
# changes. PYTHON names the interpreter to build it from (default python3).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

setup_only=false
if [[ ${1:-} == --setup-only ]]; then
  setup_only=true
  shift
fi

python=${PYTHON:-python3}
command -v "$python" >/dev/null ||
  die "no Python interpreter '$python' on PATH; install Python 3.11 or newer, or set PYTHON" 2
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  die "$python is $("$python" -c 'import platform; print(platform.python_version())'); the API needs Python 3.11 or newer" 2

venv=.venv
lock=requirements-dev.txt

# fingerprint: what the venv was built from; a change means rebuild it whole,
# so nothing removed from the lock lingers.
fingerprint() {
  {
    sha256sum <"$lock"
    "$python" -c 'import sys; print(sys.version)'
  } | sha256sum | cut -d ' ' -f 1
}

build_venv() {
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir \
    --require-hashes -r "$lock"
  fingerprint >"$venv/.built-from"
}

ensure_venv() {
  # Several suites may ask for the venv at once; one builds, the others wait.
  mkdir -p .cache
  exec 9>.cache/test-api-venv.lock
  flock 9
  if [[ ! -x $venv/bin/python || "$(cat "$venv/.built-from" 2>/dev/null)" != "$(fingerprint)" ]]; then
    step "install $lock into $venv" build_venv || return 1
  fi
  flock -u 9
}

ensure_venv || die "could not build $venv from $lock (see the pip output above)"
if $setup_only; then
  exit 0
fi

failed=()
step "ruff check" "$venv/bin/ruff" check app tests || failed+=("ruff check")
step "ruff format --check" "$venv/bin/ruff" format --check app tests ||
  failed+=("ruff format (run: .venv/bin/ruff format app tests)")

# pytest exits 5 when it collected nothing; that is a failure here too.
rc=0
step "pytest" "$venv/bin/python" -m pytest tests/app tests/test_entrypoint.py \
  tests/test_image.py "$@" || rc=$?
if ((rc == 5)); then
  failed+=("pytest (no tests were collected)")
elif ((rc != 0)); then
  failed+=("pytest (exit $rc)")
fi

if ((${#failed[@]} > 0)); then
  printf 'failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
