#!/bin/sh
# Streaming replica: clone the primary with pg_basebackup on first start, then follow it.
set -eu
PGDATA="${PGDATA:-/var/lib/postgresql/data}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready -h "$PRIMARY_HOST" -p 5432 -U postgres; do sleep 1; done
    rm -rf "${PGDATA:?}"/*
    PGPASSWORD="$POSTGRES_PASSWORD" pg_basebackup -h "$PRIMARY_HOST" -p 5432 -U postgres \
        -D "$PGDATA" -R -X stream -c fast
    chmod 700 "$PGDATA"
fi
exec postgres -D "$PGDATA" -c hot_standby=on
