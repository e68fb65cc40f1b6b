#!/usr/bin/env bash
# Builds the pinned Mailpit (the SMTP server and web UI that `make run` and the
# tests deliver e-mail to) into bin/mailpit, once: a later run finds it and returns.
# The build comes from the Go module proxy; nothing is downloaded at run time.
set -euo pipefail
cd "$(dirname "$0")/.."

want=v1.33.1
stamp=bin/.mailpit-version
if [ -x bin/mailpit ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
# A copy kept outside the work tree lets fresh clones on this machine skip the build.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/dealflow/mailpit-$want"
mkdir -p bin
if [ -x "$cache" ]; then
  cp "$cache" bin/mailpit
else
  echo "building Mailpit $want into bin/ (about a minute, once)..." >&2
  GOBIN="$PWD/bin" go install "github.com/axllent/mailpit@$want"
  mkdir -p "$(dirname "$cache")" && cp bin/mailpit "$cache.tmp" && mv "$cache.tmp" "$cache"
fi
echo "$want" > "$stamp"
