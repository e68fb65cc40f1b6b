#!/usr/bin/env bash
# Starts the Temporal dev server (bin/temporal, scripts/temporal-cli.sh)
# with the settings every dev stack here uses — `make run`, the benchmarks;
# internal/testenv passes the same to the tests' servers — and any further
# flags given (ports, --db-filename, --log-level):
#
#   - SQLite in WAL mode, synced at checkpoints (not at every commit);
#   - one partition per task queue. The server's default is four, made for
#     many pollers: with a worker's few pollers, a task written to a
#     partition no poller waits on waits up to matching.syncMatchWaitDuration
#     (200 ms) for a match, then goes through the backlog in SQLite, and a
#     workflow start with one activity crosses matching three times
#     (BENCHMARKS.md, "An auto-approved quote").
set -euo pipefail
cd "$(dirname "$0")/.."
# The dev server's garbage collector ran at 15 % of its CPU under the quote
# benchmark; GOGC=200 (DEALFLOW_TEMPORAL_GOGC) trades a larger heap for it.
GOGC="${DEALFLOW_TEMPORAL_GOGC:-200}" exec bin/temporal server start-dev \
  --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
  --dynamic-config-value matching.numTaskqueueReadPartitions=1 \
  --dynamic-config-value matching.numTaskqueueWritePartitions=1 \
  "$@"
