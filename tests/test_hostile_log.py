"""Logged data cannot forge lines or flood the file; masking survives any nesting."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

import workbuoy.logs as wblog
from workbuoy.masking import MAX_DEPTH, TOO_DEEP, mask_obj

LINE_START = re.compile(r"^\d{4}-\d\d-\d\dT")


@pytest.fixture
def logfile(tmp_path: Path) -> Iterator[tuple[logging.Logger, Path]]:
    """A logger writing through the real text formatter and masking filter to a real file."""
    path = tmp_path / "t.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(wblog._text_formatter("supervisor"))
    handler.addFilter(wblog.MaskingFilter())
    log = logging.getLogger("workbuoy.test_hostile_log")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield log, path
    log.removeHandler(handler)
    handler.close()


def records(path: Path) -> list[str]:
    """The lines that start a record (the others are an indented traceback)."""
    return [line for line in path.read_text(encoding="utf-8").split("\n") if LINE_START.match(line)]


def test_control_characters_in_a_message_and_a_traceback_start_no_line(logfile) -> None:
    log, path = logfile
    forged = "2026-01-01T00:00:00.000Z CRITICAL supervisor[1] x: forged"
    log.info("channel %s", f"a\n{forged}\r{forged}\x1b[1A\u2028{forged}")
    try:
        raise ValueError(f"bad\n{forged}")
    except ValueError:
        log.exception("handler failed")
    text = path.read_text(encoding="utf-8")
    assert len(records(path)) == 2, text
    assert f"a\\n{forged}\\r{forged}\\x1b[1A\\u2028{forged}" in text
    assert f"\n    {forged}" in text and "\n    Traceback (most recent call last):" in text


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_repeats_log_the_first_then_a_count_per_key_and_window(logfile) -> None:
    log, path = logfile
    clock = Clock()
    repeats = wblog.Repeats(log, window=60, budget=100, clock=clock)
    for _ in range(5000):
        repeats.log(logging.INFO, ("peer-a", "bad"), "refused %s", "bad")
    repeats.log(logging.INFO, ("peer-b", "bad"), "refused %s", "bad")  # another peer: its own first line
    assert len(records(path)) == 2
    clock.now += 61
    repeats.log(logging.INFO, ("peer-a", "bad"), "refused %s", "bad")
    lines = records(path)
    assert len(lines) == 3 and lines[-1].endswith("refused bad (4999 more like this in the last 61 s)")


def test_repeats_hold_back_new_keys_past_the_budget_and_say_how_many(logfile) -> None:
    log, path = logfile
    clock = Clock()
    repeats = wblog.Repeats(log, window=60, budget=10, max_keys=50, clock=clock)
    for i in range(10_000):  # a new identity per frame
        repeats.log(logging.INFO, (f"peer-{i}", "bad"), "refused from %d", i)
    assert len(records(path)) == 10
    clock.now += 60
    repeats.log(logging.INFO, ("peer-x", "bad"), "refused from %s", "x")
    assert records(path)[-1].endswith("refused from x (and 9990 other lines held back: more than 10 in 60 s)")
    assert len(repeats._runs) <= 50


def deep_list(depth: int) -> Any:
    obj: Any = {"password": "hunter2", "note": "mail dora@workbuoy.test"}
    for _ in range(depth):
        obj = [obj]
    return obj


class Box(msgspec.Struct):
    inner: Any


@pytest.mark.parametrize("depth", [10, 700, 5_000])
def test_mask_obj_bounds_depth_and_never_raises(depth: int) -> None:
    masked = mask_obj(Box(deep_list(depth)) if depth < 900 else deep_list(depth))
    node = masked["inner"] if isinstance(masked, dict) else masked
    for _ in range(min(depth, MAX_DEPTH - 2)):
        node = node[0]
    if depth < MAX_DEPTH - 2:
        assert node == {"password": "***", "note": "mail ***@workbuoy.test"}
    else:
        assert TOO_DEEP in repr(masked)


def test_a_trace_line_carries_no_control_character_to_the_terminal() -> None:
    from workbuoy.cli.tracing import trace_line as _trace_line
    from workbuoy.schemas.control import TraceRecord

    rec = TraceRecord(ts=0, kind="err", channel="wb:x\n\x1b[2Jforged", cid=1, sender="broker", receiver="cli\r",
                      size=3, error="forbidden: cli may not call wb:x\n\x1b[2J")
    line = _trace_line(rec, False)
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", line) and "wb:x\\n\\x1b[2Jforged" in line
