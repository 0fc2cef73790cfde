"""The queue actor: its channels answer `not_implemented` until its issue lands."""

from __future__ import annotations

from workbuoy.actors.base import Actor


class QueueActor(Actor):
    name = "queue"


ACTOR = QueueActor
