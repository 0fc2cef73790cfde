"""Where the portal session cookie lives: the OS keyring, or an encrypted file on servers.

The cookie is the one long-lived secret of the app, so it never touches the disk in
clear. ``WB_KEYRING_BACKEND=system`` (default) takes a real OS store (Secret Service,
macOS Keychain, Windows Credential Locker, KWallet) and refuses everything else: on a
headless Linux box ``keyring`` would otherwise pick its ``fail`` backend or, with
``keyrings.alt`` installed, a *plaintext* file. ``WB_KEYRING_BACKEND=file`` is the explicit
choice for servers: ``keyrings.cryptfile`` (AES-GCM, Argon2 key derivation) with its key
from ``WB_KEYRING_KEY`` or the systemd credential ``$CREDENTIALS_DIRECTORY/wb_keyring_key``,
which the supervisor reads and hands to the auth actor only, on its stdin.

One entry per portal origin and data folder: service ``workbuoy:<origin>``, user
``session:<hash of the data folder>``, so two profiles on one machine do not share it.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend

from workbuoy.config import CREDENTIAL_NAME, Env

#: Modules of the keyring backends that are real OS secret stores.
OS_STORES = ("keyring.backends.SecretService", "keyring.backends.libsecret", "keyring.backends.kwallet",
             "keyring.backends.macOS", "keyring.backends.Windows")


class KeyringUnavailable(Exception):
    """No secure place for the cookie: signing in is refused with this message."""


def _system_backend() -> KeyringBackend:
    chosen = keyring.get_keyring()
    candidates = chosen.backends if isinstance(chosen, ChainerBackend) else [chosen]
    usable = [b for b in candidates if type(b).__module__.startswith(OS_STORES) and b.priority >= 1]
    if not usable:
        raise KeyringUnavailable(
            f"no OS keyring is available (keyring chose {type(chosen).__module__}.{type(chosen).__name__}); "
            "start a Secret Service (e.g. gnome-keyring) or set WB_KEYRING_BACKEND=file with WB_KEYRING_KEY"
        )
    return max(usable, key=lambda b: b.priority)


def _file_key(env: Env) -> str:
    """The supervisor read it (``WB_KEYRING_KEY`` or the credential) and handed it to this actor alone."""
    if env.keyring_key:
        return env.keyring_key
    raise KeyringUnavailable(
        "WB_KEYRING_BACKEND=file needs a key: set WB_KEYRING_KEY or the systemd credential "
        f"{CREDENTIAL_NAME} ($CREDENTIALS_DIRECTORY/{CREDENTIAL_NAME})"
    )


def _file_path(env: Env) -> Path:
    return env.data_dir / "keyring.cfg"


def _file_backend(env: Env) -> KeyringBackend:
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    backend = CryptFileKeyring()
    backend.file_path = str(_file_path(env))
    backend.keyring_key = _file_key(env)
    return backend


def open_backend(env: Env) -> KeyringBackend:
    """The backend ``WB_KEYRING_BACKEND`` asks for, or :class:`KeyringUnavailable` saying why not."""
    return _file_backend(env) if env.keyring_backend == "file" else _system_backend()


class CookieVault:
    """Load, save and forget the session cookie; keyring calls run off the event loop (D-Bus blocks)."""

    def __init__(self, env: Env, origin: str) -> None:
        self._env = env
        self.service = f"workbuoy:{origin}"  # one entry per portal origin
        self.username = "session:" + hashlib.sha256(str(env.data_dir).encode()).hexdigest()[:16]
        self._backend: KeyringBackend | None = None

    def backend(self) -> KeyringBackend:
        if self._backend is None:
            self._backend = open_backend(self._env)
        return self._backend

    async def _run(self, method: str, *args: str) -> str | None:
        """``method`` of the backend in a worker thread, opening included: opening the file
        keyring derives its key (Argon2, 0.5-1 s) and must not hold up the actor's loop."""

        def call() -> str | None:
            result: str | None = getattr(self.backend(), method)(self.service, self.username, *args)
            return result

        try:
            return await asyncio.to_thread(call)
        except (keyring.errors.KeyringError, ValueError) as exc:  # cryptfile: ValueError on a wrong key
            raise KeyringUnavailable(f"the keyring refused ({type(exc).__name__}: {exc})") from None

    async def load(self) -> str | None:
        if self._nothing_saved():
            return None
        return await self._run("get_password")

    def _nothing_saved(self) -> bool:
        """A file keyring not written yet holds no cookie: a node's first start skips deriving its key.

        Opening the file keyring derives its key (Argon2, slow on purpose: 0.5-1 s), and
        the auth actor loads the cookie before it is ready, so this is most of a fresh
        node's cold start. A missing key is still refused here, at start.
        """
        if self._env.keyring_backend != "file":
            return False
        _file_key(self._env)
        return not _file_path(self._env).exists()

    async def save(self, cookie: str) -> None:
        await self._run("set_password", cookie)

    async def forget(self) -> None:
        if await self.load() is not None:
            await self._run("delete_password")
