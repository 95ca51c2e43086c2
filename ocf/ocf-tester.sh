#!/usr/bin/env bash
# Runs Debian's ocf-tester against pgha on a temporary PostgreSQL instance (15; PGHA_OCF_TESTER_BINDIR
# names another).
# usage: ocf/ocf-tester.sh /path/to/pgha   (the agent must be readable by user nobody)
set -euo pipefail
agent=${1:?usage: ocf-tester.sh /path/to/pgha}
bindir=${PGHA_OCF_TESTER_BINDIR:-/usr/lib/postgresql/15/bin}
port=${PGHA_OCF_TESTER_PORT:-25399}

work=$(mktemp -d /tmp/pgha-ocf-tester.XXXXXX)
chmod 755 "$work"
install -d -o postgres -g postgres -m 700 "$work/data"
install -d -o postgres -g postgres "$work/socket" "$work/state"
cleanup() {
    runuser -u postgres -- "$bindir/pg_ctl" stop -D "$work/data" -m immediate >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "ocf-tester.sh: $("$bindir/postgres" --version), initdb in $work/data"
runuser -u postgres -- "$bindir/initdb" -D "$work/data" -A peer --no-sync >/dev/null
cat >> "$work/data/postgresql.conf" <<CONF
port = $port
unix_socket_directories = '$work/socket'
listen_addresses = ''
wal_level = replica
hot_standby = on
fsync = off
CONF

export HA_RSCTMP="$work/state"
ocf-tester -n pgsqld \
    -o pgdata="$work/data" -o bindir="$bindir" -o pghost="$work/socket" -o pgport="$port" \
    -o logfile="$work/state/postgresql.log" \
    "$agent" 2>&1 | tee "$work/ocf-tester.out"
status=${PIPESTATUS[0]}
grep -q "passed all tests" "$work/ocf-tester.out" || status=1
exit "$status"
