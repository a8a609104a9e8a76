#!/usr/bin/env bash
# Entrypoint with the official postgres image's contract: on an empty PGDATA,
# initialise a cluster from POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB,
# run /docker-entrypoint-initdb.d, then become the server as PID 1.
set -Eeuo pipefail

fail() {
  printf 'docker-entrypoint: error: %s\n' "$1" >&2
  exit 1
}

log() {
  printf 'docker-entrypoint: %s\n' "$1"
}

# VAR or VAR_FILE (a secret mounted as a file), never both.
read_env() {
  local name=$1 default=${2:-}
  local file_name="${name}_FILE"
  if [[ -n ${!name:-} && -n ${!file_name:-} ]]; then
    fail "$name and $file_name are both set; set only one of them"
  fi
  local value=$default
  if [[ -n ${!name:-} ]]; then
    value=${!name}
  elif [[ -n ${!file_name:-} ]]; then
    [[ -r ${!file_name} ]] ||
      fail "$file_name: got '${!file_name}'; expected a readable file"
    value=$(<"${!file_name}")
  fi
  export "$name=$value"
  unset "$file_name"
}

validate_env() {
  read_env POSTGRES_USER postgres
  read_env POSTGRES_PASSWORD
  read_env POSTGRES_DB "$POSTGRES_USER"
  POSTGRES_HOST_AUTH_METHOD=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}

  case $POSTGRES_HOST_AUTH_METHOD in
    scram-sha-256 | md5 | trust) ;;
    *) fail "POSTGRES_HOST_AUTH_METHOD: got '$POSTGRES_HOST_AUTH_METHOD'; expected scram-sha-256, md5 or trust" ;;
  esac
  if [[ -z $POSTGRES_PASSWORD && $POSTGRES_HOST_AUTH_METHOD != trust ]]; then
    fail "POSTGRES_PASSWORD is not set; set it (or POSTGRES_PASSWORD_FILE) to the superuser's password, or set POSTGRES_HOST_AUTH_METHOD=trust to allow connections without one"
  fi
}

init_cluster() {
  local initdb_args=(--pgdata="$PGDATA" --username="$POSTGRES_USER"
    --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD")
  # shellcheck disable=SC2206 # extra initdb flags are a list on purpose
  initdb_args+=(${POSTGRES_INITDB_ARGS:-})
  if [[ -n $POSTGRES_PASSWORD ]]; then
    # Through a pipe, so the password never appears in a process listing.
    initdb "${initdb_args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD")
  else
    initdb "${initdb_args[@]}"
  fi

  # initdb only admits TCP clients from loopback; other containers need in.
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" \
    >>"$PGDATA/pg_hba.conf"
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
}

# The init-time server listens on the Unix socket only, so nothing can reach
# the database over TCP before it is fully set up.
run_init_server() {
  pg_ctl --pgdata="$PGDATA" --wait --silent \
    -o "-c listen_addresses='' -p ${PGPORT:-5432}" start

  local psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password
    --username="$POSTGRES_USER" --dbname=postgres)
  if [[ $POSTGRES_DB != postgres ]]; then
    "${psql[@]}" -v db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";' >/dev/null
    log "created database $POSTGRES_DB"
  fi

  psql+=(--dbname="$POSTGRES_DB")
  local file
  for file in /docker-entrypoint-initdb.d/*; do
    case $file in
      *.sh)
        log "running $file"
        if [[ -x $file ]]; then
          "$file"
        else
          # shellcheck disable=SC1090 # user-supplied init scripts
          source "$file"
        fi
        ;;
      *.sql)
        log "running $file"
        "${psql[@]}" -f "$file" >/dev/null
        ;;
      *.sql.gz)
        log "running $file"
        gunzip -c "$file" | "${psql[@]}" >/dev/null
        ;;
      */\*) ;; # empty directory
      *) log "ignoring $file" ;;
    esac
  done

  pg_ctl --pgdata="$PGDATA" --wait --silent -m fast stop
}

if [[ ${1:-} == -* ]]; then
  set -- postgres "$@"
fi
if [[ ${1:-} != postgres ]]; then
  exec "$@"
fi
# These only print and exit; they must not initialise a cluster first.
for arg in "$@"; do
  case $arg in
    -V | --version | -\? | --help | --describe-config) exec "$@" ;;
  esac
done

if ((EUID == 0)); then
  install -d -o postgres -g postgres -m 0700 "$PGDATA"
  install -d -o postgres -g postgres -m 3777 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$0" "$@"
fi

if [[ ! -s $PGDATA/PG_VERSION ]]; then
  validate_env
  log "initialising a new cluster in $PGDATA for superuser $POSTGRES_USER"
  init_cluster
  run_init_server
  log "initialisation complete; starting the server"
fi
unset POSTGRES_PASSWORD

exec "$@"
