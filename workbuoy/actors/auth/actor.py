"""The auth actor: signs in at the portal, keeps the session, hands out API credentials.

The session logic lives in ``session.py``, the keyring in ``secrets.py`` and the role
table in ``rbac.py``; this module only maps channels to them and errors to bus codes.
"""

from __future__ import annotations

from workbuoy.actors.auth import rbac
from workbuoy.actors.auth.secrets import CookieVault, KeyringUnavailable
from workbuoy.actors.auth.session import Session
from workbuoy.actors.base import Actor, handles
from workbuoy.api import ApiError, HttpError, ProtocolError, Unauthenticated
from workbuoy.bus.errors import BusError
from workbuoy.schemas.auth import AuthState, Credentials, CredentialsRequest, Login, me_from_meta
from workbuoy.schemas.base import Empty
from workbuoy.schemas.rbac import RbacCan, RbacReply
from workbuoy.store import Store


class AuthActor(Actor):
    name = "auth"

    async def start(self) -> None:
        self.store = Store.open(self.env.db_path)
        self.session = Session(self.env, CookieVault(self.env), self.store, self._publish_state, self.after)
        await self.session.resume()

    async def stop(self) -> None:
        await self.session.close()
        self.store.close()

    async def _publish_state(self, state: AuthState) -> None:
        self.log.info("auth state: %s %s", state.state, state.reason)
        await self.publish("wb:auth:state", state)

    @handles("wb:auth:login")
    async def login(self, request: Login, caller: str) -> AuthState:
        try:
            state = await self.session.login(request.email, request.password)
        except KeyringUnavailable as exc:
            raise BusError("failed", f"cannot store the session securely: {exc}") from None
        except Unauthenticated:
            raise BusError("unauthenticated", "invalid e-mail or password") from None
        except (HttpError, ProtocolError) as exc:
            raise BusError("failed", f"sign-in failed: {exc}") from None
        except ApiError as exc:
            raise BusError("unavailable", f"the portal is unreachable: {exc}") from None
        self.after(0, lambda: self.audit("auth.signed_in", {"email": request.email, "via": caller}))
        return state

    @handles("wb:auth:logout")
    async def logout(self, request: Empty, caller: str) -> AuthState:
        email = self.session.state.email
        await self.audit("auth.signed_out", {"email": email, "via": caller})  # uploaded now or after the next sign-in
        try:
            return await self.session.logout()
        except KeyringUnavailable as exc:
            raise BusError("failed", f"signed out, but the keyring refused to forget the session: {exc}") from None

    @handles("wb:auth:status")
    async def status(self, request: Empty, caller: str) -> AuthState:
        return self.session.status()

    @handles("wb:auth:credentials")
    async def credentials(self, request: CredentialsRequest, caller: str) -> Credentials:
        return await self.session.credentials(force=request.force_refresh, bearer=self.settings.prefer_bearer_token)

    @handles("wb:rbac:can")
    async def can(self, request: RbacCan, caller: str) -> RbacReply:
        signed_in = self.session.state.state == "signed_in"
        return rbac.decide(me_from_meta(self.store.get_meta("me")) if signed_in else None, request.action,
                           request.org_id)


ACTOR = AuthActor
