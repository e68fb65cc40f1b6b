#!/usr/bin/env bash
# `make run`: brings up everything dealflow needs on this machine and runs it
# on its defaults: PostgreSQL (scripts/postgres.sh), the pinned Temporal dev
# server on a SQLite file under .data/, migrations and search attributes,
# Mailpit, the development OIDC provider vendor staff sign in through, a
# demo partner and channel manager with fresh tokens, then `dealflow dev`
# (API and worker in one process) on DEALFLOW_HTTP_ADDR until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .data

bash scripts/postgres.sh
bash scripts/temporal-cli.sh
bash scripts/mailpit.sh
bash scripts/oidc-provider.sh
go build -o bin/dealflow ./cmd/dealflow

temporal_addr="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
temporal_pid=""
mailpit_pid=""
oidc_pid=""
dealflow_pid=""
# On exit or Ctrl-C, stop what this script started, dealflow first.
stop_all() {
  for pid in $dealflow_pid $oidc_pid $mailpit_pid $temporal_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_all EXIT
trap 'exit 130' INT TERM HUP

if bin/temporal operator cluster health --address "$temporal_addr" >/dev/null 2>&1; then
  echo "using the Temporal server already at $temporal_addr" >&2
else
  echo "starting the Temporal dev server on $temporal_addr (state in .data/temporal.db, UI on port 8233)" >&2
  bash scripts/temporal-dev.sh --ip "${temporal_addr%:*}" --port "${temporal_addr##*:}" \
    --db-filename .data/temporal.db --log-level warn >.data/temporal.log 2>&1 &
  temporal_pid=$!
  for _ in $(seq 1 120); do
    bin/temporal operator cluster health --address "$temporal_addr" >/dev/null 2>&1 && break
    kill -0 "$temporal_pid" 2>/dev/null || { echo "dealflow: the Temporal dev server exited; see .data/temporal.log" >&2; exit 1; }
    sleep 0.5
  done
fi

bin/dealflow migrate

# Mailpit receives every notification e-mail (docs/notify.md); its web UI
# shows them. One already listening on the SMTP port is used as it is.
smtp_addr="${DEALFLOW_SMTP_ADDR:-127.0.0.1:1025}"
mailpit_ui="${MAILPIT_UI_ADDR:-127.0.0.1:8025}"
if (exec 3<>"/dev/tcp/${smtp_addr%:*}/${smtp_addr##*:}") 2>/dev/null; then
  echo "using the SMTP server already at $smtp_addr" >&2
else
  bin/mailpit --listen "$mailpit_ui" --smtp "$smtp_addr" --database .data/mailpit.db >.data/mailpit.log 2>&1 &
  mailpit_pid=$!
fi
export DEALFLOW_SMTP_ADDR="$smtp_addr"
export DEALFLOW_CONSOLE_URL="${DEALFLOW_CONSOLE_URL:-http://${DEALFLOW_HTTP_ADDR:-127.0.0.1:8080}}"
# Unsubscribe links are signed with a secret kept under .data/ across runs.
if [ -z "${DEALFLOW_NOTIFY_SECRET:-}" ]; then
  [ -s .data/notify-secret ] || tr -dc 'a-zA-Z0-9' </dev/urandom | head -c 32 > .data/notify-secret || true
  export DEALFLOW_NOTIFY_SECRET="$(cat .data/notify-secret)"
fi
# TOTP secrets are encrypted under a key kept under .data/ across runs.
if [ -z "${DEALFLOW_TOTP_KEY:-}" ]; then
  [ -s .data/totp-key ] || tr -dc 'a-zA-Z0-9' </dev/urandom | head -c 32 > .data/totp-key || true
  export DEALFLOW_TOTP_KEY="$(cat .data/totp-key)"
fi

# Vendor staff sign in through an OpenID Connect provider (docs/people.md).
# Unless DEALFLOW_OIDC_ISSUER names one, the development provider
# (cmd/oidc-dev: zitadel/oidc's OP with the demo staff of internal/oidcdev)
# runs on OIDC_DEV_ADDR with a client for this console's callback.
oidc_note=""
if [ -z "${DEALFLOW_OIDC_ISSUER:-}" ]; then
  oidc_addr="${OIDC_DEV_ADDR:-127.0.0.1:9998}"
  if (exec 3<>"/dev/tcp/${oidc_addr%:*}/${oidc_addr##*:}") 2>/dev/null; then
    echo "dealflow: $oidc_addr is taken; set OIDC_DEV_ADDR to run the development OIDC provider elsewhere" >&2
    exit 1
  fi
  bin/oidc-dev --addr "$oidc_addr" --client-id dealflow --client-secret dealflow-dev-secret \
    --redirect-uri "$DEALFLOW_CONSOLE_URL/console/sign-in/oidc/callback" >.data/oidc-dev.log 2>&1 &
  oidc_pid=$!
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/${oidc_addr%:*}/${oidc_addr##*:}") 2>/dev/null && break
    kill -0 "$oidc_pid" 2>/dev/null || { echo "dealflow: the OIDC provider exited; see .data/oidc-dev.log" >&2; exit 1; }
    sleep 0.2
  done
  export DEALFLOW_OIDC_ISSUER="http://$oidc_addr/" DEALFLOW_OIDC_CLIENT_ID=dealflow DEALFLOW_OIDC_CLIENT_SECRET=dealflow-dev-secret
  export DEALFLOW_OIDC_NAME="${DEALFLOW_OIDC_NAME:-dev SSO}"
  oidc_note="vendor staff: open http://${DEALFLOW_HTTP_ADDR:-127.0.0.1:8080}/console/sign-in, \"Sign in with $DEALFLOW_OIDC_NAME\"
  (the development OIDC provider on http://$oidc_addr/), and sign in as the vendor admin
    ada.admin@vendor.example  password dealflow-demo-oidc
  (same password: max.manager@, fay.finance@, sam.sales@vendor.example)"
fi

# The demo partner is created once and reused; tokens are minted each run
# (they are shown once and stored only as hashes).
partner=$(cat .data/demo-partner-id 2>/dev/null || true)
partner_token=""
if [ -n "$partner" ]; then
  partner_token=$(bin/dealflow token create --role partner_user --partner "$partner" --name "Pat Partner" \
    --email "pat+${partner:0:8}@demo-reseller.example" 2>/dev/null || true)
fi
if [ -z "$partner_token" ]; then
  partner=$(bin/dealflow partner create --name "Demo Reseller" --type reseller --tier gold)
  echo "$partner" > .data/demo-partner-id
  partner_token=$(bin/dealflow token create --role partner_user --partner "$partner" --name "Pat Partner" \
    --email "pat+${partner:0:8}@demo-reseller.example")
fi
manager_token=$(bin/dealflow token create --role channel_manager --name "Morgan Manager" --email morgan@vendor.example)

addr="${DEALFLOW_HTTP_ADDR:-127.0.0.1:8080}"
close_date=$(date -u -d '+120 days' +%F)
# A customer of its own for each demo, so that it never conflicts with the
# deals of earlier demos (conflict detection would send it to review).
suffix=$(tr -dc 'a-z' </dev/urandom | head -c 6 || true)
customer="Acme ${suffix^} Corp"
customer_domain="acme-${suffix}.com"
cat > .data/demo.sh <<DEMO
# dealflow demo: run these in another terminal (also saved in .data/demo.sh).
export PARTNER_TOKEN=$partner_token
export MANAGER_TOKEN=$manager_token

# 1. The partner registers a deal (amount in cents):
DEAL=\$(curl -s -X POST http://$addr/v1/deals -H "Authorization: Bearer \$PARTNER_TOKEN" -H 'Content-Type: application/json' \\
  -d '{"customer":{"name":"$customer","domain":"$customer_domain","country":"US"},"contact":{"name":"Jane Doe","email":"jane@$customer_domain"},"product_lines":["firewall"],"amount":1250000,"currency":"USD","expected_close_date":"$close_date","notes":"demo"}' \\
  | grep -o '"id":"[^"]*"' | head -n 1 | cut -d'"' -f4); echo "deal \$DEAL"

# 2. The channel manager approves it:
curl -s -X POST http://$addr/v1/deals/\$DEAL/approve -H "Authorization: Bearer \$MANAGER_TOKEN" -H 'Content-Type: application/json' -d '{"reason":"strategic account"}'; echo

# 3. The partner reads it with its timeline (who, when, what, why):
curl -s http://$addr/v1/deals/\$DEAL -H "Authorization: Bearer \$PARTNER_TOKEN"; echo
DEMO

echo
echo "dealflow is starting on http://$addr  (Temporal UI: http://127.0.0.1:8233)"
metrics_addr="${DEALFLOW_API_METRICS_ADDR:-127.0.0.1:9090}"
[ "$metrics_addr" = off ] || echo "Prometheus metrics on http://$metrics_addr/metrics (DEALFLOW_API_METRICS_ADDR)"
[ -z "$mailpit_pid" ] || echo "notification e-mails: Mailpit on http://$mailpit_ui (SMTP $smtp_addr)"
echo "demo partner $partner"
[ -z "$oidc_note" ] || echo "$oidc_note"
echo
cat .data/demo.sh
echo
DEALFLOW_HTTP_ADDR="$addr" bin/dealflow dev &
dealflow_pid=$!
wait "$dealflow_pid"
