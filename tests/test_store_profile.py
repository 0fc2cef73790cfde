"""One rule for the org of a write, an export and a view (``Store.resolve_org``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from workbuoy.actors.plugins.adapters.base import AdapterError, Context
from workbuoy.schemas.auth import Me, MeOrg, MeUser
from workbuoy.store import ForeignOrg, NoOrg, SignedOut, Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "wb.db")
    yield s
    s.close()


def user(*orgs: str) -> Me:
    return Me(user=MeUser(id="u1", email="a@example.com"), orgs=[MeOrg(id=o, name=o.upper()) for o in orgs])


def test_signed_out_has_no_org(store: Store) -> None:
    assert store.me() is None and store.active_org() is None
    with pytest.raises(SignedOut):
        store.resolve_org()
    store.set_me(user("o1"))
    store.set_me(None)  # sign-out
    with pytest.raises(SignedOut):
        store.resolve_org("o1")


def test_first_org_until_one_is_chosen(store: Store) -> None:
    store.set_me(user("o1", "o2"))
    assert store.me() == user("o1", "o2")
    assert store.resolve_org() == store.active_org() == "o1"
    assert store.set_active_org("o2") == "o2"
    assert store.resolve_org() == store.active_org() == "o2"
    assert store.resolve_org("o1") == "o1"  # asked for explicitly


def test_an_org_the_user_lost_is_never_used(store: Store) -> None:
    store.set_me(user("o1", "o2"))
    store.set_active_org("o2")
    store.set_me(user("o1", "o3"))  # /me again: the user left o2
    assert store.resolve_org() == store.active_org() == "o1"
    plugins = Context(store, store.path.parent / "exports")
    assert plugins.org() == "o1"  # the export follows the same rule as the writes
    with pytest.raises(ForeignOrg, match="'o2' is not one of the user's orgs"):
        store.resolve_org("o2")
    with pytest.raises(ForeignOrg):
        store.set_active_org("o2")


def test_a_user_without_orgs(store: Store) -> None:
    store.set_me(user())
    with pytest.raises(NoOrg):
        store.resolve_org()
    assert store.active_org() is None
    with pytest.raises(AdapterError, match="no active org"):
        Context(store, store.path.parent / "exports").org()


def test_another_user_is_told_apart_from_the_same_one_again(store: Store) -> None:
    assert not store.known_user()
    assert store.set_me(user("o1")) is False  # the first user on this machine
    assert store.known_user()
    assert store.set_me(None) is False and store.known_user()  # sign-out keeps who it was
    assert store.set_me(user("o1")) is False  # the same user again
    other = Me(user=MeUser(id="u2", email="b@example.com"), orgs=[MeOrg(id="o9", name="O9")])
    assert store.set_me(other) is True
