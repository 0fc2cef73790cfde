"""The main window: the org picker, a tab per cached entity and the outbox.

Tabs load lazily (on first show) so opening the window costs one page, not seven; a tab
shown again, an entity's change event (for the tab on screen; any other tab reloads when
it is next shown), a sign-in, a finished sync and an org switch reload it, keeping the
selected row. Switching org goes through ``wb:org:switch`` (the queue actor owns the
active org). Ctrl+F searches and Ctrl+N creates in the tab on screen; Ctrl+PgDown/PgUp
change tabs from anywhere in the window.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMainWindow, QPushButton, QTabWidget, QVBoxLayout, QWidget

from workbuoy.actors.ui import deeplink, formats
from workbuoy.actors.ui.calls import Bus, ask, spawn
from workbuoy.actors.ui.entity_view import EntityView
from workbuoy.actors.ui.queue_view import QueueView
from workbuoy.actors.ui.status_line import StatusLine
from workbuoy.i18n import translate
from workbuoy.schemas.base import ENTITIES
from workbuoy.schemas.orgs import OrgListReply


class MainWindow(QMainWindow):
    def __init__(self, bus: Bus, sign_in: Callable[[], None] | None = None,
                 open_portal: Callable[[str], None] | None = None,
                 open_settings: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.bus = bus
        self.setWindowTitle("WorkBuoy")
        self.resize(1000, 640)
        self.orgs = QComboBox()
        self.orgs.setMinimumWidth(200)
        self.orgs.setAccessibleName(translate("MainWindow", "Organisation"))
        self.orgs.activated.connect(self._org_picked)
        refresh = QPushButton(translate("MainWindow", "Reload"))
        refresh.clicked.connect(self.reload_current)
        settings = QPushButton(translate("MainWindow", "Settings…"))  # not only in the tray: a desktop may have none
        settings.setAccessibleName(translate("MainWindow", "Settings (Ctrl+,)"))
        settings.setVisible(open_settings is not None)
        if open_settings is not None:
            settings.clicked.connect(open_settings)
            QShortcut(QKeySequence("Ctrl+,"), self, open_settings)
        self.status = QLabel()
        self.status.setObjectName("status")
        bar = QHBoxLayout()
        bar.addWidget(QLabel(translate("MainWindow", "Organisation")))
        bar.addWidget(self.orgs)
        bar.addWidget(self.status, 1)
        bar.addWidget(refresh)
        bar.addWidget(settings)
        self.signed_out_bar = self._signed_out_bar(sign_in)
        self.views = {e: EntityView(bus, e, open_portal) for e in ENTITIES}
        self.queue = QueueView(bus)
        self.tabs = QTabWidget()
        for e, view in self.views.items():
            self.tabs.addTab(view, formats.tab_name(e))
            view.caption_changed.connect(self._show_caption)
        self.tabs.addTab(self.queue, translate("MainWindow", "Outbox"))
        self._loaded: set[int] = set()
        self.tabs.currentChanged.connect(self._shown)
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_record)
        QShortcut(QKeySequence("Ctrl+PgDown"), self, self.next_tab)  # from anywhere, not only the tab bar
        QShortcut(QKeySequence("Ctrl+PgUp"), self, self.previous_tab)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.signed_out_bar)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(StatusLine())
        self.setCentralWidget(central)

    @staticmethod
    def _signed_out_bar(sign_in: Callable[[], None] | None) -> QWidget:
        """The empty state's way in: what is missing, and the button that fixes it."""
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.addWidget(QLabel(translate("MainWindow", "You are not signed in: sign in to fill the offline copy.")), 1)
        button = QPushButton(translate("MainWindow", "Sign in…"))
        if sign_in is not None:
            button.clicked.connect(sign_in)
        row.addWidget(button)
        bar.setVisible(False)
        return bar

    def signed_in(self) -> None:
        """Orgs and the visible tab reload by themselves after a sign-in."""
        self.signed_out_bar.hide()
        if self.isVisible():
            spawn(self._refresh(again=True))

    def signed_out(self) -> None:
        self.signed_out_bar.show()
        self.orgs.clear()
        self._loaded.clear()
        for view in self.views.values():
            view.clear()

    def synced(self) -> None:
        """A sync run ended: new orgs or rows may be there."""
        if self.isVisible():
            spawn(self._refresh(again=True))

    def _bring_up(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()

    def open(self) -> None:
        self._bring_up()
        spawn(self._refresh())

    async def _refresh(self, again: bool = False) -> None:
        """Orgs first, so the tab loads the active org's rows (``again``: even if it was loaded)."""
        await self.load_orgs()
        if again:
            self._loaded.discard(self.tabs.currentIndex())
        self._first_show(self.tabs.currentIndex())

    def _first_show(self, index: int) -> None:
        if index not in self._loaded:
            self._loaded.add(index)
            self.tabs.widget(index).reload()

    def _shown(self, index: int) -> None:
        """A tab shown (again): its rows may have changed while it was hidden."""
        self._loaded.discard(index)
        self._first_show(index)
        view = self._current_view()
        self._show_caption(view.caption() if view is not None else "")

    def _show_caption(self, caption: str) -> None:
        """The record on screen and its state in the title ("WorkBuoy — Deal — Pending"): taskbars and
        screen readers say it, and a test under X can see it."""
        if self.sender() is None or self.sender() is self._current_view():
            self.setWindowTitle(f"WorkBuoy — {caption}" if caption else "WorkBuoy")

    def _current_view(self) -> EntityView | None:
        view = self.tabs.currentWidget()
        return view if isinstance(view, EntityView) else None

    def focus_search(self) -> None:
        if (view := self._current_view()) is not None:
            view.search.setFocus()
            view.search.selectAll()

    def next_tab(self) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + 1) % self.tabs.count())

    def previous_tab(self) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() - 1) % self.tabs.count())

    def new_record(self) -> None:
        if (view := self._current_view()) is not None:
            view.pane.new_record()

    def reload_current(self) -> None:
        self._loaded = {self.tabs.currentIndex()}
        self.tabs.currentWidget().reload()

    def _showing(self, tab: QWidget) -> bool:
        return self.isVisible() and self.tabs.currentWidget() is tab

    def entity_changed(self, entity: str) -> None:
        """A ``wb:crm:changed`` event: reload the entity's tab now if it is on screen, else when shown."""
        view = self.views.get(entity)  # type: ignore[call-overload]
        if view is None:
            return
        if self._showing(view):
            view.reload()
        else:
            self._loaded.discard(self.tabs.indexOf(view))

    def queue_changed(self, depth: dict[str, int]) -> None:
        """The outbox moved: its tab, and the marks (pending, conflict) and workflow steps on screen."""
        self.queue.show_depth(depth)
        if self._showing(self.queue):
            self.queue.reload()
        elif (view := self._current_view()) is not None and self.isVisible():
            view.reload()
            spawn(view.pane.assistant.refresh_steps())

    def _show_orgs(self, reply: OrgListReply) -> None:
        self.orgs.clear()
        for org in reply.orgs:
            self.orgs.addItem(org.name, org.id)
        active = self.orgs.findData(reply.active) if reply.active else -1
        self.orgs.setCurrentIndex(active if active >= 0 else 0)
        org_id = self.orgs.currentData()
        for view in self.views.values():
            if view.org_id != org_id:  # another org's rows and record must not linger
                view.clear()
            view.org_id = org_id

    async def load_orgs(self) -> None:
        if (reply := await ask(self.bus, "wb:org:list", {}, self.status)) is not None:
            self._show_orgs(reply)
            if not reply.orgs:
                self.status.setText(
                    translate("MainWindow", "No organisations yet: sign in, then the first sync fills this window."))

    def _org_picked(self, index: int) -> None:
        spawn(self.switch_org(self.orgs.itemData(index)))

    async def switch_org(self, org_id: str) -> bool:
        """The org the queue actor keeps active; every tab shows its rows from now on."""
        if (reply := await ask(self.bus, "wb:org:switch", {"orgId": org_id}, self.status)) is None:
            return False
        self._show_orgs(reply)
        self.reload_current()
        return True

    async def open_target(self, target: deeplink.Target) -> bool:
        """Bring the window up on ``target``'s tab, and on its record when it names one.

        A record of another org (a deep link, a notification) switches to that org first,
        so the rows and the org picker agree with the record shown.
        """
        view = self.views[target.entity]
        self._loaded.add(self.tabs.indexOf(view))
        self.tabs.blockSignals(True)  # loaded below, once, after the orgs
        self.tabs.setCurrentWidget(view)
        self.tabs.blockSignals(False)
        self._bring_up()
        await self.load_orgs()
        if target.row_id is None:
            return await view.load()
        found = await ask(self.bus, "wb:offline:getRow", {"table": target.entity, "id": target.row_id}, view.status)
        if found is None or found.row is None:
            await view.load()
            view.status.setText(translate("MainWindow", "{entity}/{id} is not in the offline copy (yet): sync, then try again")
                                 .format(entity=target.entity, id=target.row_id))
            return False
        if found.org_id and found.org_id != self.orgs.currentData() and not await self.switch_org(found.org_id):
            return False
        return await view.reveal(found.row)
