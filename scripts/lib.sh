# shellcheck shell=bash
# Shared helpers for the scripts in this folder; source it, don't run it.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# die MESSAGE [STATUS]: one line on stderr, then exit (default status 1).
die() {
  printf 'error: %s\n' "$1" >&2
  exit "${2:-1}"
}

# step WHAT COMMAND [ARGS...]: run COMMAND between two progress lines on
# stderr, so that a script's stdout stays free for its result.
step() {
  local what=$1
  shift
  local start=${EPOCHREALTIME/[.,]/}
  printf '==> %s\n' "$what" >&2

  local rc=0
  "$@" || rc=$?

  local elapsed=$(((${EPOCHREALTIME/[.,]/} - start) / 100000))
  local seconds="$((elapsed / 10)).$((elapsed % 10))s"
  if ((rc == 0)); then
    printf '%s: done in %s\n' "$what" "$seconds" >&2
  else
    printf '%s: failed (exit %d) after %s\n' "$what" "$rc" "$seconds" >&2
  fi
  return "$rc"
}

# ensure_npm_packages: install node_modules from the lock file when it is
# missing or was installed from another lock, as on a fresh clone.
ensure_npm_packages() {
  if [[ ! -d $REPO_ROOT/node_modules ]] ||
    ! cmp -s "$REPO_ROOT/package-lock.json" "$REPO_ROOT/node_modules/.package-lock.json"; then
    step "install npm dependencies" npm ci --prefix "$REPO_ROOT" --no-audit --no-fund
  fi
}
