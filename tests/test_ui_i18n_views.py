"""Two languages (issue 11 item 8) for the offline views: switched to nb_NO, the main window with
every tab holding rows, the record pane, the assistant, the outbox and the conflict view show no
English source text (table headings and cells included), and counts, amounts and dates follow
the Norwegian locale. The English texts of the same windows are tested in ``test_ui_views.py``."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the ui extra is not installed")

from PySide6.QtCore import QLocale  # noqa: E402
from PySide6.QtWidgets import QListWidget, QTableWidget, QWidget  # noqa: E402

from tests.test_ui_i18n import bokmal, texts_of, untranslated  # noqa: E402
from tests.test_ui_views import CLOSE, conflict_item, pages  # noqa: E402
from tests.test_ui_widgets import FakeBus, run  # noqa: E402
from workbuoy.actors.ui import deeplink, formats  # noqa: E402
from workbuoy.actors.ui.entity_view import EntityView  # noqa: E402
from workbuoy.actors.ui.main_window import MainWindow  # noqa: E402
from workbuoy.actors.ui.queue_view import in_words  # noqa: E402
from workbuoy.schemas.offline import ListReply  # noqa: E402
from workbuoy.schemas.orgs import Org, OrgListReply  # noqa: E402
from workbuoy.schemas.outbox import QueueListReply  # noqa: E402
from workbuoy.schemas.rbac import RbacReply  # noqa: E402

pytestmark = pytest.mark.timeout(60)
NB = QLocale(QLocale.Language.NorwegianBokmal, QLocale.Country.Norway)


def shown(window: QWidget) -> list[str]:
    """``texts_of`` plus what tables and lists show: headings, cells, items."""
    out = texts_of(window)
    for table in window.findChildren(QTableWidget):
        out += [h.text() for c in range(table.columnCount()) if (h := table.horizontalHeaderItem(c))]
        out += [table.item(r, c).text() for r in range(table.rowCount()) for c in range(table.columnCount())
                if table.item(r, c)]
    for items in window.findChildren(QListWidget):
        out += [items.item(i).text() for i in range(items.count())]
    return [t for t in out if t]


def test_no_english_left_in_the_main_window_its_tabs_record_pane_outbox_and_conflicts(bokmal):
    failed = conflict_item(id=6, conflicted=False, entity_id="d6", server_payload=None,
                           last_error="rejected: amount must be positive")
    bus = FakeBus(wb_org_list=lambda _: OrgListReply(orgs=[Org(id="org-1", name="Acme")], active="org-1"),
                  wb_offline_getList=pages(marks={"d1": "pending", "d2": "conflict"}),
                  wb_rbac_can=lambda _: RbacReply(allowed=True),
                  wb_queue_list=lambda _: QueueListReply(items=[conflict_item(), failed]))
    window = MainWindow(bus)
    assert run(window.open_target(deeplink.Target("deals")))
    for view in window.views.values():  # every tab with rows in it
        view.org_id = "org-1"
        assert run(view.load())
    deals = window.views["deals"]
    deals.table.selectRow(1)  # the record pane and the assistant on a record
    run(window.queue.load())  # the conflict is selected first: the conflict view beside the outbox
    texts = shown(window)
    assert untranslated(texts) == []
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert tabs == ["Innboks", "Kunder", "Kalender", "Oppgaver", "Avtaler", "Saker", "Møter", "Utboks"]
    assert deals.status.text() == "100 av 14\u00a0286 avtaler" and deals.new_button.text() == "Ny avtale"
    headings = [deals.table.horizontalHeaderItem(c).text() for c in range(deals.table.columnCount())]
    assert headings == ["", "Navn", "Firma", "Fase", "Beløp", "Lukkedato", "Eier"]
    first = [deals.table.item(1, c).text() for c in range(deals.table.columnCount())]
    assert first[0] == "Venter" and first[3] == "Vunnet" and first[4] == NB.toCurrencyString(3501.0, "€")
    assert first[5] == NB.toString(formats.QDateTime.fromMSecsSinceEpoch(CLOSE).date(), QLocale.FormatType.ShortFormat)
    assert deals.search.placeholderText() == "Søk i avtaler… (Ctrl+F)" and deals.pane.save_button.text() == "Lagre"
    assert window.views["meetings"].new_button.text() == "Nytt møte"
    conflict = window.queue.conflict
    assert conflict.isVisibleTo(window.queue) and conflict.title.text() == "Avtale “Deal 5”"
    assert conflict.headline.text() == ("Noen endret dette på serveren mens du var frakoblet. "
                                        "Sammenlign de to og behold den riktige.")
    assert (conflict.keep_local.text(), conflict.keep_server.text()) == ("Behold min", "Behold serverens")
    assert window.queue.status.text() == "2 endringer" and in_words(failed, 0).startswith("Serveren avviste")
    window.hide()


def test_empty_states_and_counts_in_bokmal(bokmal):
    view = EntityView(FakeBus(wb_offline_getList=lambda _: ListReply(items=[], next_cursor=None, total=0)), "calendar")
    assert run(view.load())
    assert view.status.text() == "0 kommende hendelser"
    assert view.empty.text() == ("Ingen kommende hendelser i den frakoblede kopien ennå.\n"
                                 "De dukker opp etter neste synkronisering, eller opprett en med «Ny hendelse» (Ctrl+N).")
    assert untranslated(shown(view)) == []
    assert formats.count(1, "deals", adjective="matching") == "1 avtale som samsvarer"
    assert formats.count(2, "tasks", total=40, adjective="matching") == "2 av 40 oppgaver som samsvarer"
    assert formats.text("read", True) == "Ja" and formats.text("stage", "closed_lost") == "Tapt"
