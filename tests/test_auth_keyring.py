"""Sign-in against the sandbox with the session in a real keyring, never on disk in clear.

The system-keyring tests need a Secret Service: run them as
``dbus-run-session -- bash deploy/with-keyring.sh python -m pytest tests/test_auth_keyring.py``.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.fixtures.node import wait_for
from tests.fixtures.sandbox import DEMO, sandbox, sandbox_factory  # noqa: F401
from tests.fixtures.signed_in import FILE_KEYRING, files_under, login, sandbox_secrets
from workbuoy.bus.client import Client
from workbuoy.bus.errors import BusError

pytestmark = pytest.mark.timeout(180)


def secret_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["secret-tool", *args], capture_output=True, text=True, timeout=30)


@pytest.fixture
def secret_service() -> None:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.skip("needs a Secret Service: dbus-run-session -- bash deploy/with-keyring.sh")


def assert_not_on_disk(folder, cookie: str) -> None:
    for path in files_under(folder):
        blob = path.read_bytes()
        assert cookie.encode() not in blob, f"the session cookie is in {path}"
        assert not sandbox_secrets(blob), f"a session cookie or token is in {path}"


def me_status(sandbox, cookie: str) -> int:
    return sandbox.client("/api").get("/me", headers={"Cookie": f"wb_session={cookie}"}).status_code


def test_login_stores_the_cookie_in_the_secret_service_only(secret_service, sandbox, node_factory):
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin).start()
    login(node)
    state = node.call("wb:auth:status")
    assert (state.state, state.email) == ("signed_in", DEMO[0])

    found = secret_tool("search", "service", f"workbuoy:{sandbox.origin}")
    assert found.returncode == 0, found.stderr
    cookie = next(line.split(" = ", 1)[1] for line in found.stdout.splitlines() if line.startswith("secret = "))
    assert me_status(sandbox, cookie) == 200
    assert_not_on_disk(node.data_dir, cookie)

    node.stop()  # a restart resumes the session from the keyring
    node.start()
    wait_for(lambda: node.call("wb:auth:status").state == "signed_in", 30, what="signed in after restart")

    out = node.cli("logout")
    assert out.returncode == 0, out.stderr
    assert node.call("wb:auth:status").state == "signed_out"
    assert "secret = " not in secret_tool("search", "service", f"workbuoy:{sandbox.origin}").stdout
    assert me_status(sandbox, cookie) == 401  # revoked at the portal, not only forgotten


def test_headless_fail_backend_refuses_to_sign_in(sandbox, node_factory):
    fail = "keyring.backends.fail.Keyring"
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, PYTHON_KEYRING_BACKEND=fail).start()
    out = node.cli("login", "--email", DEMO[0], "--password-stdin", input=DEMO[1] + "\n")
    assert out.returncode == 1
    assert "failed" in out.stderr and "WB_KEYRING_BACKEND=file" in out.stderr
    assert node.call("wb:auth:status").state == "signed_out"
    assert "POST /auth/login" not in sandbox.admin.get("/stats").json()["routes"]  # the password went nowhere


def test_file_backend_with_a_key_keeps_the_session_encrypted(sandbox, node_factory):
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    login(node)
    vault = node.data_dir / "keyring.cfg"
    assert vault.is_file()
    assert not sandbox_secrets(vault.read_bytes())
    assert_not_on_disk(node.data_dir, "wb_session=")
    node.stop()
    node.start()
    wait_for(lambda: node.call("wb:auth:status").state == "signed_in", 30, what="signed in after restart")
    assert node.cli("logout").returncode == 0


def test_file_backend_without_a_key_is_a_clear_error(sandbox, node_factory, monkeypatch):
    monkeypatch.delenv("WB_KEYRING_KEY", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, WB_KEYRING_BACKEND="file").start()
    out = node.cli("login", "--email", DEMO[0], "--password-stdin", input=DEMO[1] + "\n")
    assert out.returncode == 1 and "WB_KEYRING_KEY" in out.stderr and "wb_keyring_key" in out.stderr


def test_systemd_credential_file_is_a_key(sandbox, node_factory, tmp_path):
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "wb_keyring_key").write_text("from-systemd\n")
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, WB_KEYRING_BACKEND="file",
                        CREDENTIALS_DIRECTORY=str(creds)).start()
    login(node)
    assert node.call("wb:auth:status").state == "signed_in"


def test_bad_password_is_unauthenticated(sandbox, node_factory):
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    out = node.cli("login", "--email", DEMO[0], "--password-stdin", input="wrong\n")
    assert out.returncode == 1 and "unauthenticated" in out.stderr and "wrong" not in out.stderr


def test_neither_the_ui_nor_the_cli_obtains_credentials(sandbox, node_factory):
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    login(node)
    for identity, code in ((None, "forbidden"), (b"ui", "impostor")):
        with Client(node.endpoints, identity=identity) as client:
            with pytest.raises(BusError) as err:
                client.call("wb:auth:credentials", {"forceRefresh": False})
            assert err.value.code == code


def test_revoked_session_signs_out_once_without_a_retry_loop(sandbox_factory, node_factory):
    sandbox = sandbox_factory("--token-ttl", "2")
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, WB_PREFER_BEARER="1", **FILE_KEYRING).start()
    login(node)
    sandbox.admin.post("/revoke").raise_for_status()
    state = wait_for(lambda: (s := node.call("wb:auth:status")).state == "expired" and s, 30, what="expired state")
    assert "sign in again" in state.reason
    with pytest.raises(BusError) as err:
        node.call("wb:sync:start", {})
    assert err.value.code == "unauthenticated"

    def refreshes() -> int:
        return sum(sandbox.admin.get("/stats").json()["routes"].get("POST /auth/refresh", {}).values())

    seen = refreshes()
    with pytest.raises(AssertionError):  # nothing renews a dead session: the count stays put for 3 s
        wait_for(lambda: refreshes() > seen, 3, interval=0.2)


def test_an_unreachable_portal_keeps_the_session_and_renewal_resumes(sandbox_factory, node_factory):
    sandbox = sandbox_factory("--token-ttl", "2")
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, WB_PREFER_BEARER="1", **FILE_KEYRING).start()
    login(node)
    sandbox.stop()

    def failures() -> float:
        samples = node.call("wb:metrics:snapshot").samples
        return samples.get("wb_desktop_auth_renewal_failures_total", 0)

    wait_for(lambda: failures() >= 1, 30, what="a failed renewal")
    assert node.call("wb:auth:status").state == "signed_in"
    sandbox.restart()
    if sandbox.origin != node.env["WB_PORTAL_BASE_URL"]:
        pytest.skip("the sandbox could not get its port back")
    wait_for(lambda: node.call("wb:auth:status").token_expires_at and
             sum(sandbox.admin.get("/stats").json()["routes"].get("POST /auth/refresh", {}).values()) >= 1,
             60, what="renewal after the portal came back")
    assert node.call("wb:auth:status").state == "signed_in"


def test_rbac_follows_the_roles_from_me(sandbox, node_factory):
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING).start()
    assert not node.call("wb:rbac:can", {"action": "ai.use"}).allowed  # signed out
    login(node, "viewer@workbuoy.test", "viewer-password")
    viewer = node.call("wb:rbac:can", {"action": "queue.write", "orgId": "org-1"})
    assert (viewer.allowed, viewer.roles) == (False, ["viewer"])
    assert node.call("wb:rbac:can", {"action": "ai.use", "orgId": "org-1"}).allowed
    assert not node.call("wb:rbac:can", {"action": "ai.use", "orgId": "org-2"}).allowed  # not a member
    login(node)  # the demo user: admin and sales everywhere
    assert node.call("wb:rbac:can", {"action": "settings.update"}).allowed
    assert node.call("wb:rbac:can", {"action": "queue.write", "orgId": "org-2"}).allowed
