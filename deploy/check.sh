#!/usr/bin/env bash
# The desktop-bundle check, outside the test suite (PyInstaller takes minutes on 2 cores):
# builds the bundle with deploy/build.py --desktop, then starts it offscreen in a temporary
# data folder and waits until every actor, the ui included, is ready, and stops it.
# Usage: bash deploy/check.sh [OUT]   (after `source deploy/bootstrap.sh ui,dev`)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/dist}"
python="$root/.venv/bin/python"
"$python" -m pip install -q --disable-pip-version-check "pyinstaller>=6.10"
"$python" "$root/deploy/build.py" --out "$out" --desktop
bundle="$(ls -d "$out"/workbuoy-desktop-*-linux-* | head -n1)"
tmp="$(mktemp -d)"
trap 'WB_DATA_DIR="$tmp/data" "$bundle/workbuoy" stop >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
export WB_DATA_DIR="$tmp/data" WB_METRICS_PORT=0 QT_QPA_PLATFORM=offscreen WB_SYNC_INITIAL_DELAY_SEC=3600 \
       XDG_DATA_HOME="$tmp/share" XDG_CONFIG_HOME="$tmp/config"
"$bundle/workbuoy" --version
start=$(date +%s.%N)
"$bundle/workbuoy" run >"$tmp/run.log" 2>&1 &
for _ in $(seq 1 1200); do grep -q "^workbuoy: ready:" "$tmp/run.log" && break; sleep 0.1; done  # poll, at most 120 s
grep "^workbuoy: ready:" "$tmp/run.log" || { cat "$tmp/run.log"; echo "the bundle did not get ready"; exit 1; }
echo "bundle ready $(echo "$(date +%s.%N) - $start" | bc) s after start"
"$bundle/workbuoy" status
test -f "$XDG_DATA_HOME/applications/workbuoy.desktop" && echo "first start registered the desktop entry"
"$bundle/workbuoy" stop
