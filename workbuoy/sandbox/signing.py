"""HMAC signing of the opaque values the sandbox hands out (cookies, tokens, cursors).

The key is derived from ``--seed`` so that a value signed before a restart still
verifies after it: clients keep their session and their sync checkpoint across a
server restart, as they would with the real portal. Each use gets its own purpose
so a cursor can never be replayed as a session and vice versa.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import msgspec


class BadSignature(ValueError):
    """The value was not produced by this server (tampered, truncated or another seed)."""


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise BadSignature("not base64") from exc


class Signer:
    """Signs a JSON-able payload as ``<base64 json>.<base64 mac>`` for one purpose."""

    def __init__(self, seed: int, purpose: str) -> None:
        self._key = hashlib.sha256(f"workbuoy-sandbox:{seed}:{purpose}".encode()).digest()

    def _mac(self, body: str) -> str:
        return b64encode(hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest()[:18])

    def sign(self, payload: Any) -> str:
        body = b64encode(msgspec.json.encode(payload))
        return f"{body}.{self._mac(body)}"

    def unsign(self, value: str) -> Any:
        body, sep, mac = value.partition(".")
        if not sep or not body.isascii() or not mac.isascii():
            raise BadSignature("malformed")
        if not hmac.compare_digest(self._mac(body), mac):
            raise BadSignature("bad signature")
        try:
            return msgspec.json.decode(b64decode(body))
        except msgspec.DecodeError as exc:
            raise BadSignature("bad payload") from exc
