#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 and prints a URL that
# reaches it as a role allowed to create databases. Uses a running server when
# there is one; otherwise installs Debian's package and starts a cluster.
set -euo pipefail

HOST=127.0.0.1
PORT=5432

log() { printf '[ensure-postgres] %s\n' "$*" >&2; }

can_connect() {
  command -v psql >/dev/null 2>&1 || return 1
  psql "$1" -Atqc 'select 1' >/dev/null 2>&1
}

answering() {
  command -v pg_isready >/dev/null 2>&1 && pg_isready -h "$HOST" -p "$PORT" -q
}

if ! answering; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    log "installing PostgreSQL from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql postgresql-client >&2
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  log "starting cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  for _ in $(seq 1 30); do answering && break; sleep 1; done
  answering || { log "PostgreSQL did not start"; exit 1; }
fi

for url in "postgres://postgres@$HOST:$PORT/postgres" "postgres://postgres:postgres@$HOST:$PORT/postgres"; do
  if can_connect "$url"; then echo "$url"; exit 0; fi
done

# A fresh Debian cluster authenticates TCP logins by password: give the superuser one.
log "setting a password for the postgres role"
su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >&2
url="postgres://postgres:postgres@$HOST:$PORT/postgres"
can_connect "$url" || { log "cannot connect to $url"; exit 1; }
echo "$url"
