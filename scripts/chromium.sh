#!/usr/bin/env bash
# Makes sure headless Chromium is installed for the browser tests (Debian's
# chromium package); prints its path. The tests call this before starting it.
set -euo pipefail
for c in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; exit 0; fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "dealflow: Chromium is missing and apt-get is not available; install Chromium and set CHROMIUM" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "installing Debian's chromium for the browser tests (once)..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2 || true
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
echo /usr/bin/chromium
