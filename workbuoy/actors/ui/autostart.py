"""``startAtLogin``: the XDG autostart entry that starts ``workbuoy run`` when the user logs in.

Linux desktops (GNOME, KDE, XFCE, ...) start every ``$XDG_CONFIG_HOME/autostart/*.desktop``
entry at login (the XDG Autostart specification). The entry runs the same Python and
package as this process, so it starts what the user installed. macOS (a LaunchAgent
plist) and Windows (a Run registry value) are described in docs/ui.md, not written here.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

NAME = "workbuoy.desktop"


def entry_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".config"  # the spec ignores a relative value
    return root / "autostart" / NAME


def _quote(arg: str) -> str:
    """An ``Exec`` argument: plain, or in double quotes with ``"`$\\`` escaped (the Desktop Entry spec)."""
    return arg if re.fullmatch(r"[A-Za-z0-9_./:=@+-]+", arg) else '"' + re.sub(r'([\\"`$])', r"\\\1", arg) + '"'


def entry_text() -> str:
    command = " ".join(_quote(a) for a in (sys.executable, "-m", "workbuoy", "run"))
    return ("[Desktop Entry]\nType=Application\nName=WorkBuoy\nComment=Your CRM, offline and in sync\n"
            f"Exec={command}\nTerminal=false\nX-GNOME-Autostart-enabled=true\n")


def apply(enabled: bool) -> str:
    """Write or remove the entry (atomically); returns what was done, for the log."""
    path = entry_path()
    if not enabled:
        if path.exists():
            path.unlink()
            return f"removed {path}"
        return "no autostart entry"
    text = entry_text()
    if path.exists() and path.read_text() == text:
        return f"{path} is up to date"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{NAME}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    return f"wrote {path}"
