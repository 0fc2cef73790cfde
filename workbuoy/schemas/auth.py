"""Sign-in and credentials, owned by the auth actor."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from workbuoy.schemas.base import Email, Msg

Password = Annotated[str, Meta(min_length=1, max_length=1024)]
AuthStateName = Literal["signed_out", "signed_in", "expired", "error"]


class Login(Msg):
    email: Email
    password: Password


class AuthState(Msg):
    """Reply of login/logout/status and the ``wb:auth:state`` event. Holds no secret."""

    state: AuthStateName
    email: str | None = None
    reason: str = ""
    token_expires_at: int | None = None
    known_user: bool = False  # someone has signed in on this machine before (the portal address is then fixed)


class Credentials(Msg):
    """Headers that authenticate one API call. Handed only to the actors that call the API."""

    headers: dict[str, str]
    expires_at: int
    api_base: str
    portal_base: str
    #: The e-mail and calendar services of the same origin (queued drafts and events go there).
    email_base: str
    cal_base: str


class CredentialsRequest(Msg):
    force_refresh: bool = False  # the API answered 401: renew once before retrying


class MeUser(msgspec.Struct, kw_only=True):
    id: str
    email: str
    name: str = ""


class MeOrg(msgspec.Struct, kw_only=True):
    id: str
    name: str
    roles: list[str] = []


class Me(msgspec.Struct, kw_only=True):
    """``GET <api>/me`` as the server sends it (snake_case, extra fields ignored).

    The auth actor caches it in the store (``Store.me``); the org channels read the orgs
    from there and RBAC reads the roles.
    """

    user: MeUser
    orgs: list[MeOrg]

