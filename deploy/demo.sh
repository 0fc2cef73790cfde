#!/usr/bin/env bash
# The demo on a fresh machine: installs what it needs, then runs the sandbox server,
# the supervisor and every actor, signs in the demo user and shows live status.
# With no display it runs the headless node. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""  # the headless node needs no Qt
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then extras=ui; fi
source deploy/bootstrap.sh "$extras"
exec dbus-run-session -- bash deploy/with-keyring.sh python -m workbuoy demo "$@"
