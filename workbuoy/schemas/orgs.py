"""Organisations of the signed-in user: ``wb:org:list`` / ``wb:org:switch``."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from workbuoy.schemas.base import Id, Msg, Name


class Org(Msg):
    id: Id
    name: Name
    roles: Annotated[list[Annotated[str, Meta(max_length=64)]], Meta(max_length=32)] = []


class OrgList(Msg):
    refresh: bool = False  # ask the portal's /me instead of the cached copy


class OrgListReply(Msg):
    orgs: list[Org]
    active: str | None = None


class OrgSwitch(Msg):
    org_id: Id
