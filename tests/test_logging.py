from __future__ import annotations

import json
import logging
import logging.handlers
import os
import subprocess
import sys
import textwrap
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import workbuoy.logs as wblog
from workbuoy.config import Env

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"
EMAIL = "dora@workbuoy.test"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let a test call ``setup`` again and undo its handlers and hooks afterwards."""
    monkeypatch.setattr(wblog, "_configured", False)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    loggers = [logging.getLogger(name) for name in (wblog.ROOT, "py.warnings")]
    saved = [(lg.handlers[:], lg.propagate, lg.level) for lg in loggers]
    yield
    logging.captureWarnings(False)
    for lg, (handlers, propagate, level) in zip(loggers, saved):
        for h in lg.handlers:
            if h not in handlers:
                h.close()
        lg.handlers[:], lg.propagate, lg.level = handlers, propagate, level


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_inner_import_is_the_standard_library() -> None:
    assert wblog.logging is logging
    assert wblog.create("sync.pages").name == "workbuoy.sync.pages"


def test_json_lines_are_masked(tmp_path: Path, fresh: None) -> None:
    wblog.setup("sync", Env(data_dir=tmp_path, log_json=True, log_level="INFO"))
    log = wblog.create("sync")
    log.debug("not written at INFO")
    log.info("token %s", JWT)
    log.info("signed in as %s", EMAIL)
    log.info("%(password)s", {"password": "hunter2"})
    try:
        raise RuntimeError(f"refused Bearer {JWT} for {EMAIL}")
    except RuntimeError:
        log.exception("call failed")

    raw = (tmp_path / "logs" / "sync.log").read_text("utf-8")
    assert JWT not in raw and EMAIL not in raw and "hunter2" not in raw
    lines = _lines(tmp_path / "logs" / "sync.log")
    assert [line["msg"] for line in lines] == ["token ***", "signed in as ***@workbuoy.test", "***", "call failed"]
    first, last = lines[0], lines[-1]
    assert set(first) == {"ts", "level", "process", "pid", "org_id", "logger", "msg", "exc"}
    assert first["org_id"] is None  # no org known here
    assert (first["level"], first["process"], first["pid"], first["logger"], first["exc"]) == (
        "INFO", "sync", os.getpid(), "workbuoy.sync", None
    )
    assert first["ts"].endswith("+00:00")
    assert "RuntimeError: refused Bearer *** for ***@workbuoy.test" in last["exc"]


def test_text_file_stderr_warnings_and_setup_once(
    tmp_path: Path, fresh: None, capsys: pytest.CaptureFixture[str]
) -> None:
    env = Env(data_dir=tmp_path, log_level="DEBUG")
    wblog.setup("queue", env)
    wblog.setup("other", env)  # ignored: one configuration per process
    log = wblog.create("queue.flush")
    log.debug("flushing with password=%s", "hunter2")
    log.warning("slow cookie: wb_session=abc")
    warnings.warn("old api", DeprecationWarning, stacklevel=1)

    assert [p.name for p in (tmp_path / "logs").iterdir()] == ["queue.log"]
    text = (tmp_path / "logs" / "queue.log").read_text("utf-8").splitlines()
    assert f"DEBUG queue[{os.getpid()}] workbuoy.queue.flush: flushing with password=***" in text[0]
    assert text[1].endswith("workbuoy.queue.flush: slow cookie: ***")
    assert "WARNING queue" in text[2] and "py.warnings" in text[2] and "DeprecationWarning: old api" in text[2]
    err = capsys.readouterr().err
    assert "slow cookie: ***" in err and "flushing" not in err and "wb_session" not in err

    file = next(h for h in logging.getLogger("workbuoy").handlers if isinstance(h, logging.handlers.RotatingFileHandler))
    assert (file.maxBytes, file.backupCount) == (5 * 1024 * 1024, 5)


def test_thread_exceptions_are_logged(tmp_path: Path, fresh: None) -> None:
    threading.excepthook = threading.__excepthook__  # pytest's own hook would turn it into a warning
    wblog.setup("plugins", Env(data_dir=tmp_path, log_json=True))

    def boom() -> None:
        raise ValueError(f"bad {JWT}")

    t = threading.Thread(target=boom, name="worker-1")
    t.start()
    t.join()
    (line,) = _lines(tmp_path / "logs" / "plugins.log")
    assert (line["level"], line["msg"]) == ("CRITICAL", "unhandled exception in thread worker-1")
    assert "ValueError: bad ***" in line["exc"] and JWT not in line["exc"]


def test_unhandled_exception_in_two_processes(tmp_path: Path) -> None:
    """Each process writes its own file; an uncaught exception lands there and on stderr, masked, once."""
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from workbuoy.config import Env
        from workbuoy.logs import setup, create
        setup(sys.argv[1], Env(data_dir=Path({str(tmp_path)!r})))
        create("main").info("started")
        raise RuntimeError("login failed for {EMAIL} with {JWT}")
        """
    )
    for name in ("auth", "sync"):
        proc = subprocess.run([sys.executable, "-c", script, name], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 1
        assert JWT not in proc.stderr and EMAIL not in proc.stderr
        assert proc.stderr.count("Traceback") == 1
        assert "RuntimeError: login failed for ***@workbuoy.test with ***" in proc.stderr
        log = (tmp_path / "logs" / f"{name}.log").read_text("utf-8")
        assert f"INFO {name}[" in log and f"CRITICAL {name}[" in log
        assert "RuntimeError: login failed for ***@workbuoy.test with ***" in log and JWT not in log


async def _two_orgs_at_once(log: logging.Logger) -> None:
    """Two tasks, each for its own org, logging in turns: a task's org must never leak into the other's."""
    import asyncio

    async def work(org: str, turns: int) -> None:
        with wblog.for_org(org):
            for n in range(turns):
                log.info("step %d of %s", n, org)
                await asyncio.sleep(0)

    log.info("before any org")
    await asyncio.gather(work("org-1", 3), work("org-2\nFORGED", 3))
    log.info("after both")


def _org_and_message(rest: str) -> tuple[str | None, str]:
    if not rest.startswith("["):
        return None, rest
    org, msg = rest[1:].split("] ", 1)
    return org, msg


@pytest.mark.parametrize("log_json", [True, False])
def test_records_carry_the_org_of_the_task_that_logged_them(tmp_path: Path, fresh: None, log_json: bool) -> None:
    import asyncio

    wblog.setup("sync", Env(data_dir=tmp_path, log_json=log_json))
    asyncio.run(_two_orgs_at_once(wblog.create("sync.run")))
    raw = (tmp_path / "logs" / "sync.log").read_text("utf-8")
    if log_json:
        got = [(line["org_id"], line["msg"]) for line in _lines(tmp_path / "logs" / "sync.log")]
    else:
        lines = raw.splitlines()
        assert len(lines) == 8 and not any(line.startswith("FORGED") for line in lines)  # an org id cannot start a line
        got = [_org_and_message(line.split(": ", 1)[1].replace("\\n", "\n")) for line in lines]
    assert got[0] == (None, "before any org") and got[-1] == (None, "after both")
    for org, msg in got[1:-1]:
        assert msg.endswith(f"of {org}"), (org, msg)
    assert sorted(org for org, _ in got[1:-1]) == ["org-1"] * 3 + ["org-2\nFORGED"] * 3
    if not log_json:
        assert "workbuoy.sync.run: [org-1] step 0 of org-1" in raw
