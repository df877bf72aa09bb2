#!/usr/bin/env bash
# Debian packages the tests need: a C compiler (ClickHouse test server from libchdb), PostgreSQL,
# ripgrep (VS Code host). Idempotent and quiet. The webview and end-to-end tests' Chromium comes from
# npm (@sparticuz/chromium, test/helpers/browser.ts).
set -euo pipefail
need=()
command -v gcc >/dev/null || need+=(gcc)
command -v rg >/dev/null || need+=(ripgrep)
# The PNG export renders its text with DejaVu (without a font it still renders, without text).
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ -f .ci/services.sh ]; then bash .ci/services.sh; fi
