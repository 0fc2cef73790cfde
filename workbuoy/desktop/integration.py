"""Register WorkBuoy with a freedesktop (XDG) desktop, and remove it again.

Files go where the XDG Base Directory spec says (``$XDG_DATA_HOME``, default
``~/.local/share``; ``$XDG_CONFIG_HOME``, default ``~/.config``); the scheme handler is
registered with ``xdg-mime`` (xdg-utils) so that ``xdg-open workbuoy://…`` and the
browsers that ask xdg-open start ``workbuoy run <url>``, which hands the link to a
running node or starts one that opens it once its ui is ready.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

from workbuoy.platform import current

ENTRY = "workbuoy.desktop"
SCHEME_MIME = "x-scheme-handler/workbuoy"


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def paths() -> dict[str, Path]:
    return {
        "entry": data_home() / "applications" / ENTRY,
        "icon": data_home() / "icons" / "hicolor" / "scalable" / "apps" / "workbuoy.svg",
    }


def launcher_argv() -> list[str]:
    """The command that starts this installation: the bundle's binary, the venv's script, or ``python -m``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.executable).with_name("workbuoy")
    return [str(script)] if script.exists() else [sys.executable, "-m", "workbuoy"]


def launcher() -> str:
    return " ".join(_quote(a) for a in launcher_argv())


def _quote(arg: str) -> str:
    """Desktop Entry Exec quoting: double quotes around arguments with reserved characters."""
    if not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg
    return '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'


def entry_text() -> str:
    lines = [
        "[Desktop Entry]", "Type=Application", "Version=1.0", "Name=WorkBuoy", "GenericName=CRM client",
        "Comment=Offline-first client of the WorkBuoy CRM portal", "Icon=workbuoy", "Terminal=false",
        "Categories=Office;",
    ]
    lines += [f"Exec={launcher()} run %u", "MimeType=x-scheme-handler/workbuoy;", "StartupWMClass=workbuoy"]
    return "\n".join(lines) + "\n"


def install(*, start_at_login: bool) -> list[str]:
    """Write the entry and icon, make us the ``workbuoy:`` handler; returns what was done."""
    p = paths()
    done = [_write(p["entry"], entry_text())]
    p["icon"].parent.mkdir(parents=True, exist_ok=True)
    p["icon"].write_bytes(resources.files("workbuoy.desktop").joinpath("workbuoy.svg").read_bytes())
    done.append(f"icon {p['icon']}")
    if change := set_autostart(start_at_login):
        done.append(change)
    _run("xdg-mime", "default", ENTRY, SCHEME_MIME)
    done.append(f"{SCHEME_MIME} -> {ENTRY} (xdg-mime)")
    _refresh_caches()
    return done


def set_autostart(enabled: bool) -> str:
    """Write or remove the login entry to match ``startAtLogin`` (the OS's own kind: ``workbuoy.platform``);
    says what changed ("" if nothing)."""
    if enabled:
        return f"autostart {current.autostart_enable([*launcher_argv(), 'run'])}"
    if current.autostart_enabled():
        current.autostart_disable()
        return "autostart entry removed (startAtLogin is off)"
    return ""


def uninstall() -> list[str]:
    done = [change] if (change := set_autostart(False)) else []
    for path in paths().values():
        if path.exists():
            path.unlink()
            done.append(f"removed {path}")
    mimeapps = config_home() / "mimeapps.list"
    if mimeapps.exists():
        ini = configparser.ConfigParser(interpolation=None, delimiters=("=",))
        ini.optionxform = str
        ini.read(mimeapps)
        if any(ini.remove_option(s, SCHEME_MIME) for s in ini.sections() if ini.has_option(s, SCHEME_MIME)):
            with open(mimeapps, "w") as f:
                ini.write(f, space_around_delimiters=False)
            done.append(f"{SCHEME_MIME} unregistered in {mimeapps}")
    _refresh_caches()
    return done


def _write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.chmod(0o755)  # some desktops only trust executable entries
    os.replace(tmp, path)
    return f"wrote {path}"


def _run(*cmd: str) -> None:
    if shutil.which(cmd[0]) is None:
        raise RuntimeError(f"{cmd[0]} is not installed (Debian/Ubuntu: apt install xdg-utils)")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.strip()}")


def _refresh_caches() -> None:
    """Optional tools: desktops that cache entries and icons read the new ones at once."""
    if shutil.which("update-desktop-database"):
        subprocess.run(["update-desktop-database", str(data_home() / "applications")], capture_output=True, timeout=60)
    if shutil.which("gtk-update-icon-cache"):
        subprocess.run(["gtk-update-icon-cache", "-qtf", str(data_home() / "icons" / "hicolor")], capture_output=True, timeout=60)
