#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the service's tests and
# prints its URL (the database `postgres`, user `postgres`, no password):
#
#   export TRIAGE_TEST_POSTGRES=$(scripts/start-postgres.sh)
#
# Installs PostgreSQL from Debian's packages when it is missing. The cluster
# lives in $TMPDIR/triage-postgres-PORT (port 55432, or PGPORT), where the
# `postgres` user can reach it; a server already running there is reused.
# `scripts/start-postgres.sh --stop` stops it.
set -euo pipefail
PORT=${PGPORT:-55432}
DATA="${TMPDIR:-/tmp}/triage-postgres-$PORT"
URL="postgres://postgres@127.0.0.1:$PORT/postgres"

log() { printf '%s\n' "$*" >&2; }

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [[ -n "$dir" && -x "$dir/initdb" ]]; then
    echo "$dir"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

BIN=$(bin_dir)
if [[ -z "$BIN" ]]; then
  # One apt at a time: the Chromium installer takes the same lock.
  exec 9>"${TMPDIR:-/tmp}/triage-apt.lock"
  flock 9
  log "start-postgres: installing PostgreSQL from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  # Debian's package would start its own cluster on 5432: keep services down.
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
  $SUDO rm -f /usr/sbin/policy-rc.d
  flock -u 9
  BIN=$(bin_dir)
fi
if [[ -z "$BIN" ]]; then
  log "start-postgres: no initdb found after installing postgresql"
  exit 1
fi

# PostgreSQL refuses to run as root: run it as the `postgres` user then.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [[ "${1:-}" == "--stop" ]]; then
  if [[ -f "$DATA/PG_VERSION" ]]; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast stop >&2 || true
  fi
  exit 0
fi

if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
  useradd --system --home-dir "$DATA" --shell /usr/sbin/nologin postgres
fi

mkdir -p "$DATA"
[[ $(id -u) -eq 0 ]] && chown postgres "$DATA"
chmod 700 "$DATA"
if [[ ! -f "$DATA/PG_VERSION" ]]; then
  as_owner "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --no-locale >"$DATA.initdb.log" 2>&1 \
    || { cat "$DATA.initdb.log" >&2; exit 1; }
fi
answers() {
  as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1
}
if answers; then
  log "start-postgres: a server already answers on port $PORT; using it (stop it with --stop if this script started it)"
  echo "$URL"
  exit 0
fi
log "start-postgres: starting a server in $DATA on port $PORT (stop it with scripts/start-postgres.sh --stop)"
if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_owner "$BIN/pg_ctl" -D "$DATA" -w -t 60 -l "$DATA/server.log" \
    -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c max_connections=200" start >&2 \
    || { cat "$DATA/server.log" >&2; exit 1; }
fi
# Ready when it answers a query.
for _ in $(seq 1 60); do
  if answers; then
    echo "$URL"
    exit 0
  fi
  sleep 1
done
log "start-postgres: the server did not answer on port $PORT; its log:"
cat "$DATA/server.log" >&2
exit 1
