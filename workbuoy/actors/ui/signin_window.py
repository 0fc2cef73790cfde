"""The "Sign in to WorkBuoy" window: e-mail, password, the portal address, progress, errors.

The password goes from the field to ``wb:auth:login`` once: the field is cleared before
the call is awaited and the value is never kept, logged or shown (the broker's trace
never shows that channel's payload). The portal address is ``portalOrigin``; it can be
edited only before the first sign-in on this machine (later the settings window changes
it, which signs out after a confirmation), and not at all when the environment sets it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from workbuoy.actors.ui.calls import ERROR_COLOUR, Bus, log, spawn
from workbuoy.bus.errors import BusError
from workbuoy.i18n import translate
from workbuoy.schemas.auth import AuthState
from workbuoy.schemas.settings import Settings

#: The English title: tests and scripts find the window by it (they run in English).
TITLE = QT_TRANSLATE_NOOP("SignIn", "Sign in to WorkBuoy")


def human(exc: BusError, origin: str) -> str:
    """The auth actor's refusal in words a person can act on."""
    if exc.code == "unauthenticated":
        return translate("SignIn", "Wrong e-mail or password.")
    if exc.code == "unavailable" or exc.code == "timeout":
        return translate("SignIn", "Cannot reach the portal at {origin}. Check the address and your connection, "
                         "then try again.").format(origin=origin)
    if "securely" in exc.message:
        return translate("SignIn", "{reason}. No usable keyring: start your desktop's keyring (GNOME Keyring, KWallet), "
                         "or on a server set WB_KEYRING_BACKEND=file with WB_KEYRING_KEY.").format(reason=exc.message)
    return exc.message


class SignInWindow(QWidget):
    def __init__(self, bus: Bus, on_signed_in: Callable[[AuthState], None]) -> None:
        super().__init__()
        self.bus = bus
        self._on_signed_in = on_signed_in
        self.setWindowTitle(translate("SignIn", TITLE))
        self.setMinimumWidth(420)
        heading = QLabel(f"<h2>{self.windowTitle()}</h2>")
        self.intro = QLabel(translate("SignIn", "Your CRM offline: sign in once, WorkBuoy keeps a copy in sync."))
        self.intro.setWordWrap(True)
        self.email = QLineEdit()
        self.email.setPlaceholderText(translate("SignIn", "you@company.com"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.portal = QLineEdit()
        self.portal.setObjectName("portal")
        form = QFormLayout()
        form.addRow(translate("SignIn", "E-mail"), self.email)
        form.addRow(translate("SignIn", "Password"), self.password)
        form.addRow(translate("SignIn", "Portal address"), self.portal)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton(translate("SignIn", "Sign in"))
        self.button.setDefault(True)
        self.button.clicked.connect(self._clicked)
        self.password.returnPressed.connect(self._clicked)
        self.email.returnPressed.connect(self.password.setFocus)
        layout = QVBoxLayout(self)
        for w in (heading, self.intro):
            layout.addWidget(w)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignRight)
        self.busy = False

    def prepare(self, settings: Settings, *, first_sign_in: bool, reason: str = "") -> None:
        """Fill the portal address; lock it after the first sign-in or when the environment sets it."""
        self.portal.setText(settings.portal_origin)
        pinned = "portalOrigin" in settings.environment
        self.portal.setReadOnly(pinned or not first_sign_in)
        self.portal.setToolTip(translate("SignIn", "set by the environment (WB_PORTAL_BASE_URL)") if pinned else
                               "" if first_sign_in else translate("SignIn", "change it in Settings (signs you out)"))
        if reason:
            self._say(reason, error=True)

    def open(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        (self.password if self.email.text() else self.email).setFocus()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR_COLOUR}" if error else "")

    def _clicked(self) -> None:
        if not self.busy:
            spawn(self.sign_in())

    async def sign_in(self) -> bool:
        email, password = self.email.text().strip(), self.password.text()
        self.password.clear()  # the only copy left is the one on its way to the auth actor
        if not email or not password:
            self._say(translate("SignIn", "Enter your e-mail and password."), error=True)
            return False
        origin = self.portal.text().strip().rstrip("/")
        self.busy = True
        self.button.setEnabled(False)
        self._say(translate("SignIn", "Signing in at {origin}…").format(origin=origin))
        try:
            if not self.portal.isReadOnly() and not await self._set_origin(origin):
                return False
            state = await self.bus.call("wb:auth:login", {"email": email, "password": password}, timeout=60)
        except BusError as exc:
            log.info("sign-in refused: %s", exc.code)
            self._say(human(exc, origin), error=True)
            return False
        finally:
            del password
            self.busy = False
            self.button.setEnabled(True)
        self._say("")
        self.hide()
        self._on_signed_in(state)
        return True

    async def _set_origin(self, origin: str) -> bool:
        """Before the first sign-in the address is the user's to set: it becomes ``portalOrigin``."""
        try:
            current = await self.bus.call("wb:getSettings")
            if current.portal_origin != origin:
                await self.bus.call("wb:updateSettings", {"portalOrigin": origin})
        except BusError as exc:
            self._say(translate("SignIn", "The portal address is not valid: {reason}").format(reason=exc.message), error=True)
            return False
        return True
