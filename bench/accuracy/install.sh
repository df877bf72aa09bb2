#!/usr/bin/env bash
# Installs what the accuracy corpus is built from, then builds it (bench/data/accuracy/corpus/):
# Debian packages (R with the survival, dslabs and tidyr data packages; iso-codes; tzdata) and the pinned
# npm data packages (fetched by `npm pack` inside build.ts). Run once before `npm run bench -- accuracy`;
# the bench itself then needs no network. Idempotent and quiet; PostgreSQL comes from .ci/services.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
pkgs=(r-base-core r-cran-survival r-cran-dslabs r-cran-tidyr iso-codes tzdata)
need=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=''
  [ "$(id -u)" -eq 0 ] || SUDO='sudo'
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
node --import tsx bench/accuracy/build.ts
