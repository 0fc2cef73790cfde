#!/usr/bin/env bash
# Installs what WorkBuoy needs on a fresh Debian machine: system libraries for Qt
# and the Secret Service, a virtualenv in .venv and the package itself.
# Usage: source deploy/bootstrap.sh [extras]   (extras default: ui,portal,dev; "" for none)
set -euo pipefail
_wb_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_wb_extras="${1-ui,portal,dev}"
_wb_apt=(dbus dbus-x11 gnome-keyring libsecret-tools libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3
         systemd xdg-utils desktop-file-utils  # systemd-analyze verify, xdg-mime/xdg-open (docs/deploy.md)
         libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0   # Qt's xcb plugin on a real display
         libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libasound2 libxkbfile1 libgbm1 libxcb-dri3-0  # Qt WebEngine
         xvfb xdotool imagemagick)  # the test under a real X server, and docs/screenshots
_wb_missing=()
for p in "${_wb_apt[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || _wb_missing+=("$p"); done
if [ ${#_wb_missing[@]} -gt 0 ]; then
  echo "[bootstrap] apt-get install ${_wb_missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${_wb_missing[@]}" >/dev/null
fi
if [ ! -x "$_wb_root/.venv/bin/python" ]; then
  echo "[bootstrap] creating .venv"
  python3 -m venv "$_wb_root/.venv"
fi
_wb_spec="$_wb_root${_wb_extras:+[$_wb_extras]}"
echo "[bootstrap] pip install -e $_wb_spec"
"$_wb_root/.venv/bin/python" -m pip install -q --disable-pip-version-check -e "$_wb_spec"
export PATH="$_wb_root/.venv/bin:$PATH"
