"""Who is who on the bus: the spawns the arbiter expects, the actors that proved them, impostors.

An actor is admitted by one hello from the routing identity, with the key and from
the pid its spawn was given; the key works once. It is *registered* from then on (it
may call, publish, beat and answer) and *routable* (requests go to it) only once it
sent READY, that is once its ``start()`` is done.
"""

from __future__ import annotations

import hmac
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from workbuoy.schemas.base import ACTOR_NAMES
from workbuoy.schemas.envelope import Hello

CLI_PREFIX = b"cli:"
IMPOSTORS_REMEMBERED = 4096  # identities already logged as impostors
_ACTOR_PREFIXES = frozenset(n.encode() for n in ACTOR_NAMES)


def claims_actor(ident: bytes) -> bool:
    """A routing identity that names an actor (``sync``, ``sync:…``): only the spawned one may use it."""
    return ident.split(b":", 1)[0] in _ACTOR_PREFIXES


@dataclass
class PeerHooks:
    """What the arbiter wants to hear about its actors."""

    on_hello: Callable[[str, int], None]
    on_ready: Callable[[str], None]
    on_heartbeat: Callable[[str], None]
    on_bye: Callable[[str], None]


@dataclass
class _Expected:
    key: str
    pid: int
    identity: bytes
    curve_key: str | None  # the spawn's CURVE public key, on a CURVE bus


class Peers:
    """The broker's register of identities; ``vouched`` says whether ZAP admitted a connection
    from a pid (ipc) or with a CURVE key."""

    def __init__(self, vouched: Callable[[int | str], bool]) -> None:
        self._vouched = vouched
        self._expected: dict[str, _Expected] = {}
        self._names: dict[bytes, str] = {}  # routing identity that completed its hello -> actor name
        self._idents: dict[str, bytes] = {}  # actor name -> its current routing identity
        self._ready: set[str] = set()
        self._retiring: set[str] = set()  # stopping: still who they are, but routed nothing new
        self._impostors: OrderedDict[bytes, None] = OrderedDict()

    def expect(self, name: str, key: str, pid: int, identity: str, curve_key: str | None = None) -> None:
        self._expected[name] = _Expected(key, pid, identity.encode(), curve_key)

    def admit(self, ident: bytes, hello: Hello) -> bool:
        """Register ``ident`` as ``hello.name`` if it proves the expected spawn; retire the old identity."""
        want = self._expected.get(hello.name)
        if (want is None or ident != want.identity or not hmac.compare_digest(hello.key.encode(), want.key.encode())
                or hello.pid != want.pid or not self._vouched(want.curve_key or hello.pid)):
            return False
        retiring = hello.name in self._retiring  # stopped before its hello: admitted, never routed to
        del self._expected[hello.name]
        self.forget(hello.name)
        self._names[ident] = hello.name
        self._idents[hello.name] = ident
        if retiring:
            self._retiring.add(hello.name)
        return True

    def mark_ready(self, name: str) -> None:
        if name not in self._retiring:
            self._ready.add(name)

    def retire(self, name: str) -> None:
        self._ready.discard(name)
        if name in self._idents or name in self._expected:
            self._retiring.add(name)

    def forget(self, name: str) -> None:
        """The actor's process is gone (or going): its identity routes nothing any more."""
        self._expected.pop(name, None)
        self._ready.discard(name)
        self._retiring.discard(name)
        self._names.pop(self._idents.pop(name, b""), None)

    def name_of(self, ident: bytes) -> str | None:
        """The actor registered on ``ident``, if any."""
        return self._names.get(ident)

    def ready_ident(self, name: str) -> bytes:
        """The routing identity of ``name`` if it is ready; ``KeyError`` if it is not (yet)."""
        if name not in self._ready:
            raise KeyError(name)
        return self._idents[name]

    def why_not_routable(self, name: str) -> str:
        if self.is_starting(name):
            return "is starting"
        return "is stopping" if name in self._retiring else "is not running"

    def is_starting(self, name: str) -> bool:
        """Spawned and not yet ready: expected, or admitted while its ``start()`` runs."""
        return name in self._expected or (name in self._idents and name not in self._ready | self._retiring)

    def role(self, ident: bytes) -> str | None:
        """An actor's name, ``cli`` for a terminal's identity, ``None`` for anybody else."""
        if (name := self._names.get(ident)) is not None:
            return name
        return "cli" if ident.startswith(CLI_PREFIX) else None

    def caller_tag(self, ident: bytes, role: str) -> bytes:
        """How an actor sees its caller: an actor by name (its routing identity stays secret), the cli as itself."""
        return ident if role == "cli" else role.encode()

    def reply_to(self, tag: bytes) -> bytes | None:
        """The routing identity a reply goes to: the current one of a named actor, a cli identity as it is."""
        if tag.startswith(CLI_PREFIX):
            return tag
        return self._idents.get(tag.decode(errors="replace"))

    def first_impostor_sighting(self, ident: bytes) -> bool:
        """True the first time ``ident`` poses as an actor (bounded memory), so it is logged once."""
        if ident in self._impostors:
            return False
        self._impostors[ident] = None
        if len(self._impostors) > IMPOSTORS_REMEMBERED:
            self._impostors.popitem(last=False)
        return True
