"""Secrets only where needed: what every process of the user can read in /proc shows none.

``/proc/<pid>/environ`` and ``/proc/<pid>/cmdline`` are readable by every process of the
same user, so the keyring key, spawn keys, routing identities, the cookie, tokens and
the password must be in neither, for the supervisor and every actor of a signed-in node.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import DEMO
from tests.fixtures.signed_in import FILE_KEYRING, login, sandbox_secrets, sync
from workbuoy.schemas.base import ACTOR_NAMES
from workbuoy.supervisor import childenv

pytestmark = pytest.mark.timeout(300)

SPAWN_KEY = re.compile(rb"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")  # secrets.token_hex(16)
IDENTITY = re.compile(rb"(?:" + b"|".join(n.encode() for n in ACTOR_NAMES) + rb"):[A-Za-z0-9_-]{32}")
FORBIDDEN_NAMES = (b"WB_KEYRING_KEY=", b"WB_ACTOR_KEY=", b"CREDENTIALS_DIRECTORY=")


def proc_text(pid: int, what: str) -> bytes:
    return Path(f"/proc/{pid}/{what}").read_bytes()


def secrets_in(blob: bytes, keyring_key: str) -> list[str]:
    found = [s for s in (keyring_key, DEMO[1]) if s.encode() in blob]
    found += sandbox_secrets(blob)
    hexes = b"\0".join(e for e in blob.split(b"\0") if not e.startswith(b"DBUS_SESSION_BUS_ADDRESS="))  # its guid is 32 hex
    found += [m.group(0).decode() for m in SPAWN_KEY.finditer(hexes)]
    found += [m.group(0).decode() for m in IDENTITY.finditer(blob)]
    return found


def test_no_process_of_a_signed_in_desktop_node_shows_a_secret(sandbox, node_factory):
    node = node_factory("run", WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    login(node)
    sync(node)  # the cookie and an access token are in use in auth and sync now
    pids = {"supervisor": node.proc.pid, **node.actor_pids()}
    assert set(pids) == {"supervisor", *ACTOR_NAMES}
    for name, pid in pids.items():
        environ, cmdline = proc_text(pid, "environ"), proc_text(pid, "cmdline")
        assert secrets_in(environ, FILE_KEYRING["WB_KEYRING_KEY"]) == [], f"{name} environ"
        assert secrets_in(cmdline, FILE_KEYRING["WB_KEYRING_KEY"]) == [], f"{name} cmdline"
        if name != "supervisor":  # the supervisor's own block keeps the (emptied) name
            assert not any(v in environ for v in FORBIDDEN_NAMES), f"{name} environ names a secret"
    maps = proc_text(pids["ui"], "maps").decode(errors="replace")
    assert "keyring.cfg" not in maps and "/keyrings/" not in maps


def test_the_keyring_key_of_a_systemd_credential_reaches_a_restarted_auth_actor(sandbox, node_factory, tmp_path, monkeypatch):
    monkeypatch.delenv("WB_KEYRING_KEY", raising=False)
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "wb_keyring_key").write_text("from-systemd\n")
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, WB_KEYRING_BACKEND="file", CREDENTIALS_DIRECTORY=str(creds)).start()
    login(node)
    old = node.actor_pids()["auth"]
    node.call("wb:sup:restart", {"actor": "auth"})
    wait_for(lambda: node.actor_pids().get("auth") not in (None, old), 30, what="a new auth process")
    node.wait_ready()
    # the new process could open the encrypted file: the key came to it again, from the supervisor's memory
    wait_for(lambda: node.call("wb:auth:status").state == "signed_in", 30, what="signed in after the restart")
    environ = proc_text(node.actor_pids()["auth"], "environ")
    assert b"CREDENTIALS_DIRECTORY=" not in environ and b"from-systemd" not in environ


def test_a_child_environment_is_built_on_purpose():
    source = {"PATH": "/bin", "HOME": "/home/u", "LC_ALL": "C", "XDG_RUNTIME_DIR": "/run/user/1", "WB_DATA_DIR": "/d",
              "WB_KEYRING_KEY": "k", "WB_ACTOR_KEY": "a", "CREDENTIALS_DIRECTORY": "/run/creds", "AWS_SECRET_ACCESS_KEY": "x",
              "DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "b", "HTTPS_PROXY": "http://p"}
    common = {"PATH", "HOME", "LC_ALL", "XDG_RUNTIME_DIR", "WB_DATA_DIR", "HTTPS_PROXY"}
    assert set(childenv.child_environ("sync", source)) == common
    assert set(childenv.child_environ("auth", source)) == common | {"PYTHON_KEYRING_BACKEND"}
    assert set(childenv.child_environ("ui", source)) == common | {"DISPLAY", "QT_QPA_PLATFORM"}


def test_every_configuration_variable_but_the_keyring_key_reaches_the_actors():
    root = Path(childenv.__file__).resolve().parents[1]
    read = set()
    for module in ("config.py", "bus/runtime.py"):
        read |= set(re.findall(r'"((?:WB|SENTRY)_[A-Z_]+)"', (root / module).read_text()))
    assert read - set(childenv.CONFIG) == {"WB_KEYRING_KEY"}


@pytest.mark.parametrize("stdin", [b"", b"{not json", b'{"key": "k"}'])
def test_an_actor_without_its_spawn_secrets_on_stdin_refuses_to_start(tmp_path, stdin):
    out = subprocess.run([sys.executable, "-m", "workbuoy.actors", "sync"], input=stdin, capture_output=True, timeout=60,
                         env={**os.environ, "WB_DATA_DIR": str(tmp_path)})
    assert out.returncode == 2 and b"no spawn secrets on stdin" in out.stderr
