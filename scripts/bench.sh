#!/usr/bin/env bash
# Runs dealflow's benchmarks at full size on a private PostgreSQL sized the
# way a deployment would size it (the machine's shared cluster keeps the
# 128 MB defaults, too small to hold a million rows' indexes): data under
# .data/pg-bench, port 5433. The synthetic data is seeded once (about five
# minutes) and reused. Figures print as tables and are written as JSON
# under .data/bench/.
#
#   scripts/bench.sh            # every benchmark
#   scripts/bench.sh conflicts  # one of them (conflicts, incentives, intake)
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
bin/dealflow migrate --skip-temporal

what="${1:-all}"
count() { psql "$1" -Atc "SELECT count(*) FROM deals" 2>/dev/null || echo 0; }

if [ "$what" = all ] || [ "$what" = conflicts ]; then
  # 1M registrations and 1M accounts.
  if [ "$(count "$DATABASE_URL")" -lt "$size" ]; then
    bin/dealflow seed --synthetic "$size"
  fi
  bin/dealflow bench conflicts --queries 2000 --warmup 200 --json .data/bench/conflicts.json
fi
if [ "$what" = all ] || [ "$what" = queries ]; then
  # The inbox, deal list and dashboard queries over the same 1M registrations.
  if [ "$(count "$DATABASE_URL")" -lt "$size" ]; then
    bin/dealflow seed --synthetic "$size"
  fi
  # A database seeded before the rollups existed gets them once.
  if [ "$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM deal_rollups" 2>/dev/null || echo 0)" = 0 ]; then
    bin/dealflow rollups rebuild
  fi
  bin/dealflow bench queries --reps 50 --json .data/bench/queries.json
fi
if [ "$what" = all ] || [ "$what" = incentives ]; then
  # 1M closed-won deals across 10,000 partners, in a database of their own.
  url="postgres://postgres@127.0.0.1:$port/dealflow_bench_incentives?sslmode=disable"
  if [ "$(count "$url")" -lt "$size" ]; then
    DATABASE_URL="$url" bin/dealflow seed --synthetic "$size" --won --partners 10000
  fi
  DATABASE_URL="$url" bin/dealflow bench incentives --reps 3 --json .data/bench/incentives.json
fi
if [ "$what" = all ] || [ "$what" = intake ]; then
  # Deal intake end to end: its own Temporal dev server (SQLite, WAL) and
  # `dealflow dev` on the bench cluster, both stopped afterwards.
  bash scripts/temporal-cli.sh
  url="postgres://postgres@127.0.0.1:$port/dealflow_bench_intake?sslmode=disable"
  taddr=127.0.0.1:7244
  api=127.0.0.1:8099
  rm -f .data/bench-temporal.db*
  bin/temporal server start-dev --ip 127.0.0.1 --port 7244 --ui-port 8244 --db-filename .data/bench-temporal.db \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal --log-level warn >.data/bench-temporal.log 2>&1 &
  tpid=$!
  dpid=""
  trap 'kill $dpid $tpid 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do bin/temporal operator cluster health --address $taddr >/dev/null 2>&1 && break; sleep 0.5; done
  export TEMPORAL_ADDRESS=$taddr DATABASE_URL="$url" DEALFLOW_HTTP_ADDR=$api DEALFLOW_LOG_LEVEL=warn \
    DEALFLOW_RATE_LIMIT=100000 DEALFLOW_RATE_BURST=100000 DEALFLOW_AUTH_RATE_LIMIT=100000 DEALFLOW_AUTH_RATE_BURST=100000 DEALFLOW_API_METRICS_ADDR=off
  bin/dealflow migrate
  partner=$(bin/dealflow partner create --name "Bench Reseller $(date +%s)" --type reseller --tier gold)
  token=$(bin/dealflow token create --role partner_user --partner "$partner" --service --name "Bench Partner")
  bin/dealflow serve >.data/bench-serve.log 2>&1 &
  spid=$!
  bin/dealflow worker >.data/bench-worker.log 2>&1 &
  wpid=$!
  dpid="$spid $wpid"
  for _ in $(seq 1 120); do curl -sf "http://$api/readyz" >/dev/null && break; sleep 0.5; done
  bin/dealflow bench intake --api "http://$api" --token "$token" --n 1000 --concurrency 50 --json .data/bench/intake.json
  # Resident memory after the run (VmRSS) and at its peak (VmHWM).
  for p in "serve $spid" "worker $wpid"; do
    set -- $p
    echo "$1 resident memory: $(awk '/VmRSS/ {print $2/1024 " MB now"} /VmHWM/ {print $2/1024 " MB peak"}' /proc/$2/status | paste -sd ', ')"
  done | tee .data/bench/memory.txt
  kill $dpid $tpid 2>/dev/null || true
  wait $dpid $tpid 2>/dev/null || true
fi
