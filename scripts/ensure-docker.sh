#!/usr/bin/env bash
# Make a Docker engine answer on this machine: install Debian's docker.io when
# it is missing, start dockerd when it is not running, and wait for it.
#
# Environment:
#   DOCKER_WAIT_SECONDS  how long to wait for a started daemon (default 60)
#   DOCKERD_FLAGS        extra dockerd flags, e.g. to run a private daemon
#                        with its own -H, --data-root, --exec-root, --pidfile
#                        (not --bridge=none beside another daemon: dockerd
#                        then deletes the shared docker0 interface)
#   DOCKERD_LOG          where a daemon started here logs
#                        (default .cache/dockerd.log)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

wait_seconds=${DOCKER_WAIT_SECONDS:-60}
[[ $wait_seconds =~ ^[1-9][0-9]*$ ]] ||
  die "DOCKER_WAIT_SECONDS: got '$wait_seconds'; expected a whole number of seconds above 0" 2
log=${DOCKERD_LOG:-$REPO_ROOT/.cache/dockerd.log}

engine_version() {
  docker version --format '{{.Server.Version}}' 2>/dev/null
}

install_docker() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(dockerd)
  command -v docker >/dev/null || missing+=(docker)
  ((${#missing[@]} == 0)) && return 0

  ((EUID == 0)) ||
    die "not on PATH: ${missing[*]}; installing docker.io needs root, so run as root: apt-get install -y docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
}

start_dockerd() {
  ((EUID == 0)) ||
    die "the Docker engine is not running and starting dockerd needs root; run as root: dockerd &"
  mkdir -p "$(dirname "$log")"
  # shellcheck disable=SC2086 # DOCKERD_FLAGS is a list of flags on purpose
  nohup dockerd ${DOCKERD_FLAGS:-} >"$log" 2>&1 </dev/null &
  local pid=$!

  local deadline=$((SECONDS + wait_seconds))
  until engine_version >/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$log" >&2
      die "dockerd exited during startup; its log is $log"
    fi
    if ((SECONDS >= deadline)); then
      kill "$pid"
      die "dockerd (pid $pid) did not answer within ${wait_seconds}s and was stopped; its log is $log"
    fi
    sleep 0.5
  done
}

if version=$(engine_version); then
  echo "docker: engine $version already running"
  exit 0
fi

if [[ -n ${DOCKER_HOST:-} && $DOCKER_HOST != unix://* ]]; then
  die "DOCKER_HOST: got '$DOCKER_HOST', which does not answer; a remote engine cannot be started from here, so start it there or unset DOCKER_HOST"
fi
if [[ -z ${DOCKER_HOST:-} && -S /var/run/docker.sock && ! -w /var/run/docker.sock ]]; then
  die "the Docker socket /var/run/docker.sock is not writable by $(id -un); run as root or join the docker group"
fi
install_docker
start_dockerd
echo "docker: engine $(engine_version) started, logging to $log"
