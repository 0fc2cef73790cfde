#!/usr/bin/env bash
# Retakes docs/screenshots/*.png (sign-in, main and portal windows; tray menu, Mini-Buoy and settings
# in light and dark; the main window, record pane and conflict view in light and dark, 200,000 rows) under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/bootstrap.sh ui,portal,dev
exec python deploy/screenshots.py "$@"
