"""The portal session: the cookie (in the keyring), the access token (in memory only).

Renewal is single-flight: whoever needs a fresh token (the timer at 80% of its life, a
caller whose API call got a 401) awaits the same ``/auth/refresh``, so a burst of 401s
from parallel syncs costs one renewal, not one each. The outcomes are deliberately
asymmetric:

* the portal answers 401: the session is over. We forget the cookie, publish the
  ``expired`` state once and answer every credentials request ``unauthenticated`` at
  once, without touching the network: no retry loop against a dead session;
* the network or the portal fails: nothing is known to be wrong with the session, so
  we stay signed in and try again with a capped, jittered backoff.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import msgspec

from workbuoy import logs as wblog
from workbuoy import metrics
from workbuoy.actors.auth.secrets import CookieVault, KeyringUnavailable
from workbuoy.api import ApiClient, ApiError, Unauthenticated, decode, protocol_error
from workbuoy.backoff import full_jitter
from workbuoy.config import Env
from workbuoy.schemas.auth import AuthState, Credentials, Me
from workbuoy.store import Store

COOKIE = "wb_session"
RENEW_AT = 0.8  # share of the token's life after which it is renewed
RECENT_S = 1.0  # a forced renewal right after another one reuses its token
RETRY_CAP_S = 60.0
log = wblog.create("auth.session")


class SessionEnded(Exception):
    """The portal refused the session (401 on refresh): the user must sign in again."""


class Token(msgspec.Struct):
    access_token: str
    expires_in: int
    token_type: str = "Bearer"


Publish = Callable[[AuthState], Awaitable[None]]
After = Callable[[float, Callable[[], Awaitable[None]]], "asyncio.Task[None]"]  # the actor's ``after``


class Session:
    def __init__(self, env: Env, origin: str, store: Store, publish: Publish, after: After) -> None:
        self.env = env
        self.origin = origin  # the portalOrigin setting: login, refresh, logout and the API
        self.vault = CookieVault(env, origin)
        self.store = store
        self._publish = publish
        self._after = after
        # credentials_ttl=0: the cookie changes under this client (login, rotation, logout).
        self._portal = ApiClient(self._cookie_credentials, attempts=3, credentials_ttl=0)
        self.cookie: str | None = None
        self.state = AuthState(state="signed_out")
        self._token: str | None = None
        self._expires_at = 0.0  # epoch seconds
        self._renewed_at = -RECENT_S  # monotonic
        self._failures = 0
        self._inflight: asyncio.Future[None] | None = None
        self._timer: asyncio.Task[None] | None = None
        self._saving = asyncio.Lock()
        self._switching = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()  # cookie saves: not timers, so a stop does not cancel them

    def _bases(self, cookie: str | None, expires_ms: int) -> Credentials:
        headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
        return Credentials(headers=headers, expires_at=expires_ms, api_base=self.env.api_base_for(self.origin),
                           portal_base=self.origin + self.env.portal_path,
                           email_base=self.env.email_base_for(self.origin), cal_base=self.env.cal_base_for(self.origin))

    async def _cookie_credentials(self, force: bool) -> Credentials:
        return self._bases(self.cookie, int(self._expires_at * 1000))

    async def close(self) -> None:
        self._cancel_timer()
        await self._portal.aclose()

    # -- sign in and out --------------------------------------------------------------

    async def resume(self) -> None:
        """At start: a cookie in the keyring means we are signed in; renew to get a token."""
        try:
            cookie = await self.vault.load()
        except KeyringUnavailable as exc:
            await self._set_state(AuthState(state="signed_out", reason=str(exc)))
            return
        if cookie is None:
            return
        self.cookie = cookie
        await self._signed_in()

    async def login(self, email: str, password: str) -> AuthState:
        self.vault.backend()  # no secure store: refuse before the password goes anywhere
        resp = await self._portal.request("POST", f"{self.origin}/auth/login", endpoint="auth/login",
                                          json={"email": email, "password": password}, renew_on_401=False)
        cookie = resp.cookies.get(COOKIE)
        if not cookie:
            raise protocol_error("auth/login", f"the portal set no {COOKIE} cookie")
        return await self._take(cookie)

    async def adopt(self, cookie: str) -> AuthState:
        """The session the portal's own login page set: checked at the portal, then kept like a login's."""
        if cookie == self.cookie:
            return self.state
        self.vault.backend()
        probe = ApiClient(lambda force: self._probe_credentials(cookie), attempts=2, credentials_ttl=0)
        try:
            await probe.request("GET", "/me", endpoint="me", renew_on_401=False)  # Unauthenticated: not a session
        finally:
            await probe.aclose()
        return await self._take(cookie)

    async def _probe_credentials(self, cookie: str) -> Credentials:
        return self._bases(cookie, 0)

    async def _take(self, cookie: str) -> AuthState:
        await self._revoke()  # a previous session (another user, perhaps) must not live on
        await self.vault.save(cookie)
        self.cookie, self._token = cookie, None
        await self._signed_in()
        return self.state

    async def change_origin(self, origin: str) -> None:
        """``portalOrigin`` changed: sign out of the old portal; the new one has its own keyring entry.

        One change at a time: the settings event and a sign-in that read the settings itself
        both call this, and a second sign-out running late would forget the new origin's
        cookie the sign-in just saved.
        """
        async with self._switching:
            if origin != self.origin:
                await self.logout()
                self.origin, self.vault = origin, CookieVault(self.env, origin)

    async def logout(self) -> AuthState:
        """Revoke at the portal (best effort: offline, we still forget) and forget the cookie."""
        self._cancel_timer()
        await self._revoke()
        self.cookie, self._token = None, None
        async with self._saving:  # after any save of a rotated cookie, never before it
            await self.vault.forget()
        self.store.set_me(None)
        await self._set_state(AuthState(state="signed_out"))
        return self.state

    async def _revoke(self) -> None:
        """``POST /auth/logout`` with the current cookie, if any; a failure is only logged."""
        if self.cookie is None:
            return
        try:
            await self._portal.request("POST", f"{self.origin}/auth/logout", endpoint="auth/logout",
                                       renew_on_401=False)
        except ApiError as exc:
            log.warning("could not revoke the session at the portal (%s); forgetting it here", exc)

    async def _signed_in(self) -> None:
        try:
            await self.renew()
        except SessionEnded:
            return
        except ApiError as exc:  # offline: the cookie may still be good, keep it and retry later
            log.warning("signed in, but the session could not be renewed yet: %s", exc)
        me = await self._fetch_me()
        email = me.user.email if me else self.state.email
        await self._set_state(AuthState(state="signed_in", email=email, token_expires_at=self._expires_ms()))

    async def _fetch_me(self) -> Me | None:
        """``/api/me`` into the store meta ``me`` (orgs and roles); the cached copy if offline."""
        try:
            resp = await self._portal.request("GET", "/me", endpoint="me")
            me = decode(resp, Me, endpoint="me")
        except ApiError as exc:
            log.warning("could not fetch /me: %s", exc)
            return self.store.me()
        if self.store.set_me(me):
            log.info("another user signed in: wiped %d cached rows of the previous one", self.store.wipe_cache())
        return me

    def status(self) -> AuthState:
        """The state with the current token's expiry (renewals do not republish the state)."""
        known = self.store.known_user()
        if self.state.state != "signed_in":
            return msgspec.structs.replace(self.state, known_user=known)
        return msgspec.structs.replace(self.state, token_expires_at=self._expires_ms(), known_user=known)

    async def _set_state(self, state: AuthState) -> None:
        self.state = msgspec.structs.replace(state, known_user=self.store.known_user())
        metrics.auth_signed_in.set(1 if state.state == "signed_in" else 0)
        await self._publish(self.state)

    # -- credentials and renewal ------------------------------------------------------

    def _token_valid(self) -> bool:
        return self._token is not None and time.time() < self._expires_at - 0.5

    def _expires_ms(self) -> int | None:
        return int(self._expires_at * 1000) if self._token else None

    async def credentials(self, *, force: bool, bearer: bool) -> Credentials:
        """Headers for one API call; ``force`` renews first (the API just answered 401).

        Raises :class:`SessionEnded` when there is no session, or the ``ApiError`` of a
        renewal that failed when the caller cannot do without a fresh token.
        """
        if self.cookie is None:
            raise SessionEnded(self.state.reason or "not signed in: run `workbuoy login`")
        if force or (bearer and not self._token_valid()):
            try:
                await self.renew(force=force)
            except ApiError:
                if bearer and not self._token_valid():
                    raise
        if self.cookie is None:  # signed out while we waited
            raise SessionEnded(self.state.reason or "signed out")
        if not bearer:
            return self._bases(self.cookie, self._expires_ms() or 0)
        return msgspec.structs.replace(self._bases(None, self._expires_ms() or 0),
                                       headers={"Authorization": f"Bearer {self._token}"})

    async def renew(self, *, force: bool = False) -> None:
        """Join the running renewal or start one; a forced one right after another is skipped."""
        if force and time.monotonic() - self._renewed_at < RECENT_S and self._token_valid():
            return
        if self._inflight is None or self._inflight.done():
            self._inflight = asyncio.ensure_future(self._refresh())
        await asyncio.shield(self._inflight)

    async def _refresh(self) -> None:
        cookie = self.cookie
        if cookie is None:
            raise SessionEnded(self.state.reason or "signed out")
        try:
            resp = await self._portal.request("POST", f"{self.origin}/auth/refresh",
                                              endpoint="auth/refresh", renew_on_401=False)
            token = decode(resp, Token, endpoint="auth/refresh")
        except Unauthenticated as exc:
            metrics.auth_renewal_failures.inc()
            await self._end(f"the portal ended the session ({exc.message}); sign in again")
            raise SessionEnded(self.state.reason) from None
        except ApiError:
            metrics.auth_renewal_failures.inc()
            self._failures += 1
            self._schedule(0.5 + full_jitter(self._failures, 1.0, RETRY_CAP_S))
            raise
        if self.cookie != cookie:  # logged out (or in again) meanwhile: this answer is stale
            return
        self._token, self._expires_at = token.access_token, time.time() + token.expires_in
        self._renewed_at, self._failures = time.monotonic(), 0
        metrics.auth_renewals.inc()
        self._schedule(RENEW_AT * token.expires_in)
        rotated = resp.cookies.get(COOKIE)
        if rotated and rotated != cookie:
            self.cookie = rotated
            self._keep(asyncio.ensure_future(self._persist()))

    async def _persist(self) -> None:
        """Save the rotated cookie off the renewal path: the file keyring's Argon2 takes ~1 s.

        Saves are serialised and each writes the newest cookie, so the keyring never ends
        up with an older value than memory.
        """
        async with self._saving:
            if self.cookie is not None:
                try:
                    await self.vault.save(self.cookie)
                except KeyringUnavailable as exc:
                    log.warning("could not save the rotated session cookie: %s", exc)

    async def _end(self, reason: str) -> None:
        self._cancel_timer()
        self.cookie, self._token = None, None
        try:
            async with self._saving:
                await self.vault.forget()
        except KeyringUnavailable as exc:
            log.warning("could not forget the ended session: %s", exc)
        await self._set_state(AuthState(state="expired", reason=reason))

    def _keep(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _schedule(self, delay: float) -> None:
        self._cancel_timer()
        self._timer = self._after(delay, self._renew_quietly)

    def _cancel_timer(self) -> None:
        if self._timer is not None and self._timer is not asyncio.current_task():
            self._timer.cancel()
        self._timer = None

    async def _renew_quietly(self) -> None:
        try:
            await self.renew()
        except (SessionEnded, ApiError):
            pass  # already handled: signed out, or a retry is scheduled
