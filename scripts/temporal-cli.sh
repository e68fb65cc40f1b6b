#!/usr/bin/env bash
# Builds the pinned Temporal CLI (its dev server is what `make run` and the
# tests use) into bin/temporal, once: a later run finds it and returns.
# The build comes from the Go module proxy; nothing is downloaded at run time.
set -euo pipefail
cd "$(dirname "$0")/.."

want=v1.5.1
stamp=bin/.temporal-version
if [ -x bin/temporal ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
# A copy kept outside the work tree lets fresh clones on this machine skip the build.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/dealflow/temporal-$want"
mkdir -p bin
if [ -x "$cache" ]; then
  cp "$cache" bin/temporal
else
  echo "building the Temporal CLI $want into bin/ (a few minutes, once)..." >&2
  GOBIN="$PWD/bin" go install "github.com/temporalio/cli/cmd/temporal@$want"
  mkdir -p "$(dirname "$cache")" && cp bin/temporal "$cache.tmp" && mv "$cache.tmp" "$cache"
fi
echo "$want" > "$stamp"
