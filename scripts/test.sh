#!/usr/bin/env bash
# `make test`: every check and test dealflow has, against real services.
# Starts PostgreSQL if needed and builds the pinned Temporal CLI (the e2e
# tests start their own dev server with it), Mailpit (their SMTP server), the
# development OIDC provider (cmd/oidc-dev, vendor staff's sign-in) and
# the pinned Temporal server (e2e/topology runs it on PostgreSQL; a few
# minutes the first time on a machine, cached after); fails, never skips,
# when a service cannot be had.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }

step "services"
bash scripts/postgres.sh
bash scripts/temporal-cli.sh
bash scripts/temporal-server.sh
bash scripts/mailpit.sh
bash scripts/oidc-provider.sh

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi

step "go vet"
go vet ./...

step "sqlc generated code is current"
go tool sqlc diff

step "OpenAPI description lints (@redocly/cli from npm)"
mkdir -p out
go run ./cmd/dealflow openapi > out/openapi.json
(cd out && npx --yes @redocly/cli@2.77.0 lint openapi.json --format=stylish)

step "browser for the console tests"
bash scripts/chromium.sh >/dev/null

step "pdftotext for the quote document test"
bash scripts/poppler.sh >/dev/null

step "go test -race"
go test -race -count=1 ./...

printf '\nall checks passed in %ss\n' "$(( $(date +%s) - start ))"
