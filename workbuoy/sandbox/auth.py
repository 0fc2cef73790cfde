"""Portal sessions and API access tokens, both signed so they survive a restart.

The ``wb_session`` cookie carries ``(user, session id, issued at)`` under an HMAC;
an access token carries ``(user, session id, expires at)``. Neither is stored: the
server only remembers what it has *revoked* (one session on logout, or every
session issued before a ``/_sandbox/revoke``). Revocations are in memory, so a
restart forgets them — documented, and harmless for a test server.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from workbuoy.sandbox.seed import Dataset, User
from workbuoy.sandbox.signing import BadSignature, Signer

COOKIE = "wb_session"
SESSION_TTL_S = 30 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    session_id: str
    issued: float  # when the session (not the token) was created


class AuthError(Exception):
    """Missing, malformed, expired or revoked credentials: always a 401."""


class Sessions:
    def __init__(self, data: Dataset, token_ttl: int) -> None:
        self._data = data
        self.token_ttl = token_ttl
        self._cookies = Signer(data.seed, "session")
        self._tokens = Signer(data.seed, "access-token")
        self.reset()

    def reset(self) -> None:
        self._revoked: set[str] = set()
        self._revoked_before = 0.0

    def login(self, email: str, password: str) -> str | None:
        """A new session cookie value, or ``None`` for bad credentials."""
        user = self._data.user_by_email(email)
        given = password.encode("utf-8", "surrogatepass")  # compare_digest refuses non-ASCII str
        if user is None or not secrets.compare_digest(user.password.encode(), given):
            return None
        return self._cookies.sign([user.id, secrets.token_hex(8), time.time(), secrets.token_hex(4)])

    def rotate_cookie(self, principal: Principal) -> str:
        """A new cookie value for the same session: logout or revoke still ends both."""
        p = principal
        return self._cookies.sign([p.user.id, p.session_id, p.issued, secrets.token_hex(4)])

    def issue_token(self, principal: Principal) -> str:
        p = principal
        return self._tokens.sign([p.user.id, p.session_id, p.issued, time.time() + self.token_ttl])

    def revoke(self, principal: Principal) -> None:
        self._revoked.add(principal.session_id)

    def revoke_all(self) -> None:
        self._revoked_before = time.time()

    def from_cookie(self, value: str) -> Principal:
        match self._unsign(self._cookies, value):
            case [str(user_id), str(sid), float(issued) | int(issued), str()]:
                return self._principal(user_id, sid, issued)
        raise AuthError("malformed session")

    def from_token(self, value: str) -> Principal:
        match self._unsign(self._tokens, value):
            case [str(user_id), str(sid), float(issued) | int(issued), float(expires) | int(expires)]:
                if expires < time.time():
                    raise AuthError("access token expired")
                return self._principal(user_id, sid, issued)
        raise AuthError("malformed access token")

    @staticmethod
    def _unsign(signer: Signer, value: str) -> object:
        try:
            return signer.unsign(value)
        except BadSignature:
            raise AuthError("unknown credentials") from None

    def _principal(self, user_id: str, sid: str, issued: float) -> Principal:
        user = self._data.user_by_id(user_id)
        if user is None:
            raise AuthError("unknown user")
        if sid in self._revoked or issued <= self._revoked_before:
            raise AuthError("session revoked")
        if issued + SESSION_TTL_S < time.time():
            raise AuthError("session expired")
        return Principal(user, sid, issued)
