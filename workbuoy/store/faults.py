"""What a disk failure under SQLite means for the user, in one sentence each.

Actors turn these into a ``storage`` error reply on the channel that hit them and a
``wb:store:fault`` event (``actors/base.py``); nothing here retries. A full disk rolls
the transaction back, so what was committed before (queued writes) is untouched.
"""

from __future__ import annotations

from typing import NamedTuple

import apsw

from workbuoy.schemas.store import StoreFaultKind


class Fault(NamedTuple):
    kind: StoreFaultKind
    message: str


_FAULTS: tuple[tuple[type[apsw.Error], StoreFaultKind, str], ...] = (
    (apsw.FullError, "full", "the disk is full (or the database reached its size limit): nothing was saved by "
                             "this request, earlier queued writes are kept; free some space and try again"),
    (apsw.CorruptError, "corrupt", "the local database is damaged: restart WorkBuoy (a damaged cache is "
                                   "rebuilt from the server) and run `workbuoy doctor`"),
    (apsw.NotADBError, "corrupt", "a local database file is not a database any more: restart WorkBuoy and run "
                                  "`workbuoy doctor`"),
    (apsw.IOError, "io", "the disk could not be read or written: check the disk and run `workbuoy doctor`"),
)


def classify(exc: BaseException) -> Fault | None:
    """The fault ``exc`` stands for, or ``None`` if it is not a disk failure."""
    for kind_of, kind, message in _FAULTS:
        if isinstance(exc, kind_of):
            return Fault(kind, f"{message} ({type(exc).__name__}: {exc})")
    return None
