"""The sandbox's portal pages: login form, signed-in home, record pages, strict CSP."""

from __future__ import annotations

import pytest

from tests.fixtures.sandbox import DEMO, SandboxProcess, sandbox  # noqa: F401
from workbuoy.sandbox.portal import CSP

pytestmark = pytest.mark.timeout(60)
FORM = {"content-type": "application/x-www-form-urlencoded"}


def form_login(c, email: str, password: str, next_path: str = "/portal/deals/deal-1-0000000"):
    return c.post("/auth/login", content=f"email={email}&password={password}&next={next_path}", headers=FORM)


def test_pages_need_a_session_and_carry_a_strict_csp(sandbox: SandboxProcess) -> None:
    c = sandbox.client()
    for path in ("/portal", "/portal/", "/portal/deals/deal-1-0000000"):
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"] == f"/portal/login?next={path}"
    page = c.get("/portal/login", params={"next": "/portal/deals/deal-1-0000000"})
    assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
    assert "script-src" not in CSP and "default-src 'none'" in CSP  # no script may run at all
    assert '<form method=post action=/auth/login>' in page.text and "<script" not in page.text
    assert 'name=next value="/portal/deals/deal-1-0000000"' in page.text


def test_form_login_redirects_to_next_with_an_httponly_cookie(sandbox: SandboxProcess) -> None:
    c = sandbox.client()
    r = form_login(c, *DEMO)
    assert r.status_code == 303 and r.headers["location"] == "/portal/deals/deal-1-0000000"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("wb_session=") and "HttpOnly" in cookie and "Path=/" in cookie
    assert "samesite=lax" in cookie.lower()
    session = {"Cookie": f"wb_session={r.cookies['wb_session']}"}
    home = c.get("/portal/", headers=session)
    assert home.status_code == 200 and DEMO[0] in home.text and home.headers["content-security-policy"] == CSP
    record = c.get("/portal/deals/deal-1-0000000", headers=session)
    assert record.status_code == 200 and "deal-1-0000000" in record.text


def test_form_login_refusals(sandbox: SandboxProcess) -> None:
    c = sandbox.client()
    wrong = form_login(c, DEMO[0], "nope")
    assert wrong.status_code == 401 and "Wrong e-mail or password." in wrong.text and "set-cookie" not in wrong.headers
    for hostile in ("https://evil.example/portal/", "//evil.example/portal/", "/api/me", "/portal\\..\\x"):
        r = form_login(c, *DEMO, next_path=hostile)
        assert r.status_code == 303 and r.headers["location"] == "/portal/", hostile  # same origin only
    assert c.post("/auth/login", json={"email": DEMO[0], "password": DEMO[1]}).json()["user"]["email"] == DEMO[0]


def test_a_record_of_another_org_is_not_shown(sandbox: SandboxProcess) -> None:
    c = sandbox.client()
    viewer = form_login(c, "viewer@workbuoy.test", "viewer-password").cookies["wb_session"]
    assert c.get("/portal/deals/deal-2-0000000", headers={"Cookie": f"wb_session={viewer}"}).status_code == 404
    assert c.get("/portal/deals/deal-1-0000000", headers={"Cookie": f"wb_session={viewer}"}).status_code == 200
    assert c.get("/portal/nothing/x", headers={"Cookie": f"wb_session={viewer}"}).status_code == 404
