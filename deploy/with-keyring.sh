#!/usr/bin/env bash
# Runs a command with an unlocked gnome-keyring Secret Service on the current D-Bus
# session (start it under `dbus-run-session`). Used by CI and the headless demo.
# The daemon keeps a throwaway login keyring in a private folder of this run (never
# the user's ~/.local/share/keyrings), so parallel runs never share or re-key a file.
# gnome-keyring creates a login keyring only for a non-empty password: a random one.
set -euo pipefail
if command -v gnome-keyring-daemon >/dev/null && [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  keyring_home="$(mktemp -d -t wb-keyring.XXXXXX)"
  trap 'rm -rf "$keyring_home"' EXIT
  mkdir -p "$keyring_home/keyrings"
  eval "$(head -c 18 /dev/urandom | base64 | XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
  export GNOME_KEYRING_CONTROL
  "$@"
  exit $?
fi
exec "$@"
