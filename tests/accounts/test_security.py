"""XSS payloads render inert, SQL-injection strings are plain text, oversized bodies get 413."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import inspect

from techbridge.domain.catalog import DEMAND_FIELDS, TECHNOLOGY_FIELDS
from techbridge.domain.roles import Role
from techbridge.web import create_app
from tests.conftest import login

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert("
SQLI = "Robert'); DROP TABLE demands;-- ' OR '1'='1"
HTML = {"accept": "text/html"}
_SKIP = {"external_id", "owner_external_id", "lang"}


SHORT_XSS = "<script>alert(1)</script>"


def _text_fields(specs: Any) -> dict[str, str]:
    """Every free-text field with a payload that fits its length limit."""
    return {s.name: (XSS if (s.max_length or 10_000) >= len(XSS) else SHORT_XSS)
            for s in specs if s.kind in ("str", "text") and s.name not in _SKIP}


def _assert_inert(html: str, where: str) -> None:
    assert "<script>alert(" not in html, f"raw script tag in {where}"
    assert "<img src=x" not in html, f"raw img tag in {where}"


def test_xss_in_every_listing_text_field(client: Any, make_user: Any, small_catalog: dict[str, int]) -> None:
    operator = make_user(Role.OPERATOR, organisation_id=small_catalog["org-a"])
    login(client, operator)
    tech_fields = _text_fields(TECHNOLOGY_FIELDS)
    demand_fields = _text_fields(DEMAND_FIELDS)
    assert {"title", "abstract", "indicators", "contact"} <= set(tech_fields)
    tech = dict(tech_fields, keywords=XSS)
    demand = dict(demand_fields, keywords=XSS)
    tech_id = client.post("/api/technologies", json=tech)
    assert tech_id.status_code == 201, tech_id.text
    demand_id = client.post("/api/demands", json=demand)
    assert demand_id.status_code == 201, demand_id.text
    stored = client.get(f"/api/demands/{demand_id.json()['id']}").json()["item"]
    assert stored["description"] == XSS, "payload must be stored as given, escaped on output"
    pages = [f"/technologies/{tech_id.json()['id']}", f"/demands/{demand_id.json()['id']}", "/technologies",
             "/demands", "/me", f"/demands/{demand_id.json()['id']}/matches",
             f"/technologies/{tech_id.json()['id']}/demands", f"/technologies/{tech_id.json()['id']}/edit",
             f"/organisations/{small_catalog['org-a']}", "/audit", "/?q=" + XSS]
    for page in pages:
        response = client.get(page, headers=HTML)
        assert response.status_code == 200, f"{page}: {response.status_code}"
        _assert_inert(response.text, page)
    detail = client.get(f"/demands/{demand_id.json()['id']}", headers=HTML).text
    assert ESCAPED in detail


def test_xss_in_account_and_workspace_fields(client: Any, make_user: Any) -> None:
    csrf = client.get("/register") and client.cookies.get("tb_csrf")
    response = client.post("/register", headers=HTML, data={
        "csrf_token": csrf, "email": "xss@example.org", "password": "long enough password",
        "display_name": XSS, "role": "enterprise_member", "organisation_name": f"机构{XSS}"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    me = client.get("/me", headers=HTML).text
    _assert_inert(me, "/me")
    assert ESCAPED in me
    org_id = client.get("/api/me").json()["organisation_id"]
    client.post("/api/me/searches", json={"name": XSS, "kind": "demands", "query": "q=" + XSS})
    for page in ("/me/searches", f"/organisations/{org_id}/members", f"/organisations/{org_id}", "/demands?q=" + XSS,
                 "/login?next=" + XSS):
        _assert_inert(client.get(page, headers=HTML).text, page)
    guided = client.post("/demands/guided", headers=HTML, data={
        "csrf_token": client.cookies.get("tb_csrf"), "step": "suggest",
        "text": f"我们希望解决月饼馅料发硬的问题 {XSS}"})
    assert guided.status_code == 200
    _assert_inert(guided.text, "guided form")


def test_sql_injection_strings_are_stored_as_text(client: Any, make_user: Any, db: Any,
                                                  small_catalog: dict[str, int]) -> None:
    login(client, make_user(Role.ENTERPRISE_MEMBER, organisation_id=small_catalog["org-b"]))
    created = client.post("/api/demands", json={"title": SQLI, "description": SQLI, "keywords": SQLI[:90]})
    assert created.status_code == 201, created.text
    item = client.get(f"/api/demands/{created.json()['id']}").json()["item"]
    assert item["title"] == SQLI and item["description"] == SQLI
    assert "demands" in inspect(db.engine).get_table_names()
    assert client.get("/api/demands", params={"q": "' OR 1=1 --"}).json()["total"] == 0
    assert client.get("/api/demands", params={"q": SQLI[:50]}).json()["total"] == 1
    assert client.get("/api/audit", params={"entity_kind": "x' OR '1'='1"}).status_code == 403
    client.post("/api/auth/logout")
    bad_login = client.post("/api/auth/login", json={"email": "' OR '1'='1", "password": "' OR '1'='1"})
    assert bad_login.status_code == 401
    assert client.get("/api/summary").json()["counts"]["demands"] == 3


def test_oversized_bodies_and_uploads_get_413(settings: Any, db: Any, make_user: Any) -> None:
    small = settings.with_overrides(max_body_bytes=2_000, max_upload_bytes=10_000)
    app = create_app(small, db=db, migrate=False, background=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        login(client, make_user(Role.OPERATOR))
        big = client.post("/api/demands", json={"title": "x", "description": "y" * 5_000})
        assert big.status_code == 413
        assert big.json() == {**big.json(), "ok": False, "status": 413, "code": "payload_too_large"}
        page = client.post("/demands/new", data={"title": "x", "description": "y" * 5_000}, headers=HTML)
        assert page.status_code == 413 and "text/html" in page.headers["content-type"]
        upload = client.post("/api/technologies/import", files={"file": ("t.csv", b"a" * 20_000, "text/csv")})
        assert upload.status_code == 413 and upload.json()["code"] == "payload_too_large"
        within_upload_limit = client.post("/api/technologies/import",
                                          files={"file": ("t.csv", b"a" * 5_000, "text/csv")})
        assert within_upload_limit.status_code != 413

        def chunks() -> Any:
            for _ in range(10):
                yield b"y" * 1_000

        streamed = client.post("/api/demands", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413


def test_security_headers_and_cookie_flags(client: Any, make_user: Any) -> None:
    user = make_user(Role.EXPERT)
    response = client.post("/api/auth/login", json={"email": user.email, "password": user.password})
    cookie = response.headers["set-cookie"].lower()
    assert "tb_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    page = client.get("/", headers=HTML)
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"


def test_sign_in_never_redirects_off_site() -> None:
    from techbridge.web.routers.auth import safe_next

    assert safe_next("/demands/guided") == "/demands/guided"
    for evil in ("//evil.example", "/\\evil.example", "https://evil.example", "evil", "/\tevil", "/%0a"):
        assert safe_next(evil) in ("/", "/%0a"), evil
