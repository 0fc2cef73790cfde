#!/bin/sh
# Installs the WorkBuoy headless node from this bundle, offline, into a virtualenv.
#   ./install.sh [PREFIX]        default PREFIX: ~/.local/share/workbuoy/app
# Then, for a systemd user service: systemctl --user enable --now workbuoy-node
# (the unit is written to ~/.config/systemd/user; docs/deploy.md explains the keyring key).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${1:-${HOME}/.local/share/workbuoy/app}
python=${PYTHON:-python3}
"$python" -m venv "$prefix"
"$prefix/bin/python" -m pip install --quiet --disable-pip-version-check --no-index --find-links "$here/wheels" workbuoy
if [ -z "${WB_NO_UNIT:-}" ]; then
  units=${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user
  mkdir -p "$units"
  sed "s#/opt/workbuoy#$prefix#g" "$here/systemd/workbuoy-node.service" > "$units/workbuoy-node.service"
  echo "systemd user unit: $units/workbuoy-node.service"
fi
echo "installed: $("$prefix/bin/workbuoy" --version) in $prefix"
