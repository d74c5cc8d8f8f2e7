#!/usr/bin/env bash
# A streaming standby of the local PostgreSQL primary, for the replica router's tests and bench:
#   scripts/pg_standby.sh start|stop|status
# `start` makes (once) a second cluster on 127.0.0.1:$STANDBY_PORT from `pg_basebackup -R` of the
# primary and starts it; it reuses a standby that is already running or that can still catch up, and
# takes a new base backup when the old copy cannot stream any more (the primary was rebuilt, or the
# WAL it needs is gone). `stop` stops it (its data is kept). Both are idempotent. Run as root or as
# the postgres OS user; PostgreSQL itself runs as postgres. The primary gets a `host replication`
# line for 127.0.0.1 in its pg_hba.conf if it has none (then reloaded, not restarted).
set -euo pipefail

PRIMARY_HOST="${PRIMARY_HOST:-127.0.0.1}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
STANDBY_PORT="${STANDBY_PORT:-5433}"
STANDBY_DIR="${STANDBY_DIR:-/var/lib/postgresql/tongzhou-standby}"
STANDBY_LOG="${STANDBY_LOG:-/var/log/postgresql/tongzhou-standby.log}"
WAIT_SECONDS="${WAIT_SECONDS:-60}"

as_pg() {
    if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

primary_sql() { psql -X -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -Atc "$1"; }
standby_sql() { psql -X -q -h 127.0.0.1 -p "$STANDBY_PORT" -U postgres -d postgres -Atc "$1" 2>/dev/null; }

bin_dir() {
    # The standby's own version once it exists (stop and status work with the primary down).
    local major
    if [ -f "$STANDBY_DIR/PG_VERSION" ]; then
        major=$(cat "$STANDBY_DIR/PG_VERSION")
    else
        major=$(($(primary_sql "SHOW server_version_num") / 10000))
    fi
    echo "/usr/lib/postgresql/$major/bin"
}

running() { [ -f "$STANDBY_DIR/postmaster.pid" ] && as_pg "$(bin_dir)/pg_ctl" -D "$STANDBY_DIR" status >/dev/null 2>&1; }

streaming() { [ "$(standby_sql "SELECT status FROM pg_stat_wal_receiver")" = "streaming" ]; }

wait_streaming() {
    for _ in $(seq 1 "$WAIT_SECONDS"); do
        streaming && return 0
        sleep 1
    done
    return 1
}

need_primary() {
    if ! pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"; then
        echo "pg_standby: the primary on $PRIMARY_HOST:$PRIMARY_PORT is not running" >&2
        exit 1
    fi
}

allow_replication() {
    local hba
    hba=$(primary_sql "SHOW hba_file")
    if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+[^[:space:]]+[[:space:]]+127\.0\.0\.1/32' "$hba"; then
        echo "pg_standby: allowing replication from 127.0.0.1 in $hba"
        printf '\n# Streaming replication to the local standby (scripts/pg_standby.sh)\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
        primary_sql "SELECT pg_reload_conf()" >/dev/null
    fi
}

same_system() {
    local ours theirs
    ours=$(as_pg "$(bin_dir)/pg_controldata" "$STANDBY_DIR" 2>/dev/null | sed -n 's/^Database system identifier: *//p')
    theirs=$(primary_sql "SELECT system_identifier FROM pg_control_system()")
    [ -n "$ours" ] && [ "$ours" = "$theirs" ]
}

base_backup() {
    echo "pg_standby: base backup of $PRIMARY_HOST:$PRIMARY_PORT into $STANDBY_DIR"
    rm -rf "$STANDBY_DIR"
    install -d -o postgres -g postgres -m 700 "$STANDBY_DIR"
    as_pg pg_basebackup -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$STANDBY_DIR" \
        --write-recovery-conf --wal-method=stream --checkpoint=fast --no-password
    # A Debian cluster keeps its configuration in /etc, outside the copied data directory: the
    # standby gets its own. Hot standby needs these limits at least as high as the primary's.
    local limits=""
    for name in max_connections max_worker_processes max_prepared_transactions max_locks_per_transaction \
        max_wal_senders; do
        limits+="$name = $(primary_sql "SHOW $name")"$'\n'
    done
    as_pg tee "$STANDBY_DIR/postgresql.conf" >/dev/null <<EOF
# The Tongzhou standby (scripts/pg_standby.sh), a streaming copy of $PRIMARY_HOST:$PRIMARY_PORT.
cluster_name = 'tongzhou-standby'
port = $STANDBY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/var/run/postgresql'
hot_standby = on
hot_standby_feedback = on
wal_level = replica
$limits
EOF
    as_pg tee "$STANDBY_DIR/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
    as_pg touch "$STANDBY_DIR/pg_ident.conf"
    rm -f "$STANDBY_DIR/postmaster.pid"
}

start_server() {
    install -d -o postgres -g postgres /var/run/postgresql
    as_pg "$(bin_dir)/pg_ctl" -D "$STANDBY_DIR" -l "$STANDBY_LOG" -w -t "$WAIT_SECONDS" start >/dev/null
}

stop_server() {
    if running; then
        as_pg "$(bin_dir)/pg_ctl" -D "$STANDBY_DIR" -m fast -w stop >/dev/null
    fi
}

cmd_start() {
    need_primary
    allow_replication
    if running && streaming; then
        echo "pg_standby: already running on 127.0.0.1:$STANDBY_PORT, streaming"
        return 0
    fi
    if [ -f "$STANDBY_DIR/standby.signal" ] && same_system; then
        running || start_server
        if wait_streaming; then
            echo "pg_standby: running on 127.0.0.1:$STANDBY_PORT, streaming (kept its copy)"
            return 0
        fi
        echo "pg_standby: the old copy does not stream (see $STANDBY_LOG); making a new one"
    fi
    stop_server
    base_backup
    start_server
    if ! wait_streaming; then
        echo "pg_standby: the standby started but does not stream; see $STANDBY_LOG" >&2
        exit 1
    fi
    echo "pg_standby: running on 127.0.0.1:$STANDBY_PORT, streaming"
}

cmd_stop() {
    if [ -f "$STANDBY_DIR/PG_VERSION" ] && running; then
        stop_server
        echo "pg_standby: stopped"
    else
        echo "pg_standby: not running"
    fi
}

cmd_status() {
    if ! [ -f "$STANDBY_DIR/PG_VERSION" ] || ! running; then
        echo "pg_standby: not running"
        return 3
    fi
    local state
    state=$(standby_sql "SELECT coalesce((SELECT status FROM pg_stat_wal_receiver), 'not streaming') \
        || ', replayed up to ' || coalesce(pg_last_wal_replay_lsn()::text, '-')")
    echo "pg_standby: running on 127.0.0.1:$STANDBY_PORT ($STANDBY_DIR), ${state:-not answering}"
    streaming
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
*)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
