"""Two languages (issue 11 item 8) for the tray, the status line, Mini-Buoy, the settings
window with its plugins group, the sign-in window, the update entries and the notifications
(the portal window's title: tests/test_portal_window.py): switched to nb_NO, no English source text is left on screen,
numbers use Norwegian grouping, and the .ts file holds every marked string, translated."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("PySide6", reason="the ui extra is not installed")

from PySide6.QtCore import QLocale  # noqa: E402
from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox, QFormLayout, QGroupBox, QLabel,  # noqa: E402
                               QLineEdit, QMenu, QPlainTextEdit, QTabWidget, QWidget)

from tests.test_ui_widgets import FakeBus  # noqa: E402
from workbuoy import i18n  # noqa: E402
from workbuoy.actors.ui import notifications  # noqa: E402
from workbuoy.actors.ui.calls import explain  # noqa: E402
from workbuoy.actors.ui.overlay import MiniBuoy  # noqa: E402
from workbuoy.actors.ui.settings_form import in_words  # noqa: E402
from workbuoy.actors.ui.settings_window import SettingsWindow  # noqa: E402
from workbuoy.actors.ui.signin_window import TITLE, SignInWindow, human  # noqa: E402
from workbuoy.actors.ui.status_line import StatusLine  # noqa: E402
from workbuoy.actors.ui.status_model import StatusModel  # noqa: E402
from workbuoy.actors.ui.tray import Tray  # noqa: E402
from workbuoy.actors.ui.updates import UpdateEntries, describe  # noqa: E402
from workbuoy.bus.errors import BusError  # noqa: E402
from workbuoy.schemas.auth import AuthState  # noqa: E402
from workbuoy.schemas.outbox import QueueFailed, ServerState  # noqa: E402
from workbuoy.schemas.plugins import PluginInfo  # noqa: E402
from workbuoy.schemas.settings import Settings  # noqa: E402
from workbuoy.schemas.sync import CrmChange  # noqa: E402
from workbuoy.schemas.update import UpdateStatus  # noqa: E402

pytestmark = pytest.mark.timeout(60)
UI = Path(notifications.__file__).parent
TS = i18n.FOLDER / "workbuoy_nb.ts"
#: The files whose strings go through the translator (docs/ui.md, "Two languages").
TRANSLATED = [UI / f for f in ("actor.py", "tray.py", "status_model.py", "status_line.py", "overlay.py", "notifications.py",
                               "settings_form.py", "settings_window.py", "signin_window.py", "plugins_view.py", "updates.py",
                               "calls.py", "main_window.py", "entity_view.py", "tables.py", "formats.py", "record_pane.py",
                               "editors.py", "record_actions.py", "queue_view.py", "conflict_view.py")]
TRANSLATED += [UI.parent / "portal" / f for f in ("actor.py", "window.py")]
TRAY = ("sign_in", "open_main", "open_portal", "sync_now", "toggle_overlay", "open_settings", "sign_out", "quit_node")


@pytest.fixture
def bokmal(qapp) -> Iterator[None]:
    assert i18n.install("nb") == "nb"
    try:
        yield
    finally:
        i18n.install("en")


def catalogue() -> dict[str, str]:
    return {m.findtext("source"): m.findtext("translation") for m in ET.parse(TS).iter("message")}


def texts_of(window: QWidget) -> list[str]:
    """Every text a person sees or hears (accessible names) in ``window``, its children included."""
    out = [window.windowTitle(), window.accessibleName(), window.toolTip()]
    for w in [window, *window.findChildren(QWidget)]:
        out += [w.accessibleName(), w.toolTip()]
        if isinstance(w, (QLabel, QAbstractButton)):
            out.append(w.text())
        if isinstance(w, (QLineEdit, QPlainTextEdit)):
            out.append(w.placeholderText())
        if isinstance(w, QTabWidget):
            out += [w.tabText(i) for i in range(w.count())]
        if isinstance(w, QGroupBox):
            out.append(w.title())
        if isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        if isinstance(layout := w.layout(), QFormLayout):
            out += [label.text() for i in range(layout.rowCount())
                    if (item := layout.itemAt(i, QFormLayout.ItemRole.LabelRole)) and (label := item.widget())]
    return [t for t in out if t]


def untranslated(texts: list[str]) -> list[str]:
    english = {src for src, nb in catalogue().items() if nb != src}
    return [t for t in texts if t in english]


def test_the_language_follows_the_system_locale_unless_the_setting_says(qapp):
    assert i18n.chosen("system", QLocale("nb_NO")) == "nb"
    assert i18n.chosen("system", QLocale("nn_NO")) == "nb"
    assert i18n.chosen("system", QLocale("en_GB")) == "en"
    assert i18n.chosen("en", QLocale("nb_NO")) == "en" and i18n.chosen("nb", QLocale("de_DE")) == "nb"
    assert Settings().language == "system"


def test_no_english_left_in_the_tray_status_minibuoy_and_settings(bokmal):
    model = StatusModel()
    model.set_auth(AuthState(state="signed_in", email="kari@example.no"))
    model.set_server(ServerState(online=False, since=0, reason="unreachable: ConnectError"))
    model.set_depth({"pending": 21_000, "failed": 2})
    tray = Tray(**{n: (lambda: None) for n in TRAY}, model=model)
    menu = [a.text() for a in tray.menu.actions() if a.text()]
    assert menu[0] == "Logget inn som kari@example.no" and menu[1].startswith("Frakoblet siden")
    assert menu[1].endswith("serveren kunne ikke nås") and menu[2] == "Ikke synkronisert ennå"
    assert menu[3] == "21\u00a0000 endringer venter, 2 mislyktes"
    settings = SettingsWindow(FakeBus())
    shown = {"tray": menu, "status line": texts_of(StatusLine(model)), "Mini-Buoy": texts_of(MiniBuoy(FakeBus())),
             "settings": texts_of(settings)}
    assert {name: untranslated(texts) for name, texts in shown.items()} == {name: [] for name in shown}
    assert "Generelt" in shown["settings"] and "Lagre" in shown["settings"]


def test_no_english_left_in_the_sign_in_window_plugins_and_update_entries(bokmal):
    signin = SignInWindow(FakeBus(), lambda state: None)
    signin.prepare(Settings(), first_sign_in=False)
    assert signin.windowTitle() == "Logg inn på WorkBuoy" != TITLE
    assert human(BusError("unauthenticated", "no"), "https://crm.example.no") == "Feil e-postadresse eller passord."
    settings = SettingsWindow(FakeBus())
    settings.plugins.show_plugins([PluginInfo(id="a", name="Adapter", version="1.0", enabled=True, verified=True),
                                   PluginInfo(id="b", name="Other", version="2.0", enabled=False, verified=False,
                                              reason="bad signature")])
    menu = QMenu()
    entries = UpdateEntries(FakeBus(), menu, menu.addAction("Logg ut"), lambda note: None)
    before = [a.text() for a in menu.actions()]
    entries.show(UpdateStatus(phase="ready", current="0.1.0", channel="latest", version="0.2.0"))
    lines = [describe(UpdateStatus(phase=p, current="0.1.0", channel="latest", version="0.2.0", detail="d", reason="r"))
             for p in ("up_to_date", "ready", "available", "refused", "failed", "applied", "rolled_back", "idle")]
    lines.append(describe(UpdateStatus(checking=True, current="0.1.0", channel="latest", downloaded_bytes=2_500_000)))
    shown = {"sign-in": texts_of(signin), "plugins": texts_of(settings.plugins),
             "update entries": before + [a.text() for a in menu.actions()] + lines}
    assert {name: untranslated(texts) for name, texts in shown.items()} == {name: [] for name in shown}
    assert {"E-post", "Passord", "Portaladresse", "Logg inn"} <= set(shown["sign-in"])
    assert "Adapter 1.0 (aktivert)" in shown["plugins"] and "verifisert" in shown["plugins"]
    assert "Start på nytt for å oppdatere til 0.2.0" in shown["update entries"]
    assert "Laster ned oppdateringen: 2,5 MB" in lines


def test_notifications_and_refusals_in_bokmal(bokmal):
    failed = QueueFailed(id=1, org_id="o", qtype="crm", entity="deals", label="Stor avtale", conflicted=True)
    note = notifications.from_failed(failed, "Acme")
    assert note.title == "Acme: Konflikt: avtale “Stor avtale”" and note.body.startswith("Noen endret dette på serveren")
    first = notifications.FirstSync()
    first.add(CrmChange(entity="deals", org_id="o", ids=[], created=21_000, updated=0, summary=True))
    merged = first.take({"o": "Acme"})
    assert merged is not None and merged.title == "21\u00a0000 poster synkronisert" and merged.body == "Acme: 21\u00a0000 avtaler"
    assert in_words("Expected `int` >= 30 - at `$.syncIntervalSec`") == "Synkroniser hvert (sekunder) må være minst 30."
    assert explain(BusError("unavailable", "no plugins actor")) == "no plugins actor (tjenesten kjører ikke)"


def test_the_catalogue_holds_every_marked_string_translated_and_compiled(tmp_path):
    entries = list(ET.parse(TS).iter("message"))
    assert entries and all(m.find("translation").get("type") is None and m.findtext("translation") for m in entries)
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    if not (lupdate.exists() and lrelease.exists()):
        pytest.skip("pyside6-lupdate/lrelease are not installed beside this Python")
    fresh = tmp_path / "fresh.ts"
    shutil.copy(TS, fresh)
    out = subprocess.run([str(lupdate), *map(str, TRANSLATED), "-no-obsolete", "-locations", "none",
                          "-ts", str(fresh)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "(0 new and " in out.stdout, out.stdout + out.stderr  # nothing marked but missing
    qm = tmp_path / "fresh.qm"
    subprocess.run([str(lrelease), str(TS), "-qm", str(qm)], check=True, capture_output=True, timeout=120)
    assert qm.read_bytes() == (i18n.FOLDER / "workbuoy_nb.qm").read_bytes()  # the shipped .qm is the .ts compiled
