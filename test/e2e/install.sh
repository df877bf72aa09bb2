#!/usr/bin/env bash
# Installs what the end-to-end suite needs, from Debian and the npm registry only (no other network):
#   - Debian: ripgrep (VS Code's search binary), libkrb5-dev (code-server's native kerberos module compiles
#     against it); the browser is the project's devDependency @sparticuz/chromium (test/helpers/browser.ts);
#   - code-server (VS Code's real server with a Node extension host) into test/e2e/host, OUTSIDE the
#     project's node_modules so `npm ci` of the project stays small;
#   - playwright-core and mocha as devDependencies of the project (normally already in package.json).
# Idempotent and quiet: every step is skipped when its result is already there. Needs root for apt-get.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$(cd "$HERE/../.." && pwd)"
HOST="$HERE/host"
say() { echo "e2e install: $*"; }

# 1. Debian packages (one apt-get update when a package is missing; apt is shared, so serialise on a lock).
missing=()
for pkg in ripgrep libkrb5-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  flock /tmp/apt.lock sh -c "apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing[*]} >/dev/null"
fi

# 2. code-server, pinned. Its postinstall installs VS Code's own modules, one of which (@vscode/ripgrep)
#    downloads a binary from GitHub: seed that package's download cache with Debian's rg instead.
if [ ! -f "$HOST/node_modules/code-server/out/node/entry.js" ] \
   || [ ! -e "$HOST/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ]; then
  mkdir -p "$HOST/pack"
  tgz="$HOST/pack/code-server-$CODE_SERVER_VERSION.tgz"
  if [ ! -f "$tgz" ]; then
    say "fetching code-server@$CODE_SERVER_VERSION"
    (cd "$HOST/pack" && npm pack --silent "code-server@$CODE_SERVER_VERSION" >/dev/null)
  fi
  # The ripgrep package version decides the cache folder name; read it from code-server's own shrinkwrap.
  rg_version="$(tar -xzOf "$tgz" package/lib/vscode/npm-shrinkwrap.json | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      console.log(JSON.parse(s).packages["node_modules/@vscode/ripgrep"].version);
    });')"
  tmp="${TMPDIR:-/tmp}"
  cache="$tmp/vscode-ripgrep-cache-$rg_version"
  mkdir -p "$cache"
  for asset in ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz ripgrep-v13.0.0-13-x86_64-unknown-linux-musl.tar.gz; do
    [ -f "$cache/$asset" ] || tar czf "$cache/$asset" -C "$(dirname "$(command -v rg)")" rg
  done
  say "installing code-server@$CODE_SERVER_VERSION into test/e2e/host (about a minute)"
  [ -f "$HOST/package.json" ] || echo '{ "name": "kimball-e2e-host", "private": true }' > "$HOST/package.json"
  (cd "$HOST" && npm_config_unsafe_perm=true npm_config_yes=true flock /tmp/npm.lock \
    npm install --no-save --no-audit --no-fund --loglevel=error "$tgz" >"$HOST/install.log" 2>&1) || {
    tail -40 "$HOST/install.log"; say "code-server install failed (full log: $HOST/install.log)"; exit 1; }
fi

# 3. The project's own test dependencies (package.json normally lists them already; this only repairs).
cd "$PROJECT"
need=()
for pkg in playwright-core mocha; do
  [ -d "node_modules/$pkg" ] || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  say "npm install --save-dev ${need[*]}"
  flock /tmp/npm.lock npm install --save-dev --no-audit --no-fund --loglevel=error "${need[@]}" >/dev/null
fi
say "ready (code-server $CODE_SERVER_VERSION)"
