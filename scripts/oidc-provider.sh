#!/usr/bin/env bash
# Builds the development OpenID Connect provider (cmd/oidc-dev: zitadel/oidc's
# OP with a groups claim, pinned in go.mod) into bin/oidc-dev, which `make run`
# and the tests sign vendor staff in through. A build is kept outside the work
# tree, keyed by the provider's source and go.sum, so a later run or a fresh
# clone on this machine copies it instead of building.
set -euo pipefail
cd "$(dirname "$0")/.."

key=$(cat go.sum cmd/oidc-dev/*.go internal/oidcdev/*.go | sha256sum | cut -c1-16)
stamp=bin/.oidc-dev-version
if [ -x bin/oidc-dev ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
  exit 0
fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/dealflow/oidc-dev-$key"
mkdir -p bin
if [ -x "$cache" ]; then
  cp "$cache" bin/oidc-dev
else
  echo "building the development OIDC provider into bin/ (seconds, once)..." >&2
  go build -o bin/oidc-dev ./cmd/oidc-dev
  mkdir -p "$(dirname "$cache")" && cp bin/oidc-dev "$cache.tmp" && mv "$cache.tmp" "$cache"
fi
echo "$key" > "$stamp"
