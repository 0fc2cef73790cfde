"""Who is signed in and which org they work in: the store meta every actor reads.

The auth actor writes ``me`` (``GET /me``: the user, their orgs and roles) and the queue
actor, owner of ``wb:org:*``, writes ``active_org``. Readers go through ``me()``,
``active_org()`` and ``resolve_org()`` so that one rule picks the org of a write, an
export and a view, and a stale choice (an org the user no longer has) is never used.
"""

from __future__ import annotations

from typing import ClassVar

import msgspec

from workbuoy.schemas.auth import Me
from workbuoy.schemas.envelope import ErrorCode
from workbuoy.store.db import Database

ME, ACTIVE_ORG, USER_ID = "me", "active_org", "user_id"


class OrgError(Exception):
    """No org can be chosen; ``code`` is the bus error a refusal carries."""

    code: ClassVar[ErrorCode]


class SignedOut(OrgError):
    code = "unavailable"


class NoOrg(OrgError):
    code = "invalid_payload"


class ForeignOrg(OrgError):
    code = "forbidden"


class ProfileMixin:
    """Meta, the signed-in user and the active org: methods of ``Store``."""

    _db: Database

    def get_meta(self, key: str) -> str | None:
        row = self._db.one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def me(self) -> Me | None:
        """``/me`` as last fetched; ``None`` before sign-in and after sign-out."""
        raw = self.get_meta(ME)
        return msgspec.json.decode(raw, type=Me | None) if raw else None

    def set_me(self, me: Me | None) -> bool:
        """Cache ``/me`` (``None``: signed out); True when it is another user than the last one
        (whose cached rows the caller then wipes)."""
        with self._db.write():
            self.set_meta(ME, msgspec.json.encode(me).decode())
            if me is None:
                return False
            previous = self.get_meta(USER_ID)
            self.set_meta(USER_ID, me.user.id)
        return previous not in (None, me.user.id)

    def known_user(self) -> bool:
        """Someone has signed in on this machine before (the portal address is then fixed)."""
        return self.get_meta(USER_ID) is not None

    def resolve_org(self, requested: str | None = None) -> str:
        """The org a request acts in: ``requested`` if the user has it, else the active org
        while the user still has it, else the user's first org."""
        me = self.me()
        if me is None:
            raise SignedOut("no signed-in user: sign in first (wb:auth:login)")
        known = [o.id for o in me.orgs]
        if requested is not None:
            if requested not in known:
                raise ForeignOrg(f"org {requested!r} is not one of the user's orgs")
            return requested
        chosen = self.get_meta(ACTIVE_ORG)
        if chosen in known:
            return chosen
        if not known:
            raise NoOrg("the signed-in user has no org")
        return known[0]

    def active_org(self) -> str | None:
        """The org the views and exports show, ``None`` while there is none to show."""
        try:
            return self.resolve_org()
        except OrgError:
            return None

    def set_active_org(self, requested: str) -> str:
        """Make ``requested`` the active org (it must be one of the user's); returns it."""
        org = self.resolve_org(requested)
        self.set_meta(ACTIVE_ORG, org)
        return org
