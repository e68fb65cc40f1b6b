#!/usr/bin/env bash
# Makes sure pdftotext (Debian's poppler-utils) is installed for the quote
# document test, which reads the PDF's text back; prints its path. The
# test calls this before running it.
set -euo pipefail
for c in "${PDFTOTEXT:-}" /usr/bin/pdftotext; do
  if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; exit 0; fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "dealflow: pdftotext is missing and apt-get is not available; install poppler-utils and set PDFTOTEXT" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "installing Debian's poppler-utils for the quote document test (once)..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2 || true
$sudo apt-get install -y -qq --no-install-recommends poppler-utils >&2
echo /usr/bin/pdftotext
