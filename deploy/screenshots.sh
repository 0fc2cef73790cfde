#!/usr/bin/env bash
# Retakes docs/screenshots/*.png (sign-in window, main window, portal window) under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/bootstrap.sh ui,portal,dev
exec python deploy/screenshots.py
