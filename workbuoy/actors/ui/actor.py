"""The ui actor: its channels answer `not_implemented` until its issue lands."""

from __future__ import annotations

from workbuoy.actors.base import Actor


class UiActor(Actor):
    name = "ui"


ACTOR = UiActor
