#!/usr/bin/env bash
# Runs dealflow's benchmarks at full size on a private PostgreSQL sized the
# way a deployment would size it (the machine's shared cluster keeps the
# 128 MB defaults, too small to hold a million rows' indexes): data under
# .data/pg-bench, port 5433. The synthetic data is seeded once (about five
# minutes) and reused. Figures print as tables and are written as JSON
# under .data/bench/.
#
#   scripts/bench.sh            # every benchmark
#   scripts/bench.sh conflicts  # one of them (conflicts, queries, incentives,
#                               # intake, quote-approve, topology, notify,
#                               # leads, pullback, mapping)
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
  # A database seeded before the synthetic partners had programs (the
  # dashboard's program filter is timed) is seeded again from scratch.
  if [ "$(count "$DATABASE_URL")" -ge "$size" ] &&
     [ "$(psql "$DATABASE_URL" -Atc "SELECT EXISTS (SELECT 1 FROM deals WHERE program_id IS NOT NULL)")" = f ]; then
    echo "the deals have no programs (seeded before them): seeding again" >&2
    psql "$DATABASE_URL" -qc "TRUNCATE deals, partners, users, accounts CASCADE"
  fi
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
if [ "$what" = all ] || [ "$what" = mapping ]; then
  # Account mapping: 100,000 partner accounts × 1,000,000 vendor accounts
  # and 50,000 open opportunities, in a database of their own (seeded once).
  url="postgres://postgres@127.0.0.1:$port/dealflow_bench_mapping?sslmode=disable"
  psql "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" -qc "CREATE DATABASE dealflow_bench_mapping" 2>/dev/null || true
  DATABASE_URL="$url" bin/dealflow migrate --skip-temporal
  DATABASE_URL="$url" bin/dealflow bench mapping --reps 5 --json .data/bench/mapping.json
fi
if [ "$what" = all ] || [ "$what" = intake ] || [ "$what" = quote-approve ] || [ "$what" = leads ] || [ "$what" = pullback ]; then
  # Deal intake end to end, and an auto-approved quote's submit → approved
  # (at 10 in flight): its own Temporal dev server (SQLite, WAL) and
  # `dealflow dev` on the bench cluster, both stopped afterwards.
  bash scripts/temporal-cli.sh
  url="postgres://postgres@127.0.0.1:$port/dealflow_bench_intake?sslmode=disable"
  taddr=127.0.0.1:7244
  api=127.0.0.1:8099
  rm -f .data/bench-temporal.db*
  bash scripts/temporal-dev.sh --ip 127.0.0.1 --port 7244 --ui-port 8244 --db-filename .data/bench-temporal.db --log-level warn >.data/bench-temporal.log 2>&1 &
  tpid=$!
  dpid=""
  trap 'kill $dpid $tpid 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do bin/temporal operator cluster health --address $taddr >/dev/null 2>&1 && break; sleep 0.5; done
  export TEMPORAL_ADDRESS=$taddr DATABASE_URL="$url" DEALFLOW_HTTP_ADDR=$api DEALFLOW_LOG_LEVEL=warn \
    DEALFLOW_RATE_LIMIT=100000 DEALFLOW_RATE_BURST=100000 DEALFLOW_AUTH_RATE_LIMIT=100000 DEALFLOW_AUTH_RATE_BURST=100000 DEALFLOW_API_METRICS_ADDR=off
  bin/dealflow migrate
  partner=$(bin/dealflow partner create --name "Bench Reseller $(date +%s)" --type reseller --tier gold)
  token=$(bin/dealflow token create --role partner_user --partner "$partner" --service --name "Bench Partner")
  manager=$(bin/dealflow token create --role channel_manager --service --name "Bench Manager $(date +%s)")
  # DEALFLOW_BENCH_PPROF_SERVE / _WORKER (e.g. 127.0.0.1:6061, :6062):
  # profile the API and the worker while a benchmark runs (off by default).
  DEALFLOW_PPROF_ADDR="${DEALFLOW_BENCH_PPROF_SERVE:-}" bin/dealflow serve >.data/bench-serve.log 2>&1 &
  spid=$!
  DEALFLOW_PPROF_ADDR="${DEALFLOW_BENCH_PPROF_WORKER:-}" bin/dealflow worker >.data/bench-worker.log 2>&1 &
  wpid=$!
  dpid="$spid $wpid"
  for _ in $(seq 1 120); do curl -sf "http://$api/readyz" >/dev/null && break; sleep 0.5; done
  if [ "$what" = all ] || [ "$what" = intake ]; then
    bin/dealflow bench intake --api "http://$api" --token "$token" --n 1000 --concurrency 50 --json .data/bench/intake.json
  fi
  if [ "$what" = all ] || [ "$what" = quote-approve ]; then
    # Its progress (priced, the bare floor measured) at info on stderr.
    DEALFLOW_LOG_LEVEL=info bin/dealflow bench quote-approve --api "http://$api" --token "$token" --n "${DEALFLOW_BENCH_QUOTE_N:-500}" \
      --concurrency "${DEALFLOW_BENCH_QUOTE_CONCURRENCY:-10}" --json .data/bench/quote-approve.json
  fi
  if [ "$what" = all ] || [ "$what" = leads ]; then
    # 10,000 leads imported (files of 20, 10 in flight: the import starts
    # a file's leads eight at a time, and a file must be answered within
    # the API's write timeout) and routed, beside the bare workflow at the
    # same concurrency.
    bin/dealflow bench leads --api "http://$api" --token "$manager" --n "${DEALFLOW_BENCH_LEADS_N:-10000}" \
      --batch 20 --concurrency 10 --bare-n "${DEALFLOW_BENCH_BARE_N:-2000}" --json .data/bench/leads.json
  fi
  if [ "$what" = all ] || [ "$what" = pullback ]; then
    # 10,000 offers whose accept deadlines fall due once every lead is
    # imported, at the pace they were imported (DEALFLOW_BENCH_DUE_WINDOW=2m:
    # evenly over two minutes): how late each pullback is.
    bin/dealflow bench pullback --api "http://$api" --token "$manager" --n "${DEALFLOW_BENCH_LEADS_N:-10000}" \
      --batch 20 --concurrency 10 --due-window "${DEALFLOW_BENCH_DUE_WINDOW:-0s}" --json .data/bench/pullback.json
  fi
  # Resident memory after the run (VmRSS) and at its peak (VmHWM).
  for p in "serve $spid" "worker $wpid"; do
    set -- $p
    echo "$1 resident memory: $(awk '/VmRSS/ {print $2/1024 " MB now"} /VmHWM/ {print $2/1024 " MB peak"}' /proc/$2/status | paste -sd ', ')"
  done | tee .data/bench/memory.txt
  kill $dpid $tpid 2>/dev/null || true
  wait $dpid $tpid 2>/dev/null || true
fi
if [ "$what" = all ] || [ "$what" = notify ]; then
  # Notification delivery latency on the dev stack: its own Temporal dev
  # server, Mailpit and `dealflow dev` delivering to it; event (an outbox
  # row) → received by Mailpit, beside a bare SMTP send to the same Mailpit.
  bash scripts/temporal-cli.sh
  bash scripts/mailpit.sh
  url="postgres://postgres@127.0.0.1:$port/dealflow_bench_notify?sslmode=disable"
  taddr=127.0.0.1:7246
  rm -f .data/bench-notify-temporal.db*
  bash scripts/temporal-dev.sh --ip 127.0.0.1 --port 7246 --ui-port 8246 --db-filename .data/bench-notify-temporal.db --log-level warn >.data/bench-notify-temporal.log 2>&1 &
  tpid=$!
  rm -f .data/bench-mailpit.db*; bin/mailpit --listen 127.0.0.1:8226 --smtp 127.0.0.1:1226 --database .data/bench-mailpit.db --max 0 >.data/bench-mailpit.log 2>&1 &
  mpid=$!
  dpid=""
  trap 'kill $dpid $mpid $tpid 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do bin/temporal operator cluster health --address $taddr >/dev/null 2>&1 && break; sleep 0.5; done
  export TEMPORAL_ADDRESS=$taddr DATABASE_URL="$url" DEALFLOW_HTTP_ADDR=127.0.0.1:8098 DEALFLOW_LOG_LEVEL=warn \
    DEALFLOW_API_METRICS_ADDR=off DEALFLOW_SMTP_ADDR=127.0.0.1:1226
  bin/dealflow migrate
  bin/dealflow dev >.data/bench-notify-dev.log 2>&1 &
  dpid=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:8098/readyz" >/dev/null && break; sleep 0.5; done
  bin/dealflow bench notify --mailpit http://127.0.0.1:8226 --n "${DEALFLOW_BENCH_NOTIFY_N:-500}" --rate 20 --json .data/bench/notify.json
  kill $dpid $mpid $tpid 2>/dev/null || true
  wait $dpid $mpid $tpid 2>/dev/null || true
fi
if [ "$what" = all ] || [ "$what" = topology ]; then
  # Deal intake on the production topology: the Temporal server itself
  # (scripts/temporal-server.sh; PostgreSQL persistence and visibility, on
  # the machine's PostgreSQL unless DEALFLOW_BENCH_TEMPORAL_PG_PORT says
  # otherwise) and dealflow's database on the bench cluster as for `intake`.
  # `dealflow bench intake` (beside the bare one-activity workflow on the
  # same server) with one API and one worker, then a second worker, then a
  # second API too. The CPU seconds each process used per run show where the
  # machine's cores went. Everything started here stops afterwards.
  bash scripts/temporal-cli.sh
  bash scripts/temporal-server.sh
  tbase="${DEALFLOW_BENCH_TEMPORAL_PORT_BASE:-7300}"
  taddr=127.0.0.1:$tbase
  n="${DEALFLOW_BENCH_INTAKE_N:-1000}"
  : >.data/bench-temporal-server.log # no earlier run's ready line
  TEMPORAL_FRESH=1 TEMPORAL_DB=dealflow_bench_temporal TEMPORAL_VISIBILITY_DB=dealflow_bench_temporal_visibility \
    TEMPORAL_PG_PORT="${DEALFLOW_BENCH_TEMPORAL_PG_PORT:-5432}" TEMPORAL_PORT_BASE=$tbase \
    bash scripts/temporal-server.sh run >>.data/bench-temporal-server.log 2>&1 &
  tpid=$!
  procs=()
  trap 'kill ${procs[*]} $tpid 2>/dev/null || true' EXIT
  until grep -q "temporal server ready" .data/bench-temporal-server.log; do
    kill -0 $tpid 2>/dev/null || { tail -n 20 .data/bench-temporal-server.log; exit 1; }
    sleep 0.5
  done
  grep -v '^{' .data/bench-temporal-server.log >&2 || true
  url="postgres://postgres@127.0.0.1:$port/dealflow_bench_topology?sslmode=disable"
  psql "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" -qc "DROP DATABASE IF EXISTS dealflow_bench_topology WITH (FORCE)"
  export TEMPORAL_ADDRESS=$taddr DATABASE_URL="$url" DEALFLOW_LOG_LEVEL=warn \
    DEALFLOW_RATE_LIMIT=100000 DEALFLOW_RATE_BURST=100000 DEALFLOW_AUTH_RATE_LIMIT=100000 DEALFLOW_AUTH_RATE_BURST=100000 DEALFLOW_API_METRICS_ADDR=off
  bin/dealflow migrate
  partner=$(bin/dealflow partner create --name "Bench Topology Reseller $(date +%s)" --type reseller --tier gold)
  token=$(bin/dealflow token create --role partner_user --partner "$partner" --service --name "Bench Partner")
  apis=() names=()
  start_api() {
    local addr=127.0.0.1:$((8110 + ${#apis[@]}))
    DEALFLOW_HTTP_ADDR=$addr bin/dealflow serve >".data/bench-topology-api${#apis[@]}.log" 2>&1 &
    procs+=($!) names+=("api-$((${#apis[@]} + 1))") apis+=("http://$addr")
    for _ in $(seq 1 120); do curl -sf "http://$addr/readyz" >/dev/null && return; sleep 0.5; done
    echo "the API on $addr did not become ready" >&2; exit 1
  }
  workers=0
  start_worker() {
    workers=$((workers + 1))
    bin/dealflow worker >".data/bench-topology-worker$workers.log" 2>&1 &
    procs+=($!) names+=("worker-$workers")
  }
  hz=$(getconf CLK_TCK)
  cpu() { awk -v hz="$hz" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat"; }
  busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat; }
  measure() { # name: bench intake on the APIs and workers running now
    local name=$1 api_list i before=() after=() b0 b1
    api_list=$(IFS=,; echo "${apis[*]}")
    for i in "${!procs[@]}"; do before[$i]=$(cpu "${procs[$i]}"); done
    local t0 w0; t0=$(cpu $tpid); b0=$(busy); w0=$(date +%s)
    echo; echo "== $name" | tee -a .data/bench/topology.txt
    bin/dealflow bench intake --api "$api_list" --token "$token" --n "$n" --concurrency 50 \
      --json ".data/bench/topology-$(echo "$name" | tr ' ,' '-_').json" | tee -a .data/bench/topology.txt
    for i in "${!procs[@]}"; do after[$i]=$(cpu "${procs[$i]}"); done
    b1=$(busy)
    # Workflows this run started: warm-ups of up to 50 each, then n bare
    # and 2n deals (at full speed, then at half the bare rate).
    local warm=$((n < 50 ? n : 50)) tcpu api_cpu=0 worker_cpu=0 d
    local bare=$((n + warm)) deals=$((2 * n + warm))
    tcpu=$(echo "$(cpu $tpid) - $t0" | bc)
    {
      printf 'CPU seconds in this run (%ss): temporal-server %.1f' "$(($(date +%s) - w0))" "$tcpu"
      for i in "${!procs[@]}"; do
        d=$(echo "${after[$i]} - ${before[$i]}" | bc)
        printf ', %s %.1f' "${names[$i]}" "$d"
        case "${names[$i]}" in api*) api_cpu=$(echo "$api_cpu + $d" | bc) ;; *) worker_cpu=$(echo "$worker_cpu + $d" | bc) ;; esac
      done
      echo " (the rest: PostgreSQL, the bench process with the bare workflow's worker, other users)"
      printf 'CPU per workflow: temporal-server %.1f ms (%d bare and %d deal workflows); per deal: API %.1f ms, workers %.1f ms\n' \
        "$(echo "1000 * $tcpu / ($bare + $deals)" | bc -l)" "$bare" "$deals" \
        "$(echo "1000 * $api_cpu / $deals" | bc -l)" "$(echo "1000 * $worker_cpu / $deals" | bc -l)"
      set -- $b0 $b1
      awk -v bb="$1" -v ib="$2" -v ba="$3" -v ia="$4" -v c="$(nproc)" 'BEGIN { printf "machine busy: %.0f%% of %d cores\n", 100 * (ba - bb) / ((ba - bb) + (ia - ib)), c }'
      for i in "${!procs[@]}"; do printf '%s peak resident memory: %s MB\n' "${names[$i]}" "$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/${procs[$i]}/status")"; done
      printf 'temporal-server peak resident memory: %s MB\n' "$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$tpid/status")"
    } | tee -a .data/bench/topology.txt
  }
  : >.data/bench/topology.txt
  start_api
  start_worker
  measure "1 API, 1 worker"
  start_worker
  measure "1 API, 2 workers"
  start_api
  measure "2 APIs, 2 workers"
  kill ${procs[*]} $tpid 2>/dev/null || true
  wait ${procs[*]} $tpid 2>/dev/null || true
fi
