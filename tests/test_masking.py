from __future__ import annotations

import base64
import json
from collections import namedtuple

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbuoy.masking import MASK, is_secret_key, mask_obj, mask_text

JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkb3JhQHdvcmtidW95LnRlc3QifQ.c2lnbmF0dXJlLWJ5dGVz"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_json_objects = st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8) | st.integers(), min_size=1, max_size=4)
jwts = st.builds(
    lambda header, payload, sig: f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}.{_b64(sig)}",
    _json_objects,
    _json_objects,
    st.binary(max_size=64),
)
emails = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    st.from_regex(r"[A-Za-z0-9._%+-]{1,64}", fullmatch=True),
    st.lists(st.from_regex(r"[A-Za-z0-9-]{1,12}", fullmatch=True), min_size=1, max_size=3),
    st.from_regex(r"[A-Za-z]{2,6}", fullmatch=True),
)
# Random text biased towards the pieces the rules look for, so that near-misses and
# overlapping matches are actually explored.
_pieces = st.sampled_from(
    ["token", "access_token", "password", "Bearer ", "Cookie: ", "Set-Cookie:", "wb_session", "api-key", "eyJ", "@",
     "=", ":", " ", '"', "'", ".", "-", "_", "&", ";", ",", "\\", "\n", "}", "a", "Z9", "b.co", "x.example"]
)
texts = st.lists(_pieces | st.text(max_size=6), max_size=20).map("".join)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("sync started for workbuoy.actors.sync", "sync started for workbuoy.actors.sync"),
        (f"got {JWT} back", f"got {MASK} back"),
        ("Authorization: Bearer abc.def-ghi", f"Authorization: {MASK}"),
        ("calling with bearer abc123", f"calling with bearer {MASK}"),
        ("Cookie: theme=dark; wb_session=s3cr3t", f"Cookie: {MASK}"),
        ("Set-Cookie: wb_session=s3cr3t; Path=/; HttpOnly", f"Set-Cookie: {MASK}"),
        ("wb_session=s3cr3t; theme=dark", f"wb_session={MASK}; theme=dark"),
        ("GET /x?access_token=abc&page=2", f"GET /x?access_token={MASK}&page=2"),
        ("password: hunter2", f"password: {MASK}"),
        ('password="hunter2 (cut)', f'password="{MASK}" (cut)'),
        ('{"password": "hu\\"nter2", "user": "x"}', f'{{"password": "{MASK}", "user": "x"}}'),
        ("{'refreshToken': 'r1', 'n': 1}", f"{{'refreshToken': '{MASK}', 'n': 1}}"),
        ("client_secret=abc api_key=def X-Api-Key=ghi", f"client_secret={MASK} api_key={MASK} X-Api-Key={MASK}"),
        ("signed in as dora@workbuoy.test", f"signed in as {MASK}@workbuoy.test"),
        ("max_tokens=500 token_count=3", "max_tokens=500 token_count=3"),
        ("release workbuoy@0.1.0", "release workbuoy@0.1.0"),
        ("a@b.co@c.de", f"{MASK}@{MASK}@c.de"),  # the kept domain must not read as a mailbox
    ],
)
def test_mask_text_examples(raw: str, masked: str) -> None:
    assert mask_text(raw) == masked


@given(texts)
@settings(max_examples=500)
def test_mask_text_is_idempotent(text: str) -> None:
    once = mask_text(text)
    assert mask_text(once) == once


@given(st.text(), jwts, st.text())
def test_jwt_never_survives(prefix: str, jwt: str, suffix: str) -> None:
    assert jwt not in mask_text(prefix + jwt + suffix)


@given(texts, emails, texts)
def test_email_never_survives(prefix: str, email: str, suffix: str) -> None:
    assert email not in mask_text(prefix + email + suffix)


@given(texts, jwts, emails)
def test_mask_obj_is_idempotent_and_hides_generated_secrets(text: str, jwt: str, email: str) -> None:
    obj = {"note": f"{text} {jwt} {email}", "items": [text, (text, jwt)], "password": text}
    once = mask_obj(obj)
    assert mask_obj(once) == once
    assert jwt not in repr(once) and email not in repr(once)


def test_secret_keys_ignore_case_and_separators() -> None:
    for key in ("password", "Authorization", "accessToken", "refresh_token", "Set-Cookie", "wb_session", "apiKey",
                "X-API-KEY", "client_secret", "key", "keyringKey", "credentials"):
        assert is_secret_key(key), key
    for key in ("tokenExpiresAt", "email", "keyboard", "sessions", "entity"):
        assert not is_secret_key(key), key


class Hello(msgspec.Struct, rename="camel"):
    name: str
    key: str
    access_token: str | None = None


def test_mask_obj_walks_containers_and_structs() -> None:
    Pair = namedtuple("Pair", "a b")
    obj = {
        "Authorization": "Bearer x",
        "headers": [("Cookie", "wb_session=1"), ("Accept", "*/*")],
        "nested": [{"accessToken": "a", "tokenExpiresAt": 5, "note": "from dora@workbuoy.test"}],
        "pair": Pair("x", JWT),
        "password": None,
        "count": 3,
        "hello": Hello(name="sync", key="k3y", access_token="t"),
    }
    assert mask_obj(obj) == {
        "Authorization": MASK,
        "headers": [("Cookie", MASK), ("Accept", "*/*")],
        "nested": [{"accessToken": MASK, "tokenExpiresAt": 5, "note": f"from {MASK}@workbuoy.test"}],
        "pair": ("x", MASK),
        "password": None,
        "count": 3,
        "hello": {"name": "sync", "key": MASK, "accessToken": MASK},
    }
