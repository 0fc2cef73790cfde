"""Per-process logging: one rotating, masked file per process, JSON lines or text.

Each actor is its own OS process, and ``logging`` cannot share one file between
processes (rotation renames the file under the feet of the others), so every process
writes its own ``<log_dir>/<process>.log``, rotated at 5 MiB with 5 backups.

Everything that reaches a handler goes through :class:`MaskingFilter` first, so a
token passed as an argument (``log.info("token %s", tok)``), inside an exception
message or a traceback is masked in the file and on stderr alike. The text format
escapes control characters and indents tracebacks, so logged data (a channel name
holding a newline) can never start a line that looks like a record of its own;
:class:`Repeats` keeps a flood of identical refusals from rotating the file away. Warnings and
unhandled exceptions (main thread and other threads) are logged too, so a crash
leaves its traceback in the process's file, not only on a stderr nobody reads.

Named ``logs`` so that it never shadows the standard library's ``logging``. Call :func:`setup` before
``workbuoy.crash.init`` so that Sentry's exception hook wraps ours (Sentry reports,
then ours logs) rather than the other way round.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
import threading
import time
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Callable

import msgspec

from workbuoy.config import Env
from workbuoy.masking import mask_obj, mask_text

ROOT = "workbuoy"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
ThreadExceptHook = Callable[[threading.ExceptHookArgs], object]

_configured = False
_plain = logging.Formatter()

#: The org the running code works for: actors set it (:func:`for_org`) while they handle a
#: request, a write or a sync stream of one org, and every record logged meanwhile carries
#: it (``org_id`` in JSON, ``[org-2]`` in text). A context variable, so each asyncio task
#: (one sync stream, one send) has its own and concurrent work of two orgs cannot mix.
current_org: ContextVar[str | None] = ContextVar("workbuoy_org", default=None)


@contextmanager
def for_org(org_id: str | None) -> Iterator[None]:
    """Tag the records logged inside the block (in this task) with ``org_id``."""
    token = current_org.set(org_id)
    try:
        yield
    finally:
        current_org.reset(token)


def _org_of(record: logging.LogRecord) -> str | None:
    """The record's org: taken when it was logged (the masking filter, in the logging task), else now."""
    return getattr(record, "org_id", None) or current_org.get()


def create(channel: str) -> logging.Logger:
    """The logger of one part of the program, below the ``workbuoy`` logger that ``setup`` configures."""
    return logging.getLogger(f"{ROOT}.{channel}")


class MaskingFilter(logging.Filter):
    """Masks a record in place: arguments, formatted message, exception and stack text.

    Attached to the handlers, not to the ``workbuoy`` logger, because a logger's filters
    do not see the records of its child loggers. The record is shared by all handlers,
    so it is masked once and marked.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "wb_masked", False):
            return True
        if getattr(record, "org_id", None) is None:
            record.org_id = current_org.get()
        if record.args:
            # Masking the arguments by themselves catches secrets recognisable only by
            # their key: ``log.info("%(password)s", {"password": pw})``.
            record.args = mask_obj(record.args)
        try:
            record.msg = mask_text(record.getMessage())
            record.args = None
        except (TypeError, ValueError):
            pass  # A broken format string: the handler reports it, with masked arguments.
        if record.exc_info and not record.exc_text:
            record.exc_text = _plain.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        record.wb_masked = True
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``ts`` (UTC, ms), ``level``, ``process``, ``pid``, ``org_id`` (``null``
    when no org is known), ``logger``, ``msg``, ``exc``."""

    def __init__(self, process: str) -> None:
        super().__init__()
        self._process = process

    def format(self, record: logging.LogRecord) -> str:
        exc = record.exc_text or (self.formatException(record.exc_info) if record.exc_info else None)
        if record.stack_info:
            exc = f"{exc}\n{record.stack_info}" if exc else record.stack_info
        return msgspec.json.encode(
            {
                "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname,
                "process": self._process,
                "pid": record.process,
                "org_id": _org_of(record),
                "logger": record.name,
                "msg": record.getMessage(),
                "exc": exc,
            }
        ).decode()


# C0 and C1 controls, DEL and the Unicode line and paragraph separators: everything a
# terminal or a line-splitting reader may take for a line break or an escape sequence.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(m: re.Match[str]) -> str:
    return m[0].encode("unicode_escape").decode("ascii")  # "\n", "\x1b", "\u2028"


def escape_controls(text: str) -> str:
    """``text`` with every control character written as its Python escape (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(_escape, text)


class TextFormatter(logging.Formatter):
    """One line per record, the message after its org (``[org-2] ``) when one is known:
    control characters escaped; a traceback or stack below it, indented, so that no
    text from the record begins a line of its own."""

    def format(self, record: logging.LogRecord) -> str:
        org = _org_of(record)
        record.message = f"[{org}] {record.getMessage()}" if org else record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        line = escape_controls(self.formatMessage(record))
        exc = record.exc_text or (self.formatException(record.exc_info) if record.exc_info else "")
        below = "\n".join(t for t in (exc, record.stack_info) if t)
        if not below:
            return line
        return line + "".join("\n    " + t for t in _CONTROL_BUT_NEWLINE.sub(_escape, below).split("\n"))


def _text_formatter(process: str) -> logging.Formatter:
    name = process.replace("%", "%%")
    fmt = TextFormatter(
        f"%(asctime)s.%(msecs)03dZ %(levelname)s {name}[%(process)d] %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"
    )
    fmt.converter = time.gmtime
    return fmt


@dataclass
class _Run:
    since: float
    suppressed: int = 0


class Repeats:
    """Logs the first of a run of identical lines (same ``key``) once per ``window`` seconds.

    The repeats are counted and the count is added to the next line logged for that key
    once the window is over (``(1234 more like this in the last 60 s)``). At most
    ``budget`` lines per window are logged over all keys, because a peer can change the
    key (a new connection, a new identity) as often as it likes; what the budget holds
    back is reported, as a count, with the next line logged. ``max_keys`` bounds memory.
    Metrics must still count every event: this only decides what is written.
    """

    def __init__(self, log: logging.Logger, *, window: float = 60.0, budget: int = 100, max_keys: int = 4096,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._log, self._window, self._budget, self._max_keys, self._clock = log, window, budget, max_keys, clock
        self._runs: dict[Hashable, _Run] = {}
        self._window_start = clock()
        self._spent = 0
        self._held_back = 0

    def log(self, level: int, key: Hashable, msg: str, *args: Any) -> None:
        now = self._clock()
        if now - self._window_start >= self._window:
            self._window_start, self._spent = now, 0
        run = self._runs.get(key)
        if run is not None and now - run.since < self._window:
            run.suppressed += 1
            return
        if self._spent >= self._budget:
            self._held_back += 1
            return
        self._spent += 1
        if run is not None:
            del self._runs[key]  # re-inserted last: the dict stays ordered oldest first
        elif len(self._runs) >= self._max_keys:
            del self._runs[next(iter(self._runs))]
        self._runs[key] = _Run(now)
        if run is not None and run.suppressed:
            msg, args = f"{msg} (%d more like this in the last %d s)", (*args, run.suppressed, round(now - run.since))
        if self._held_back:
            msg, args = f"{msg} (and %d other lines held back: more than %d in %d s)", (
                *args, self._held_back, self._budget, self._window)
            self._held_back = 0
        self._log.log(level, msg, *args)


def _excepthook(previous: ExceptHook) -> ExceptHook:
    """Log unhandled exceptions, then hand them to ``previous`` unless it is the default printer.

    The default printer is skipped because the stderr handler already printed the
    traceback, masked; any other hook (Sentry's) still runs, so nothing is swallowed.
    """
    log = create("unhandled")

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        log.critical("unhandled exception", exc_info=(exc_type, exc, tb))
        if previous is not sys.__excepthook__:
            previous(exc_type, exc, tb)

    return hook


def _threading_excepthook(previous: ThreadExceptHook) -> ThreadExceptHook:
    """Same as ``_excepthook`` for threads other than the main one."""
    log = create("unhandled")

    def hook(args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit):
            previous(args)  # The default ignores it: a thread may end itself that way.
            return
        exc_info = (args.exc_type, args.exc_value, args.exc_traceback)
        log.critical("unhandled exception in thread %s", args.thread.name if args.thread else "?", exc_info=exc_info)
        if previous is not threading.__excepthook__:
            previous(args)

    return hook


def setup(process: str, env: Env) -> None:
    """Configure logging of this process (named ``process``: ``supervisor``, ``sync``...) once.

    Later calls do nothing: a process has one log file and one set of hooks.
    """
    global _configured
    if _configured:
        return
    _configured = True
    env.log_dir.mkdir(parents=True, exist_ok=True)
    masking = MaskingFilter()
    text = _text_formatter(process)
    file = logging.handlers.RotatingFileHandler(
        env.log_dir / f"{process}.log", maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    file.setFormatter(JsonFormatter(process) if env.log_json else text)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.WARNING)
    stderr.setFormatter(text)
    for handler in (file, stderr):
        handler.addFilter(masking)
    # ``py.warnings`` is where ``captureWarnings`` sends warnings; it is not below ``workbuoy``.
    for name in (ROOT, "py.warnings"):
        logger = logging.getLogger(name)
        logger.propagate = False  # A library calling basicConfig() must not print our records twice.
        logger.addHandler(file)
        logger.addHandler(stderr)
    logging.getLogger(ROOT).setLevel(env.log_level)
    logging.captureWarnings(True)
    sys.excepthook = _excepthook(sys.excepthook)
    threading.excepthook = _threading_excepthook(threading.excepthook)
