"""URLs of API calls: the one way a path is built from data, and where a relative URL goes."""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from workbuoy.schemas.auth import Credentials

#: The services of one origin a relative URL can be under (the credentials carry each base).
Base = Literal["api", "email", "calendar"]


def path(*segments: str) -> str:
    """``/seg/seg``: the one way a URL path is built from data (an entity, an id).

    Every segment is percent-encoded whole (``/``, ``?``, ``#``, ``%`` included), so a
    value can never add a segment, a query or a fragment; ``.``, ``..`` and the empty
    segment, which would name the parent or the collection instead of a record, are
    refused with ``ValueError`` (the bus ``Id`` type refuses them too; this also covers
    ids that reached the store some other way).
    """
    for s in segments:
        if s in ("", ".", ".."):
            raise ValueError(f"{s!r} cannot be a URL path segment")
    return "".join("/" + quote(s, safe="") for s in segments)


def resolve(creds: Credentials, base: Base, url: str) -> str:
    """``url`` as is when absolute, else under ``base`` of the origin the credentials are for."""
    if "://" in url:
        return url
    root = {"api": creds.api_base, "email": creds.email_base, "calendar": creds.cal_base}[base]
    return root.rstrip("/") + "/" + url.lstrip("/")
