from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from workbuoy import __version__

REPO = Path(__file__).resolve().parents[1]
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkb3JhIn0.c2lnbmF0dXJlLXNlY3JldA"
EMAIL = "dora.marsh@workbuoy.test"
PASSWORD = "hunter2-local"

# An actor that configures logging then Sentry (the documented order), logs a line
# (a breadcrumb) and dies of an exception carrying secrets.
ACTOR = textwrap.dedent(
    f"""
    import json, sys
    from pathlib import Path
    from workbuoy import crash
    from workbuoy import logs as wblog
    from workbuoy.config import Env
    env = Env(data_dir=Path(sys.argv[1]), sentry_dsn=sys.argv[2] or None, log_json=True)
    wblog.setup("auth", env)
    enabled = crash.init("auth", env)
    print(json.dumps({{"enabled": enabled, "sentry_loaded": "sentry_sdk" in sys.modules}}), flush=True)

    def sign_in():
        password = {PASSWORD!r}
        wblog.create("auth").info("signing in %s with token=%s", {EMAIL!r}, {JWT!r})
        raise RuntimeError("sign-in failed for {EMAIL}: Bearer {JWT} rejected (" + password[:0] + ")")

    sign_in()
    """
)


class _Collector(BaseHTTPRequestHandler):
    """Accepts Sentry envelopes like the real ingest endpoint, keeping their decoded bodies."""

    received: list[tuple[str, bytes]]

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":  # what sentry-sdk sends when the brotli package is installed
            import brotli

            body = brotli.decompress(body)
        self.server.received.append((self.path, body))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def ingest() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _run_actor(tmp_path: Path, dsn: str) -> tuple[dict, subprocess.CompletedProcess[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", ACTOR, str(tmp_path), dsn], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout.splitlines()[0]), proc


def _events(received: list[tuple[str, bytes]]) -> list[dict]:
    events = []
    for _path, body in received:
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2]):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_crash_is_reported_masked(tmp_path: Path, ingest: ThreadingHTTPServer) -> None:
    port = ingest.server_address[1]
    state, proc = _run_actor(tmp_path, f"http://public@127.0.0.1:{port}/1")
    assert state == {"enabled": True, "sentry_loaded": True}

    received = ingest.received  # type: ignore[attr-defined]
    assert received and all(path == "/api/1/envelope/" for path, _ in received)
    raw = b"".join(body for _, body in received).decode()
    for secret in (JWT, EMAIL, PASSWORD):
        assert secret not in raw, secret

    (event,) = _events(received)
    (exc,) = event["exception"]["values"]
    assert exc["type"] == "RuntimeError"
    assert exc["value"] == "sign-in failed for ***@workbuoy.test: Bearer *** rejected ()"
    assert exc["mechanism"]["handled"] is False
    assert all("vars" not in frame for frame in exc["stacktrace"]["frames"])
    assert event["tags"]["process"] == "auth"
    assert event["release"] == f"workbuoy@{__version__}"
    assert event["server_name"] == "workbuoy-desktop" != socket.gethostname()
    crumbs = [c.get("message") for c in event["breadcrumbs"]["values"]]
    assert "signing in ***@workbuoy.test with token=***" in crumbs

    # Our hook still ran after Sentry's: the crash is in the log and on stderr, masked, once.
    (line,) = [json.loads(x) for x in (tmp_path / "logs" / "auth.log").read_text().splitlines() if "CRITICAL" in x]
    assert "RuntimeError: sign-in failed for ***@workbuoy.test" in line["exc"]
    assert proc.stderr.count("Traceback") == 1 and JWT not in proc.stderr


def test_no_dsn_sends_nothing_and_loads_nothing(tmp_path: Path, ingest: ThreadingHTTPServer) -> None:
    state, proc = _run_actor(tmp_path, "")
    assert state == {"enabled": False, "sentry_loaded": False}
    assert ingest.received == []  # type: ignore[attr-defined]
    assert "RuntimeError: sign-in failed for ***@workbuoy.test" in proc.stderr
