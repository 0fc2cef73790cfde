"""Per-process logging: one rotating, masked file per process, JSON lines or text.

Each actor is its own OS process, and ``logging`` cannot share one file between
processes (rotation renames the file under the feet of the others), so every process
writes its own ``<log_dir>/<process>.log``, rotated at 5 MiB with 5 backups.

Everything that reaches a handler goes through :class:`MaskingFilter` first, so a
token passed as an argument (``log.info("token %s", tok)``), inside an exception
message or a traceback is masked in the file and on stderr alike. Warnings and
unhandled exceptions (main thread and other threads) are logged too, so a crash
leaves its traceback in the process's file, not only on a stderr nobody reads.

This module is ``workbuoy.logging``; ``import logging`` below is still the standard
library because imports are absolute. Call :func:`setup` before
``workbuoy.crash.init`` so that Sentry's exception hook wraps ours (Sentry reports,
then ours logs) rather than the other way round.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import time
from datetime import datetime, timezone
from types import TracebackType
from typing import Callable

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
    """One JSON object per line: ``ts`` (UTC, ms), ``level``, ``process``, ``pid``, ``logger``, ``msg``, ``exc``."""

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
                "logger": record.name,
                "msg": record.getMessage(),
                "exc": exc,
            }
        ).decode()


def _text_formatter(process: str) -> logging.Formatter:
    name = process.replace("%", "%%")
    fmt = logging.Formatter(
        f"%(asctime)s.%(msecs)03dZ %(levelname)s {name}[%(process)d] %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"
    )
    fmt.converter = time.gmtime
    return fmt


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
