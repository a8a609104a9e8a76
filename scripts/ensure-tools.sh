#!/usr/bin/env bash
# Installs the host tools the test suites use when the machine lacks them:
# PostgreSQL server binaries (throwaway test servers), psql, and wrk (bench).
set -euo pipefail

missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  missing+=(postgresql)
fi
command -v psql >/dev/null || missing+=(postgresql-client)
command -v wrk >/dev/null || missing+=(wrk)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "host tools: PostgreSQL binaries, psql and wrk are present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "host tools: missing ${missing[*]}; install them (as root: apt-get install -y ${missing[*]}) and run again" >&2
  exit 1
fi

echo "host tools: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql package creates and starts a default cluster; the tests
# start their own servers, so leave no system server holding port 5432.
if command -v pg_lsclusters >/dev/null; then
  pg_lsclusters --no-header 2>/dev/null | while read -r version cluster _; do
    pg_ctlcluster "$version" "$cluster" stop 2>/dev/null || true
  done
fi
