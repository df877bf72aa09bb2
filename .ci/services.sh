#!/usr/bin/env bash
# Installs what the real test services need (called by .ci/run). Idempotent and quiet:
# - PostgreSQL server binaries from Debian (tests run a throwaway cluster as user kimball-pg);
# - the S3-compatible server (s3rver) and the REST server need nothing here: s3rver is an npm
#   dev dependency, the REST server is node:http.
set -euo pipefail

need=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
command -v runuser >/dev/null || need+=(util-linux)
# TLS tests make a self-signed certificate with the openssl CLI.
command -v openssl >/dev/null || need+=(openssl)

if [ ${#need[@]} -gt 0 ]; then
  SUDO=''
  [ "$(id -u)" -eq 0 ] || SUDO='sudo'
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian's package starts a cluster of its own; tests never use it, so do not keep it running.
  $SUDO service postgresql stop >/dev/null 2>&1 || true
fi

# The unprivileged user that runs test clusters (PostgreSQL refuses to run as root).
if [ "$(id -u)" -eq 0 ] && ! id -u kimball-pg >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin kimball-pg
fi
echo "services: postgresql $(ls /usr/lib/postgresql | sort -n | tail -1) ready"
