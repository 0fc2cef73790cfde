"""The field-level three-way merge: examples and hypothesis properties."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from workbuoy.actors.queue.merge import apply_patch, merge3, patch_between

KEYS = st.sampled_from(["a", "b", "c", "d", "stage", "amount"])
VALUES = st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=3) | st.lists(st.integers(0, 2), max_size=2)
ROWS = st.dictionaries(KEYS, VALUES, max_size=6)


@st.composite
def triples(draw: st.DrawFn) -> tuple[dict, dict, dict]:
    """A base and two descendants that each change, add or drop some fields."""
    base = draw(ROWS)

    def descendant() -> dict:
        row = dict(base)
        for key in draw(st.lists(KEYS, max_size=4)):
            if draw(st.booleans()):
                row[key] = draw(VALUES)
            else:
                row.pop(key, None)
        return row

    return base, descendant(), descendant()


@given(triples())
def test_commutative(t: tuple[dict, dict, dict]) -> None:
    base, local, server = t
    assert merge3(base, local, server) == merge3(base, server, local)


@given(ROWS, ROWS)
def test_idempotent(base: dict, row: dict) -> None:
    assert merge3(base, row, row).fields == row
    assert merge3(base, row, row).clean


@given(triples())
def test_deterministic_and_stable(t: tuple[dict, dict, dict]) -> None:
    base, local, server = t
    first = merge3(base, local, server)
    assert merge3(dict(base), dict(local), dict(server)) == first
    if first.clean:  # merging the result in again changes nothing
        assert merge3(base, first.fields, server).fields == first.fields
        assert merge3(base, local, first.fields).fields == first.fields


@given(ROWS, ROWS)
def test_one_side_unchanged_takes_the_other(base: dict, changed: dict) -> None:
    assert merge3(base, base, changed).fields == changed
    assert merge3(base, changed, base).fields == changed


@given(triples())
def test_clean_merge_keeps_every_change_and_clashes_are_real(t: tuple[dict, dict, dict]) -> None:
    base, local, server = t
    m = merge3(base, local, server)
    for key in m.clashes:
        assert local.get(key, "∅") != server.get(key, "∅")
        assert base.get(key, "∅") not in (local.get(key, "∅"), server.get(key, "∅"))
    if m.clean:
        for side in (local, server):
            for key in base.keys() | side.keys():
                if base.get(key, "∅") != side.get(key, "∅"):
                    assert m.fields.get(key, "∅") == side.get(key, "∅")


@given(ROWS, ROWS)
def test_patch_between_turns_one_row_into_the_other(current: dict, target: dict) -> None:
    target = {k: v for k, v in target.items() if v is not None}  # a merge patch cannot set null
    assert apply_patch(current, patch_between(current, target)) == target


def test_examples() -> None:
    base = {"id": "d1", "updated_at": 1, "stage": "new", "amount": 10}
    local = {**base, "stage": "won"}
    server = {**base, "updated_at": 2, "amount": 20}
    m = merge3(base, local, server)
    assert m.clean and m.fields == {"stage": "won", "amount": 20}
    assert merge3(base, local, {**server, "stage": "lost"}).clashes == ("stage",)
    assert merge3(base, {**local, "note": "x"}, {**server, "note": "x"}).clean  # same change on both sides
    assert merge3(base, {"id": "d1", "amount": 10}, server).fields == {"amount": 20}  # local dropped stage
