#!/usr/bin/env bash
# Everything Linli needs on a fresh Debian 12 / Ubuntu machine: system packages (apt), then the npm workspaces.
# Both README commands start with this script; it is safe to run again (it skips what is already done).
set -euo pipefail
cd "$(dirname "$0")/.."

node_version=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null || {
  echo "Linli needs Node.js >= 20.19 (found: ${node_version}). Install Node 20 LTS or newer, then run this again." >&2
  exit 1
}

bash scripts/setup-system.sh

# Electron's own install step downloads its binary from outside the npm registry; kiosks without it run the
# Chromium shell, so the download is skipped (see kiosk/README.md for machines that have Electron).
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
# Native modules (better-sqlite3, pcsclite) build against the installed Node headers instead of downloading them.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi

stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ -z "$(find package-lock.json package.json ./*/package.json -newer "$stamp" 2>/dev/null)" ]; then
  echo "setup: node_modules is up to date"
else
  echo "setup: installing npm packages (native modules build from source; this takes a few minutes the first time)"
  npm ci --no-audit --no-fund
fi
