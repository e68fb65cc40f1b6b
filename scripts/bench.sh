#!/usr/bin/env bash
# Runs dealflow's benchmarks at full size on a private PostgreSQL sized the
# way a deployment would size it (the machine's shared cluster keeps the
# 128 MB defaults, too small to hold a million rows' indexes): data under
# .data/pg-bench, port 5433. The synthetic data is seeded once (about five
# minutes) and reused. Figures print as tables and are written as JSON
# under .data/bench/.
#
#   scripts/bench.sh            # every benchmark
#   scripts/bench.sh conflicts  # one of them
set -euo pipefail
cd "$(dirname "$0")/.."

port="${DEALFLOW_BENCH_PG_PORT:-5433}"
size="${DEALFLOW_BENCH_SIZE:-1000000}"
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/dealflow_bench?sslmode=disable"
DEALFLOW_PG_DATA=.data/pg-bench \
DEALFLOW_PG_OPTIONS="-c shared_buffers=2GB -c effective_cache_size=8GB -c work_mem=64MB -c maintenance_work_mem=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min" \
  bash scripts/postgres.sh

go build -o bin/dealflow ./cmd/dealflow
mkdir -p .data/bench

have=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM deals" 2>/dev/null || echo 0)
if [ "${have:-0}" -lt "$size" ]; then
  bin/dealflow seed --synthetic "$size"
fi

what="${1:-all}"
if [ "$what" = all ] || [ "$what" = conflicts ]; then
  bin/dealflow bench conflicts --queries 2000 --warmup 200 --json .data/bench/conflicts.json
fi
