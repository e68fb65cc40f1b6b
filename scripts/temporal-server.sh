#!/usr/bin/env bash
# The Temporal server of the production topology: the real server from
# go.temporal.io/server with PostgreSQL persistence and visibility, not the
# dev server's SQLite (e2e/topology, `scripts/bench.sh topology`).
#
#   scripts/temporal-server.sh          build it into bin/, once (below)
#   scripts/temporal-server.sh setup    create and upgrade its two databases
#   scripts/temporal-server.sh start    run it until stopped (SIGTERM/Ctrl-C)
#   scripts/temporal-server.sh run      setup, then start
#
# The build, once:
#   bin/temporal-server      go.temporal.io/server/cmd/server
#   bin/temporal-sql-tool    go.temporal.io/server/cmd/tools/sql
#   bin/temporal-schema/     the server's PostgreSQL schemas (postgresql/v12/
#                            temporal and .../visibility, with their versioned
#                            upgrade steps), as the module ships them
# The server takes a few minutes to compile (about 3.5 on two idle cores);
# a copy kept outside the work tree lets fresh clones on this machine and CI
# skip it. Everything comes from the Go module proxy; nothing else is
# downloaded. A later run finds bin/ current and goes on at once.
#
# setup is the server's own tooling, as a deployment runs it: for the
# history database and the visibility database, temporal-sql-tool
# create-database (a no-op when it exists), setup-schema -v 0.0 (versioning
# tables; skipped past 0.0) and update-schema up the versioned directory (only
# the steps not yet applied: the same command upgrades a deployment).
# TEMPORAL_FRESH=1 drops both databases first.
#
# start runs the server on deploy/temporal/config/postgres.yaml (the server
# renders it itself; every setting below is an environment variable) in
# this script's process (exec) until SIGTERM or Ctrl-C; once the frontend
# answers, it registers the `default` namespace if missing and prints
# "temporal server ready at ADDRESS".
# `dealflow migrate` then adds the custom search attributes.
#
# Settings (environment, with their defaults):
#   TEMPORAL_PG_HOST=127.0.0.1 TEMPORAL_PG_PORT=5432 TEMPORAL_PG_USER=postgres
#   TEMPORAL_PG_PASSWORD=       (trust auth on the machine's cluster)
#   TEMPORAL_DB=temporal TEMPORAL_VISIBILITY_DB=temporal_visibility
#   TEMPORAL_FRONTEND_PORT=7233, and the other eight ports the services
#     listen on (see the config); TEMPORAL_PORT_BASE=N sets all nine to N..N+8.
#     Membership ports must be below 32768: the server stores them in a
#     smallint column (cluster_membership.rpc_port) and exits otherwise.
#   TEMPORAL_HISTORY_SHARDS=4 (fixed for a cluster's life), TEMPORAL_LOG_LEVEL=warn
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-build}"
case "$mode" in build|setup|start|run) ;; *) echo "usage: $0 [build|setup|start|run]" >&2; exit 2 ;; esac

want=v1.29.1
build() {
  local stamp=bin/.temporal-server-version
  if [ -x bin/temporal-server ] && [ -x bin/temporal-sql-tool ] && [ -d bin/temporal-schema ] &&
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/dealflow/temporal-server-$want"
  if [ ! -x "$cache/temporal-server" ] || [ ! -x "$cache/temporal-sql-tool" ] || [ ! -d "$cache/temporal-schema" ]; then
    local work t0 t1 t2 mod
    work=$(mktemp -d)
    echo "building the Temporal server $want and its SQL tool (a few minutes, once)..." >&2
    t0=$(date +%s)
    GOBIN="$work" go install "go.temporal.io/server/cmd/server@$want"
    t1=$(date +%s)
    GOBIN="$work" go install "go.temporal.io/server/cmd/tools/sql@$want"
    t2=$(date +%s)
    echo "built: the server in $((t1 - t0))s, the SQL tool in $((t2 - t1))s" >&2
    # The schemas come from the module the build just used.
    mod=$(go env GOMODCACHE)/go.temporal.io/server@$want
    mkdir -p "$work/temporal-schema/postgresql"
    cp -R "$mod/schema/postgresql/v12" "$work/temporal-schema/postgresql/"
    chmod -R u+w "$work/temporal-schema"
    mv "$work/server" "$work/temporal-server"
    mv "$work/sql" "$work/temporal-sql-tool"
    mkdir -p "$(dirname "$cache")"
    rm -rf "$cache.tmp" && cp -R "$work" "$cache.tmp" && rm -rf "$cache" "$work" && mv "$cache.tmp" "$cache"
  fi
  mkdir -p bin
  rm -rf bin/temporal-schema
  cp "$cache/temporal-server" "$cache/temporal-sql-tool" bin/
  cp -R "$cache/temporal-schema" bin/
  echo "$want" > "$stamp"
}
build
[ "$mode" = build ] && exit 0

export TEMPORAL_PG_HOST="${TEMPORAL_PG_HOST:-127.0.0.1}" TEMPORAL_PG_PORT="${TEMPORAL_PG_PORT:-5432}"
export TEMPORAL_PG_USER="${TEMPORAL_PG_USER:-postgres}" TEMPORAL_PG_PASSWORD="${TEMPORAL_PG_PASSWORD:-}"
export TEMPORAL_DB="${TEMPORAL_DB:-temporal}" TEMPORAL_VISIBILITY_DB="${TEMPORAL_VISIBILITY_DB:-temporal_visibility}"

setup() {
  local sql=(bin/temporal-sql-tool --plugin postgres12 --ep "$TEMPORAL_PG_HOST" --port "$TEMPORAL_PG_PORT" --user "$TEMPORAL_PG_USER")
  [ -n "$TEMPORAL_PG_PASSWORD" ] && sql+=(--password "$TEMPORAL_PG_PASSWORD")
  local t0 pair name schema
  t0=$(date +%s)
  for pair in "$TEMPORAL_DB:temporal" "$TEMPORAL_VISIBILITY_DB:visibility"; do
    name=${pair%:*} schema=${pair##*:}
    if [ "${TEMPORAL_FRESH:-}" = 1 ]; then
      "${sql[@]}" --db "$name" drop-database --force >/dev/null 2>&1 || true
    fi
    { "${sql[@]}" --db "$name" create-database &&
      "${sql[@]}" --db "$name" setup-schema -v 0.0 &&
      "${sql[@]}" --db "$name" update-schema -d "bin/temporal-schema/postgresql/v12/$schema/versioned"
    } >"bin/.temporal-sql-tool-$schema.log" 2>&1 || {
      cat "bin/.temporal-sql-tool-$schema.log" >&2
      echo "temporal-sql-tool could not set up database $name on $TEMPORAL_PG_HOST:$TEMPORAL_PG_PORT" >&2
      exit 1
    }
  done
  echo "temporal databases $TEMPORAL_DB and $TEMPORAL_VISIBILITY_DB set up ($(($(date +%s) - t0))s)" >&2
}

start() {
  bash scripts/temporal-cli.sh # bin/temporal, for health checks and the namespace
  if [ -n "${TEMPORAL_PORT_BASE:-}" ]; then
    local b=$TEMPORAL_PORT_BASE
    export TEMPORAL_FRONTEND_PORT=$b TEMPORAL_FRONTEND_HTTP_PORT=$((b + 1)) TEMPORAL_FRONTEND_MEMBERSHIP_PORT=$((b + 2))
    export TEMPORAL_HISTORY_PORT=$((b + 3)) TEMPORAL_HISTORY_MEMBERSHIP_PORT=$((b + 4))
    export TEMPORAL_MATCHING_PORT=$((b + 5)) TEMPORAL_MATCHING_MEMBERSHIP_PORT=$((b + 6))
    export TEMPORAL_WORKER_PORT=$((b + 7)) TEMPORAL_WORKER_MEMBERSHIP_PORT=$((b + 8))
  fi
  local addr="127.0.0.1:${TEMPORAL_FRONTEND_PORT:-7233}" t0
  t0=$(date +%s)
  # Beside the server, once it answers: the namespace and the ready line.
  # The server replaces this shell (exec), so its process is the one a
  # caller started, stops and signals.
  (
    until bin/temporal operator cluster health --address "$addr" >/dev/null 2>&1; do
      kill -0 $$ 2>/dev/null || exit 1
      sleep 0.5
    done
    if ! bin/temporal operator namespace describe --address "$addr" --namespace default >/dev/null 2>&1; then
      bin/temporal operator namespace create --address "$addr" --namespace default --retention 72h >/dev/null
    fi
    # Ready once the frontend's namespace cache (refreshed every 2 s) has it.
    until bin/temporal operator search-attribute list --address "$addr" --namespace default >/dev/null 2>&1; do
      sleep 0.5
    done
    echo "temporal server ready at $addr (PostgreSQL persistence and visibility; $(($(date +%s) - t0))s)"
  ) &
  exec bin/temporal-server --root . --config deploy/temporal/config --env postgres --allow-no-auth start
}

case "$mode" in
  setup) setup ;;
  start) start ;;
  run) setup && start ;;
esac
