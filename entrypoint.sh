#!/bin/sh
# The API container's entrypoint: `migrate`, `serve` (the default), or any
# other command, which is exec'd as given.
#
# There is no wait loop for the database: the deployment gates on health, and
# a migration job that cannot connect fails fast and visibly. Each step logs
# one JSON line on stderr saying what it did, like the API's own logs.
set -eu

cd "$(dirname "$0")"

log() {
  level=$1
  shift
  message=$(printf '%s' "$*" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr '\n\t' '  ')
  printf '{"time":"%s","level":"%s","logger":"entrypoint","pid":%s,"message":"%s"}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$level" "$$" "$message" >&2
}

# Gunicorn parses WEB_CONCURRENCY itself before its config module can object,
# so the whole environment is validated here first; a bad one prints its one
# line and stops the container with status 2.
check_config() {
  summary=$(python -m app.gunicorn_conf) || exit $?
  log info "configuration valid: $summary"
}

no_arguments() {
  if [ "$#" -gt 1 ]; then
    name=$1
    shift
    log error "'$name' takes no arguments; got: $*"
    exit 2
  fi
}

migrate() {
  check_config
  log info "migrating the schema to head under the migration lock, then running the init tasks for APP_ENV=${APP_ENV:-production}"
  exec python -m app.cli migrate
}

serve() {
  check_config
  status=0
  python -m app.cli check-schema || status=$?
  if [ "$status" -eq 3 ]; then
    log error "refusing to serve: the database schema is not at the migration head this code expects; run 'entrypoint.sh migrate' first"
    exit 3
  elif [ "$status" -ne 0 ]; then
    log error "refusing to serve: the schema check failed with exit status $status (see the line above)"
    exit "$status"
  fi
  log info "schema is at head; exec gunicorn (it becomes this container's main process)"
  exec gunicorn -c python:app.gunicorn_conf app.wsgi:app
}

command=${1:-serve}
case "$command" in
  migrate)
    no_arguments "$@"
    migrate
    ;;
  serve)
    no_arguments "$@"
    serve
    ;;
  *)
    log info "exec: $*"
    exec "$@"
    ;;
esac
