"""Desktop integration in temporary XDG folders: entry, scheme handler, icon, autostart,
xdg-open reaching a running node, and a cold-start deep link."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.fixtures.node import wait_for

pytest.importorskip("PySide6", reason="the ui extra is not installed")
needs_xdg = pytest.mark.skipif(shutil.which("xdg-mime") is None, reason="xdg-utils is not installed (deploy/bootstrap.sh installs it)")
pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def xdg(tmp_path, monkeypatch):
    env = {"XDG_DATA_HOME": str(tmp_path / "share"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_DIRS": str(tmp_path / "share"), "XDG_CONFIG_DIRS": str(tmp_path / "config")}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("XDG_CURRENT_DESKTOP", raising=False)
    monkeypatch.delenv("DESKTOP_SESSION", raising=False)
    return tmp_path


def query_handler() -> str:
    return subprocess.run(["xdg-mime", "query", "default", "x-scheme-handler/workbuoy"], capture_output=True, text=True,
                          timeout=60).stdout.strip()


def ui_log_has(node, text: str) -> bool:
    log = node.data_dir / "logs" / "ui.log"
    return log.exists() and text in log.read_text()


@needs_xdg
def test_install_registers_entry_handler_icon_and_autostart(xdg, node_factory):
    node = node_factory(mode="run")
    assert query_handler() == ""
    done = node.cli("install-desktop", check=True)
    assert "x-scheme-handler/workbuoy -> workbuoy.desktop" in done.stdout
    entry = xdg / "share" / "applications" / "workbuoy.desktop"
    assert "MimeType=x-scheme-handler/workbuoy;" in entry.read_text() and " run %u" in entry.read_text()
    assert (xdg / "share" / "icons" / "hicolor" / "scalable" / "apps" / "workbuoy.svg").exists()
    if shutil.which("desktop-file-validate"):
        v = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert v.returncode == 0 and not v.stdout.strip(), v.stdout
    assert query_handler() == "workbuoy.desktop"
    assert not (xdg / "config" / "autostart" / "workbuoy.desktop").exists()  # startAtLogin is off by default

    (node.data_dir / "settings.json").write_text('{"startAtLogin": true}')
    node.cli("install-desktop", check=True)
    assert "X-GNOME-Autostart-enabled=true" in (xdg / "config" / "autostart" / "workbuoy.desktop").read_text()

    node.cli("uninstall-desktop", check=True)
    assert query_handler() == ""
    assert not entry.exists() and not (xdg / "config" / "autostart" / "workbuoy.desktop").exists()


def test_autostart_follows_the_start_at_login_setting(xdg, node_factory):
    node = node_factory(mode="run").start()
    entry = xdg / "config" / "autostart" / "workbuoy.desktop"
    node.call("wb:updateSettings", {"startAtLogin": True})
    assert " run" in entry.read_text() and "X-GNOME-Autostart-enabled=true" in entry.read_text()
    node.call("wb:updateSettings", {"startAtLogin": False})
    assert not entry.exists()


@needs_xdg
def test_xdg_open_reaches_a_running_node(xdg, node_factory):
    node = node_factory(mode="run")
    node.cli("install-desktop", check=True)
    node.start()
    session = {**node.env, "WAYLAND_DISPLAY": "wayland-0"}  # xdg-open asks scheme handlers only in a graphical session
    opened = subprocess.run(["xdg-open", "workbuoy://deals/42"], env=session, capture_output=True, text=True, timeout=60)
    assert opened.returncode == 0, opened.stderr
    wait_for(lambda: ui_log_has(node, "deep link workbuoy://deals/42 opened the deals tab"), 30, what="the link in ui.log")


def test_cold_start_deep_link_opens_once_the_ui_is_ready(node_factory):
    node = node_factory(mode="run")
    log = open(node.data_dir / "supervisor.out", "ab")
    node.proc = subprocess.Popen([sys.executable, "-m", "workbuoy", "run", "workbuoy://deals/42"], env=node.env, stdout=log, stderr=log)
    node.wait_ready()
    wait_for(lambda: ui_log_has(node, "deep link workbuoy://deals/42 opened the deals tab"), 30, what="the link in ui.log")


def test_a_cold_start_refuses_a_link_of_another_scheme(node_factory):
    done = node_factory(mode="run").cli("run", "https://example.com/")
    assert done.returncode == 2 and "is not a workbuoy: link" in done.stderr
