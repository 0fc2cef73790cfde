"""One masker for every place a secret or a person could leak: logs, the bus trace, Sentry.

Having a single implementation means a rule added here protects all three outputs at
once. ``mask_text`` recognises secrets by their shape inside free text;
``mask_obj`` also uses the *key* a value sits under, which catches opaque secrets
(a random API key, a password) that have no recognisable shape.

Masked values become ``***``. An e-mail address keeps its domain (``***@workbuoy.test``):
the domain tells which tenant or provider is involved, which is what a log reader
needs, while the mailbox, which names the person, is removed.

Both functions run on every trace message, so clean text must cost little: a few
substring tests for a trigger (``@``, ``eyJ``, a sensitive keyword) decide whether
the regular expressions run at all.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

MASK = "***"
#: Containers nested deeper than this are shown as ``TOO_DEEP``. The bound keeps the
#: recursion far from the interpreter's limit (a peer may send ~1,000 levels), so that
#: masking never raises, and keeps a trace record or a log line readable.
MAX_DEPTH = 64
TOO_DEEP = "<nested too deep>"

# Every rule below needs one of these in the lower-cased text; a text with none is
# returned untouched. Substring tests run at C speed, about ten times faster than one
# case-insensitive regex alternation over the same words. The rules are ASCII-only
# (``re.ASCII``) so that ``str.lower`` agrees with their case-insensitivity. A keyword
# counts only beside a ``:`` or ``=`` (the header and pair rules need one): prose such as
# "no stored session" is common in replies and would otherwise run all five rules.
_SHAPE_TRIGGERS = ("@", "eyi", "eyj", "eyk", "eyl", "bearer")
_KEYWORD_TRIGGERS = (
    "cookie", "session", "token", "passw", "secret", "apikey", "api_key", "api-key", "authorization", "credential",
)

# A JWT (JWS compact form): base64url segments separated by dots, the first one being
# base64url JSON (``{"`` encodes as ``ey`` then one of ``I``-``L``, ``eyJ`` for the usual
# ``{"alg"``). Requiring that start keeps dotted names such as ``workbuoy.actors.sync``
# out; no word boundary in front, so a token glued to other text is still found.
_JWT = re.compile(r"ey[I-L][A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)+")
_BEARER = re.compile(r"\b(bearer\s+)[A-Za-z0-9._~+/=-]+", re.I | re.A)
# A whole header value up to the end of the line: cookies hold several secrets at once.
_HEADER = re.compile(r"\b((?:proxy-)?authorization|set-cookie|cookie|x-api-key)(\s*:\s*)[^\r\n]+", re.I | re.A)
# ``key=value``, ``key: value``, ``"key": "value"`` and ``'key': 'value'`` for any key
# that ends in one of the sensitive words (``access_token``, ``client_secret``,
# ``wb_session``, ``x-api-key`` ...). The value may be quoted, or open a quote it never
# closes (a truncated line); a quoted value comes out quoted. A key starts where a run of
# key characters starts (the look-behind): the same matches, but tried once per word rather
# than from every letter of it, each try scanning to the word's end (this rule 48 -> 9 us
# on a 160-character error message, which a traced reply may carry on every call).
_PAIR = re.compile(
    r"""(?P<key>(?<![A-Za-z0-9_-])["']?[A-Za-z0-9_-]*(?:token|passw(?:or)?d|secret|api[_-]?key|session|credentials?)["']?\s*[=:]\s*)"""
    r"""(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|["']?[^\s&;,"'}\]]+)""",
    re.I | re.A,
)
# Local part bounded at 64 characters (the RFC limit) so a long run without ``@`` is not
# rescanned from every position.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")

# Keys whose value is masked whatever it looks like, compared after lower-casing and
# dropping ``-`` and ``_`` so that ``access_token``, ``accessToken`` (msgspec camelCase on
# the wire) and ``Access-Token`` are the same key. Any ``...key`` counts (``api_key``,
# ``keyring_key``, the bus ``Hello.key``): few such values are worth reading in a log.
_SECRET_KEYS = frozenset(
    {"authorization", "proxyauthorization", "cookie", "setcookie", "session", "wbsession", "credentials"}
)
_SECRET_SUFFIXES = ("token", "password", "passwd", "secret", "key")


def _pair(m: re.Match[str]) -> str:
    value = m["value"]
    quote = value[0] if value[0] in "\"'" else ""
    return f"{m['key']}{quote}{MASK}{quote}"


def _email(m: re.Match[str]) -> str:
    # A domain glued to another ``@`` (``a@b.co@c.de``) is masked too: kept, it would
    # read as the next mailbox and a second pass would mask it, breaking idempotence.
    glued = m.string.startswith("@", m.end())
    return f"{MASK}@{MASK if glued else m['domain']}"


def mask_text(s: str) -> str:
    """Return ``s`` with JWTs, bearer tokens, cookies, secret pairs and mailboxes replaced.

    Idempotent: masking masked text changes nothing, so layers may mask twice safely.
    """
    low = s.lower()
    if not any(t in low for t in _SHAPE_TRIGGERS) and not (
        (":" in s or "=" in s) and any(t in low for t in _KEYWORD_TRIGGERS)
    ):
        return s
    s = _JWT.sub(MASK, s)
    s = _HEADER.sub(rf"\1\2{MASK}", s)
    s = _BEARER.sub(rf"\1{MASK}", s)
    s = _PAIR.sub(_pair, s)
    return _EMAIL.sub(_email, s)


def is_secret_key(key: str) -> bool:
    """Whether the value stored under ``key`` is a secret, whatever its content."""
    k = key.lower().replace("-", "").replace("_", "")
    return k in _SECRET_KEYS or k.endswith(_SECRET_SUFFIXES)


def _is_secret_pair(item: list[Any] | tuple[Any, ...]) -> bool:
    # Headers are often a list of (name, value) pairs rather than a dict (httpx, ASGI).
    return len(item) == 2 and isinstance(item[0], str) and is_secret_key(item[0])


def mask_obj(obj: Any, _depth: int = 0) -> Any:
    """Return a masked copy of ``obj``: values under secret keys hidden, every string masked.

    Walks dicts, lists, tuples and msgspec Structs (converted with ``msgspec.to_builtins``,
    so the result holds the wire names); anything else is returned as is. ``None`` under a
    secret key is kept: knowing that a token is absent is useful and reveals nothing.
    A container below ``MAX_DEPTH`` levels becomes ``TOO_DEEP``; this never raises
    ``RecursionError``, whatever the input.
    """
    if isinstance(obj, str):
        return mask_text(obj)
    if _depth >= MAX_DEPTH and isinstance(obj, (dict, list, tuple, msgspec.Struct)):
        return TOO_DEEP
    deeper = _depth + 1
    if isinstance(obj, dict):
        return {
            k: (MASK if v is not None else None) if isinstance(k, str) and is_secret_key(k) else mask_obj(v, deeper)
            for k, v in obj.items()
        }
    if isinstance(obj, (list, tuple)):
        masked = [obj[0], MASK] if _is_secret_pair(obj) else [mask_obj(v, deeper) for v in obj]
        return masked if isinstance(obj, list) else tuple(masked)
    if isinstance(obj, msgspec.Struct):
        try:
            built = msgspec.to_builtins(obj)
        except RecursionError:  # deeper than msgspec can convert: deeper than MAX_DEPTH too
            return TOO_DEEP
        return mask_obj(built, _depth)
    return obj
