"""The plugins actor: signed manifests, RBAC-checked toggles that persist, real exports."""

from __future__ import annotations

import asyncio
import base64
import csv
import logging
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import apsw
import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.fixtures.node import Node, wait_for
from tests.fixtures.sandbox import ROOT
from tests.fixtures.signed_in import FILE_KEYRING, login, signed_in_node
from workbuoy.actors.plugins import trust
from workbuoy.actors.plugins.actor import Slot
from workbuoy.actors.plugins.adapters import ADAPTERS
from workbuoy.actors.plugins.adapters.base import Context
from workbuoy.actors.plugins.adapters.csv_export import CsvExport
from workbuoy.actors.plugins.adapters.ics_export import fold, text
from workbuoy.bus.errors import BusError
from workbuoy.schemas.auth import Me, MeOrg, MeUser
from workbuoy.store import Store

pytestmark = pytest.mark.timeout(120)

ORG = "org-export"
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
HOUR = 3_600_000
IDS = ("csv-export", "ics-export")


# -- trust: a pure function, so tampering is tested without touching the package ----------

NOW = datetime(2026, 12, 1, tzinfo=UTC)
CSV = trust.Binding.of(CsvExport)
MANIFEST = {"id": "csv-export", "name": "CSV export", "version": "1.0.0", "expires": "2027-01-01T00:00:00Z",
            "permissions": ["exports.write"], "adapter": "CsvExport", "adapter_sha256": CSV.code_sha256()}


def signed(key: Ed25519PrivateKey, manifest: dict) -> tuple[bytes, bytes]:
    body = msgspec.json.encode(manifest)
    return body, base64.b64encode(key.sign(body))


def check(key: Ed25519PrivateKey, manifest: dict, *, floor: str | None = None, binding: trust.Binding = CSV,
          now: datetime = NOW) -> trust.Manifest:
    return trust.verify(*signed(key, manifest), binding, key=key.public_key(), now=now, floor=floor)


def test_shipped_manifests_verify_against_the_shipped_key():
    for cls in ADAPTERS:
        manifest = trust.load(trust.Binding.of(cls), now=datetime.now(UTC), floor=None)
        assert manifest.id == cls.id and "exports.write" in manifest.permissions


def test_a_good_signature_verifies():
    assert check(Ed25519PrivateKey.generate(), MANIFEST).permissions == ("exports.write",)


def _tampered_bytes(key: Ed25519PrivateKey) -> tuple[bytes, bytes, str]:
    body, sig = signed(key, MANIFEST)
    return body.replace(b'["exports.write"]', b'["exports.write","cache.read:messages"]'), sig, "does not match"


def _other_key(key: Ed25519PrivateKey) -> tuple[bytes, bytes, str]:
    return *signed(Ed25519PrivateKey.generate(), MANIFEST), "does not match"


def _garbage_signature(key: Ed25519PrivateKey) -> tuple[bytes, bytes, str]:
    return signed(key, MANIFEST)[0], b"not base64!", "not base64"


def _signed_for_another_adapter(key: Ed25519PrivateKey) -> tuple[bytes, bytes, str]:
    return *signed(key, {**MANIFEST, "id": "ics-export", "adapter": "IcsExport"}), "manifest is for ics-export/IcsExport"


def _signed_but_malformed(key: Ed25519PrivateKey) -> tuple[bytes, bytes, str]:
    return *signed(key, {**MANIFEST, "entry_point": "os.system"}), "not valid"


def _without_expiry(key: Ed25519PrivateKey) -> tuple[bytes, bytes, str]:
    return *signed(key, {k: v for k, v in MANIFEST.items() if k != "expires"}), "not valid"


def _without_code_hash(key: Ed25519PrivateKey) -> tuple[bytes, bytes, str]:
    return *signed(key, {k: v for k, v in MANIFEST.items() if k != "adapter_sha256"}), "not valid"


def _expiry_without_a_zone(key: Ed25519PrivateKey) -> tuple[bytes, bytes, str]:
    return *signed(key, {**MANIFEST, "expires": "2027-01-01T00:00:00"}), "not valid"


def _version_not_numbers(key: Ed25519PrivateKey) -> tuple[bytes, bytes, str]:
    return *signed(key, {**MANIFEST, "version": "1.0.0-beta"}), "not valid"


@pytest.mark.parametrize("case", [_tampered_bytes, _other_key, _garbage_signature, _signed_for_another_adapter,
                                  _signed_but_malformed, _without_expiry, _without_code_hash, _expiry_without_a_zone,
                                  _version_not_numbers])
def test_untrusted_manifests_are_refused_with_the_reason(case):
    key = Ed25519PrivateKey.generate()
    body, sig, reason = case(key)
    with pytest.raises(trust.Untrusted, match=reason):
        trust.verify(body, sig, CSV, key=key.public_key(), now=NOW, floor=None)


def test_an_older_properly_signed_manifest_is_a_rollback_once_a_newer_one_was_accepted():
    key = Ed25519PrivateKey.generate()
    old, new = {**MANIFEST, "version": "1.9.0"}, {**MANIFEST, "version": "1.10.0"}
    assert check(key, old).version == "1.9.0"  # nothing accepted yet: fine
    assert check(key, new, floor="1.9.0").version == "1.10.0"  # compared as numbers, not text
    assert check(key, new, floor="1.10.0").version == "1.10.0"  # the same version again: fine
    with pytest.raises(trust.Untrusted, match=r"rollback: version 1\.9\.0 is older than 1\.10\.0"):
        check(key, old, floor="1.10.0")


def test_an_expired_manifest_is_refused():
    key = Ed25519PrivateKey.generate()
    expires = datetime(2027, 1, 1, tzinfo=UTC)
    assert check(key, MANIFEST, now=expires - timedelta(seconds=1))
    with pytest.raises(trust.Untrusted, match="expired on 2027-01-01"):
        check(key, MANIFEST, now=expires)


def test_a_modified_adapter_module_is_refused(tmp_path: Path):
    key = Ed25519PrivateKey.generate()
    copy = tmp_path / "csv_export.py"
    copy.write_bytes(CSV.module.read_bytes())
    binding = trust.Binding(CSV.id, CSV.adapter_class, copy)
    assert check(key, MANIFEST, binding=binding)  # a byte-for-byte copy is the signed code
    copy.write_bytes(CSV.module.read_bytes() + b"\nimport os  # an extra line\n")
    with pytest.raises(trust.Untrusted, match="csv_export.py is not the code the manifest signs"):
        check(key, MANIFEST, binding=binding)
    copy.unlink()
    with pytest.raises(trust.Untrusted, match="cannot read the adapter code"):
        check(key, MANIFEST, binding=binding)


def test_a_shipped_manifest_edited_after_signing_is_refused(tmp_path: Path):
    for name in ("csv-export.json", "csv-export.json.sig"):
        (tmp_path / name).write_bytes((trust.MANIFESTS / name).read_bytes())
    manifest = tmp_path / "csv-export.json"
    manifest.write_bytes(manifest.read_bytes().replace(b'"exports.write"', b'"exports.write", "cache.read:messages"'))
    with pytest.raises(trust.Untrusted, match="does not match"):
        trust.load(CSV, now=NOW, floor=None, folder=tmp_path)
    (tmp_path / "csv-export.json.sig").unlink()
    with pytest.raises(trust.Untrusted, match="cannot read"):
        trust.load(CSV, now=NOW, floor=None, folder=tmp_path)


def sign_tool(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "deploy" / "sign_manifest.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=60)


def test_the_signing_tool_binds_stamps_and_signs(tmp_path: Path):
    keyfile = tmp_path / "release.pem"
    made = sign_tool("keygen", keyfile)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600 and sign_tool("keygen", keyfile).returncode != 0  # never overwritten
    public = trust.public_key(made.stdout.split("'")[1])
    manifest = tmp_path / "csv-export.json"
    manifest.write_bytes((trust.MANIFESTS / "csv-export.json").read_bytes())
    assert sign_tool("sign", keyfile, manifest, "--days", "30").returncode == 0
    got = trust.load(CSV, now=datetime.now(UTC), floor=None, folder=tmp_path, key=public)
    assert got.adapter_sha256 == CSV.code_sha256() and timedelta(days=29) < got.expires - datetime.now(UTC) <= timedelta(days=30)
    assert sign_tool("sign", keyfile, manifest, "--days", "-1").returncode == 0
    with pytest.raises(trust.Untrusted, match="expired"):
        trust.load(CSV, now=datetime.now(UTC), floor=None, folder=tmp_path, key=public)
    manifest.write_text(manifest.read_text().replace('"version": "', '"version": "v'))
    refused = sign_tool("sign", keyfile, manifest)
    assert refused.returncode != 0 and "version" in refused.stderr


def test_an_adapter_gets_only_the_permissions_its_manifest_grants(tmp_path: Path):
    store = Store.open(tmp_path / "workbuoy.db")
    store.set_me(Me(user=MeUser(id="u1", email="a@example.com"), orgs=[MeOrg(id=ORG, name="Export")]))
    adapter = CsvExport(Context(store, tmp_path / "exports", frozenset({"cache.read:deals", "exports.write"})), logging.getLogger("test"))
    assert not adapter.run().ok and "does not grant cache.read:customers" in adapter.last.detail
    assert adapter.health().status == "degraded"
    store.close()


def test_an_untrusted_adapter_loses_every_permission(tmp_path: Path, monkeypatch):
    store = Store.open(tmp_path / "workbuoy.db")
    slot = Slot(CsvExport(Context(store, tmp_path / "exports"), logging.getLogger("test")))
    slot.check(None)
    assert slot.manifest is not None and "exports.write" in slot.adapter.ctx.permissions

    def refuse(binding: trust.Binding, **_: object) -> trust.Manifest:
        raise trust.Untrusted("signature does not match")

    monkeypatch.setattr(trust, "load", refuse)
    slot.check(None)
    assert slot.manifest is None and slot.reason == "signature does not match" and not slot.adapter.ctx.permissions
    store.close()


def test_ics_text_is_escaped_and_folded_at_75_octets():
    assert text("a;b,c\\d\r\ne") == "a\\;b\\,c\\\\d\\ne"
    line = "SUMMARY:" + "ø" * 100  # two octets each: a fold must not split one
    chunks = fold(line).split("\r\n")
    assert all(len(c.encode()) <= 75 for c in chunks) and all(c.startswith(" ") for c in chunks[1:])
    assert "".join(c[1:] if i else c for i, c in enumerate(chunks)) == line


# -- the actor in a real node ------------------------------------------------------------


def plugins(node: Node) -> dict[str, object]:
    return {p.id: p for p in node.call("wb:plugins:list").plugins}


def restart_plugins(node: Node) -> None:
    old = node.actor_pids()["plugins"]
    assert node.cli("restart", "plugins").returncode == 0
    wait_for(lambda: (a := node.status().actors["plugins"]).state == "ready" and a.pid != old, 30, what="plugins restarted")


def queued_audit_events(node: Node) -> list[str]:
    conn = apsw.Connection(str(node.data_dir / "workbuoy.db"), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return [row[0] for row in conn.execute("SELECT event FROM audit_queue")]
    finally:
        conn.close()


def test_signed_out_every_plugins_channel_is_refused_and_a_toggle_audited(node: Node):
    for channel, payload in (("wb:plugins:list", {}), ("wb:plugins:health", {}), ("wb:plugins:verify", {"id": "csv-export"}),
                             ("wb:plugins:toggle", {"id": "csv-export", "enabled": True})):
        with pytest.raises(BusError) as refused:
            node.call(channel, payload)
        assert refused.value.code == "forbidden" and "not signed in" in refused.value.message
    wait_for(lambda: "plugins.toggle_refused" in queued_audit_events(node), 10, what="refusal audited")


def test_a_signed_in_node_lists_verified_adapters(node_factory, sandbox):
    node = signed_in_node(node_factory, sandbox)
    listed = plugins(node)
    assert set(listed) == set(IDS)
    assert all(p.verified and not p.enabled and p.reason == "" for p in listed.values())
    assert listed["csv-export"].permissions == ["cache.read:deals", "cache.read:customers", "exports.write"]
    assert all(node.call("wb:plugins:verify", {"id": i}).valid for i in IDS)
    assert {h.status for h in node.call("wb:plugins:health").plugins} == {"disabled"}
    with pytest.raises(BusError) as unknown:
        node.call("wb:plugins:health", {"id": "nope"})
    assert unknown.value.code == "invalid_payload"


def accepted_versions(data_dir: Path) -> dict[str, str]:
    store = Store.open(data_dir / "workbuoy.db")
    try:
        return msgspec.json.decode(store.get_meta("plugins.accepted") or "{}")
    finally:
        store.close()


def test_a_node_records_the_versions_it_accepts(node: Node):
    shipped = {cls.id: msgspec.json.decode((trust.MANIFESTS / f"{cls.id}.json").read_bytes())["version"] for cls in ADAPTERS}
    assert accepted_versions(node.data_dir) == shipped


class NodeBus:
    """The ui's ``Bus`` over a real node's bus (the blocking client, off the loop)."""

    def __init__(self, node: Node) -> None:
        self.node = node

    async def call(self, channel: str, payload: object = None, *, timeout: float = 10.0) -> object:
        return await asyncio.to_thread(self.node.call, channel, payload, timeout)


def test_a_node_refuses_a_rollback_and_the_settings_view_shows_why(node_factory, sandbox):
    node = node_factory(WB_PORTAL_BASE_URL=sandbox.origin, **FILE_KEYRING)
    store = Store.open(node.data_dir / "workbuoy.db")
    store.set_meta("plugins.accepted", '{"csv-export": "9.0.0"}')  # a newer manifest was accepted here before
    store.close()
    node.start()
    login(node)  # every plugins channel needs a signed-in user (Channel.guard)
    listed = plugins(node)
    assert not listed["csv-export"].verified and listed["csv-export"].reason.startswith("rollback: version 1.")
    assert listed["ics-export"].verified
    verdict = node.call("wb:plugins:verify", {"id": "csv-export"})
    assert not verdict.valid and verdict.reason == listed["csv-export"].reason
    assert node.call("wb:plugins:health", {"id": "csv-export"}).plugins[0].detail == f"not verified: {verdict.reason}"
    assert accepted_versions(node.data_dir)["csv-export"] == "9.0.0"  # a refused manifest never lowers the floor

    pytest.importorskip("PySide6", reason="the ui extra is not installed")
    from PySide6.QtWidgets import QApplication

    from workbuoy.qtloop import QtEventLoop
    from workbuoy.actors.ui.settings_window import SettingsWindow

    app = QApplication.instance() or QApplication(["workbuoy-tests"])
    window = SettingsWindow(NodeBus(node))
    with asyncio.Runner(loop_factory=QtEventLoop) as runner:
        runner.run(window.load())
        badges = {i: b.text() for i, b in window.plugins.badges.items()}
        assert badges == {"csv-export": verdict.reason, "ics-export": "verified"}
        window.plugins.badges["csv-export"].setText("")
        runner.run(window.plugins.check_again())  # through wb:plugins:verify this time
        assert window.plugins.badges["csv-export"].text() == verdict.reason
    window.deleteLater()
    app.processEvents()


def seed_cache(node: Node) -> None:
    store = Store.open(node.data_dir / "workbuoy.db")
    try:
        me = store.me()
        assert me is not None  # signed in: the auth actor cached /me
        store.set_me(msgspec.structs.replace(me, orgs=[*me.orgs, MeOrg(id=ORG, name="Export")]))
        store.set_active_org(ORG)
        store.upsert_rows("deals", ORG, [
            {"id": "deal-a", "updated_at": T0 + 2, "name": "Acme, \"big\" deal", "stage": "won", "amount": 5000, "close_date": T0},
            {"id": "deal-b", "updated_at": T0 + 1, "name": "=HYPERLINK(\"http://x\")", "company": "Evil"},
        ])
        store.upsert_rows("customers", ORG, [{"id": "cus-a", "updated_at": T0, "name": "Åse Ødegård", "phone": "+47 1"}])
        store.upsert_rows("deals", "org-other", [{"id": "deal-z", "updated_at": T0, "name": "not ours"}])
        store.upsert_rows("calendar", ORG, [
            {"id": "cal-a", "updated_at": T0, "title": "Review; Q1, draft", "starts_at": T0 + HOUR, "ends_at": T0 + 2 * HOUR,
             "location": "Office", "attendees": ["a@example.com", "bad\r\nX-INJECT:1"]},
            {"id": "cal-notime", "updated_at": T0, "title": "no start"},
        ])
        store.upsert_rows("meetings", ORG, [{"id": "mtg-a", "updated_at": T0, "title": "Kick-off", "starts_at": T0, "ends_at": T0 + HOUR}])
    finally:
        store.close()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def vevents(ics: str) -> list[dict[str, str]]:
    assert ics.endswith("\r\n") and "\n" not in ics.replace("\r\n", "")
    lines = ics.replace("\r\n ", "").split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = current.get(name, "") + ("|" if name in current else "") + value
    return events


def test_admin_exports_persist_across_restart_and_a_viewer_cannot_toggle(sandbox, node_factory):
    node = signed_in_node(node_factory, sandbox)
    seed_cache(node)
    exports = node.data_dir / "exports"

    info = node.call("wb:plugins:toggle", {"id": "csv-export", "enabled": True})
    assert info.enabled and info.verified
    deals = read_csv(exports / f"deals-{ORG}.csv")
    assert [d["id"] for d in deals] == ["deal-a", "deal-b"]  # newest first, the other org's row left out
    assert deals[0]["name"] == 'Acme, "big" deal' and deals[0]["close_date"] == "2026-01-01T00:00:00Z" and deals[0]["amount"] == "5000"
    assert deals[1]["name"].startswith("'=")  # a spreadsheet shows it, never runs it
    customers = read_csv(exports / f"customers-{ORG}.csv")
    assert customers == [{"id": "cus-a", "name": "Åse Ødegård", "company": "", "email": "", "phone": "'+47 1",
                          "city": "", "status": "", "updated_at": "2026-01-01T00:00:00Z"}]
    (health,) = node.call("wb:plugins:health", {"id": "csv-export"}).plugins
    assert health.status == "ok" and health.detail == f"wrote 2 deals and 1 customers of {ORG}" and health.last_run_at

    node.call("wb:plugins:toggle", {"id": "ics-export", "enabled": True})
    events = {e["UID"]: e for e in vevents((exports / f"calendar-{ORG}.ics").read_bytes().decode())}
    assert set(events) == {"cal-a@workbuoy", "mtg-a@workbuoy"}
    cal = events["cal-a@workbuoy"]
    assert cal["SUMMARY"] == "Review\\; Q1\\, draft" and cal["DTSTART"] == "20260101T010000Z" and cal["DTEND"] == "20260101T020000Z"
    assert cal["ATTENDEE"] == "mailto:a@example.com" and cal["CATEGORIES"] == "calendar" and "X-INJECT" not in cal
    assert events["mtg-a@workbuoy"]["CATEGORIES"] == "meetings"

    node.call("wb:plugins:toggle", {"id": "ics-export", "enabled": False})
    ics_written = (exports / f"calendar-{ORG}.ics").stat().st_mtime_ns
    restart_plugins(node)
    assert {i: p.enabled for i, p in plugins(node).items()} == {"csv-export": True, "ics-export": False}
    (again,) = node.call("wb:plugins:health", {"id": "csv-export"}).plugins
    assert again.status == "ok" and again.last_run_at > health.last_run_at  # an enabled adapter runs at start
    assert (exports / f"calendar-{ORG}.ics").stat().st_mtime_ns == ics_written  # a disabled one does nothing
    assert node.call("wb:plugins:health", {"id": "ics-export"}).plugins[0].status == "disabled"
    def toggles() -> list[dict]:
        found = [e["data"] for e in sandbox.admin.get("/audit").json()["events"] if e["event"] == "plugins.toggled"]
        return found if len(found) >= 3 else []

    audited = wait_for(toggles, 30, interval=0.2, what="toggles audited")
    assert [(e["id"], e["enabled"]) for e in audited] == [("csv-export", True), ("ics-export", True), ("ics-export", False)]

    assert node.cli("logout").returncode == 0
    login(node, "viewer@workbuoy.test", "viewer-password")
    with pytest.raises(BusError) as refused:
        node.call("wb:plugins:toggle", {"id": "csv-export", "enabled": False})
    assert refused.value.code == "forbidden" and "viewer" in refused.value.message
    assert plugins(node)["csv-export"].enabled
