"""Field-level three-way merge of a local edit with the server's version of a row.

A 409/412 only says *that* the server row moved on since the local edit's base. When
both sides changed different fields, nothing is actually in conflict: take each field
from whichever side changed it. Only a field both sides changed to different values is
a clash, and that is left to the user.

The merge is a pure function of (base, local, server): deterministic, commutative in
local and server (so it does not matter which side is "ours"), and idempotent
(merging a version with itself gives it back). ``tests/test_queue_merge.py`` checks
these with hypothesis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

#: Fields the server owns; they never clash and always come from the server row.
SERVER_FIELDS = frozenset({"id", "org_id", "updated_at", "created_at", "deleted"})


class _Absent:
    """A field missing on one side (distinct from a field set to ``None``)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True, slots=True)
class Merge:
    #: The merged fields (server-owned fields left out).
    fields: dict[str, Any]
    #: Fields both sides changed to different values, sorted.
    clashes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def clean(self) -> bool:
        return not self.clashes


def merge3(base: dict[str, Any], local: dict[str, Any], server: dict[str, Any]) -> Merge:
    """Merge ``local`` and ``server``, both descended from ``base``, field by field.

    On a clash the merged value is the smaller of the two by a fixed total order, so the
    result does not depend on argument order even then; the caller does not use it.
    """
    merged: dict[str, Any] = {}
    clashes: list[str] = []
    for key in sorted((base.keys() | local.keys() | server.keys()) - SERVER_FIELDS):
        b, l, s = base.get(key, ABSENT), local.get(key, ABSENT), server.get(key, ABSENT)
        if l == s or l == b:
            value = s
        elif s == b:
            value = l
        else:
            clashes.append(key)
            value = min(l, s, key=_order)
        if value is not ABSENT:
            merged[key] = value
    return Merge(merged, tuple(clashes))


def patch_between(current: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    """The JSON merge patch (one level, ``None`` removes) that turns ``current`` into ``target``."""
    patch = {k: v for k, v in target.items() if k not in SERVER_FIELDS and current.get(k, ABSENT) != v}
    patch.update((k, None) for k in current.keys() - target.keys() - SERVER_FIELDS)
    return patch


def apply_patch(row: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """``row`` after a JSON merge patch (one level, ``None`` removes a field)."""
    out = dict(row)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def _order(value: Any) -> tuple[str, str]:
    """A total order over JSON values (a missing field first): by type name, then by canonical text."""
    if value is ABSENT:
        return "", ""
    return type(value).__name__, msgspec.json.encode(value, order="sorted").decode()
