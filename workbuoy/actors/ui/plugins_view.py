"""The plugins part of the settings window: each adapter with a trust badge.

The badge is the plugins actor's own verdict: "verified" or the reason its manifest is
refused (bad signature, rollback, expired, adapter code changed...), exactly as
``wb:plugins:list`` / ``wb:plugins:verify`` word it, so the user reads why a plugin
cannot be enabled. "Check again" asks ``wb:plugins:verify`` for each one, which
re-reads the manifests and adapter code on disk.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from workbuoy.actors.ui.calls import ERROR_COLOUR, Bus, ask, spawn
from workbuoy.i18n import translate
from workbuoy.schemas.plugins import PluginInfo

OK_COLOUR = "#1e7b34"


class PluginsView(QGroupBox):
    def __init__(self, bus: Bus) -> None:
        super().__init__(translate("Plugins", "Plugins"))
        self.bus = bus
        self.grid = QGridLayout()
        self.badges: dict[str, QLabel] = {}
        self.status = QLabel()
        self.status.setObjectName("status")
        check = QPushButton(translate("Plugins", "Check again"))
        check.clicked.connect(self._check_clicked)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(check)
        layout = QVBoxLayout(self)
        layout.addLayout(self.grid)
        layout.addLayout(bottom)

    def show_plugins(self, plugins: list[PluginInfo]) -> None:
        while self.grid.count():
            self.grid.takeAt(0).widget().deleteLater()
        self.badges = {}
        for row, p in enumerate(plugins):
            label = f"{p.name} {p.version}".strip()
            name = QLabel(translate("Plugins", "{plugin} (enabled)").format(plugin=label) if p.enabled else label)
            name.setToolTip(", ".join(p.permissions))
            self.badges[p.id] = badge = QLabel()
            badge.setObjectName(f"badge-{p.id}")
            badge.setWordWrap(True)
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(badge, row, 1)
            self.set_badge(p.id, p.verified, p.reason)

    def set_badge(self, plugin_id: str, valid: bool, reason: str) -> None:
        badge = self.badges[plugin_id]
        badge.setText(translate("Plugins", "verified") if valid else reason)
        badge.setStyleSheet(f"color: {OK_COLOUR if valid else ERROR_COLOUR}")

    async def load(self) -> None:
        if (reply := await ask(self.bus, "wb:plugins:list", None, self.status)) is not None:
            self.show_plugins(reply.plugins)

    async def check_again(self) -> None:
        for plugin_id in list(self.badges):
            if (reply := await ask(self.bus, "wb:plugins:verify", {"id": plugin_id}, self.status)) is not None:
                self.set_badge(plugin_id, reply.valid, reply.reason)

    def _check_clicked(self) -> None:
        spawn(self.check_again())
