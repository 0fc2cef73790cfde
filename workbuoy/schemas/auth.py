"""Sign-in and credentials, owned by the auth actor."""

from __future__ import annotations

from typing import Annotated, Literal

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


class Credentials(Msg):
    """Headers that authenticate one API call. Handed only to the actors that call the API."""

    headers: dict[str, str]
    expires_at: int
    api_base: str
    portal_base: str


class CredentialsRequest(Msg):
    force_refresh: bool = False  # the API answered 401: renew once before retrying
