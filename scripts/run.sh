#!/usr/bin/env bash
# Runs the lab: installs what is missing, builds the release page and serves it
# on http://127.0.0.1:8080 (set PORT to change it). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh lab
source scripts/env.sh
trunk build --release
port="${PORT:-8080}"
echo
echo "Mail Lab is running at http://127.0.0.1:$port/  (Ctrl-C to stop)"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory dist
