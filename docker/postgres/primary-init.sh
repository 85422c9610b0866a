#!/bin/sh
# Runs once when the primary's data directory is created: allow the replica to stream.
set -eu
echo "host replication postgres all scram-sha-256" >> "$PGDATA/pg_hba.conf"
