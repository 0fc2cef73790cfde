"""The auth actor: signs in at the portal, keeps the session, hands out API credentials.

The session logic lives in ``session.py``, the keyring in ``secrets.py`` and the role
table in ``rbac.py``; this module only maps channels to them and errors to bus codes.
"""

from __future__ import annotations

from collections.abc import Awaitable

from workbuoy.actors.auth import rbac
from workbuoy.actors.auth.secrets import KeyringUnavailable
from workbuoy.actors.auth.session import COOKIE, Session, SessionEnded
from workbuoy.actors.base import Actor, handles
from workbuoy.api import ApiError, Unauthenticated, bus_error
from workbuoy.bus.errors import BusError
from workbuoy.schemas.auth import AuthState, Credentials, CredentialsRequest, Login
from workbuoy.schemas.base import Empty
from workbuoy.schemas.portal import AdoptSession, PortalCookie
from workbuoy.schemas.rbac import RbacCan, RbacReply
from workbuoy.schemas.settings import Settings
from workbuoy.store import Store


class AuthActor(Actor):
    name = "auth"
    session: Session | None = None  # settings events may arrive before start() made it

    async def start(self) -> None:
        self.store = Store.open(self.env.db_path)
        self.session = Session(self.env, self.settings.portal_origin, self.store, self._publish_state, self.after)
        await self.session.resume()

    async def on_settings(self, settings: Settings) -> None:
        """A new ``portalOrigin`` signs out of the old one (the ui asked the user first)."""
        if self.session is not None and settings.portal_origin != self.session.origin:
            self.log.info("portal origin changed to %s: signing out of %s", settings.portal_origin, self.session.origin)
            await self.session.change_origin(settings.portal_origin)

    async def stop(self) -> None:
        await self.session.close()
        self.store.close()

    async def _publish_state(self, state: AuthState) -> None:
        self.log.info("auth state: %s %s", state.state, state.reason)
        await self.publish("wb:auth:state", state)

    async def _signing_in(self, attempt: Awaitable[AuthState], refused: str) -> AuthState:
        """Run a sign-in; map its failures to bus errors a person can act on."""
        try:
            return await attempt
        except KeyringUnavailable as exc:
            raise BusError("failed", f"cannot store the session securely: {exc}") from None
        except Unauthenticated:
            raise BusError("unauthenticated", refused) from None
        except ApiError as exc:
            raise bus_error(exc, f"sign-in at {self.session.origin} failed") from None

    @handles("wb:auth:login")
    async def login(self, request: Login, caller: str) -> AuthState:
        # The sign-in window may have set portalOrigin just now; its event may still be on its way.
        await self.on_settings(await self.call("wb:getSettings"))
        state = await self._signing_in(self.session.login(request.email, request.password), "invalid e-mail or password")
        self.after(0, lambda: self.audit("auth.signed_in", {"email": request.email, "via": caller}))
        return state

    @handles("wb:auth:adoptSession")
    async def adopt_session(self, request: AdoptSession, caller: str) -> AuthState:
        state = await self._signing_in(self.session.adopt(request.cookie), "the portal does not know this session")
        if state.state == "signed_in":
            self.after(0, lambda: self.audit("auth.signed_in", {"email": state.email, "via": "portal"}))
        return state

    @handles("wb:auth:portalCookie")
    def portal_cookie(self, request: Empty, caller: str) -> PortalCookie:
        """The portal window's session; the registry lets only the portal role ask."""
        self.log.info("the portal window takes the %s cookie for %s", COOKIE, self.session.origin)
        return PortalCookie(origin=self.session.origin, value=self.session.cookie)

    @handles("wb:auth:logout")
    async def logout(self, request: Empty, caller: str) -> AuthState:
        email = self.session.state.email
        await self.audit("auth.signed_out", {"email": email, "via": caller})  # uploaded now or after the next sign-in
        if self.settings.wipe_cache_on_sign_out:
            self.log.info("signed out: wiped %d cached rows (wipeCacheOnSignOut)", self.store.wipe_cache())
        try:
            return await self.session.logout()
        except KeyringUnavailable as exc:
            raise BusError("failed", f"signed out, but the keyring refused to forget the session: {exc}") from None

    @handles("wb:auth:status")
    def status(self, request: Empty, caller: str) -> AuthState:
        return self.session.status()

    @handles("wb:auth:credentials")
    async def credentials(self, request: CredentialsRequest, caller: str) -> Credentials:
        try:
            return await self.session.credentials(force=request.force_refresh, bearer=self.settings.prefer_bearer_token)
        except SessionEnded as exc:
            raise BusError("unauthenticated", str(exc)) from None
        except ApiError as exc:
            raise bus_error(exc, "cannot renew the access token") from None

    @handles("wb:rbac:can")
    def can(self, request: RbacCan, caller: str) -> RbacReply:
        signed_in = self.session.state.state == "signed_in"
        return rbac.decide(self.store.me() if signed_in else None, request.action,
                           request.org_id)


ACTOR = AuthActor
