"""The HTML pages: they render in both languages, forms validate and need the CSRF token."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from techbridge.domain.roles import Role
from techbridge.web.i18n import catalog
from tests.conftest import login

HTML = {"accept": "text/html"}


@pytest.mark.parametrize("path", ["/", "/technologies", "/demands", "/organisations", "/people", "/login",
                                  "/register", "/technologies?q=馅料&technology_field=F09&fresh_only=true&page=1"])
def test_pages_render_in_both_languages(client: TestClient, small_catalog: dict[str, int], path: str) -> None:
    zh = client.get(path, headers=HTML)
    assert zh.status_code == 200 and 'lang="zh-CN"' in zh.text
    en = client.get(path + ("&" if "?" in path else "?") + "lang=en", headers=HTML)
    assert en.status_code == 200 and 'lang="en"' in en.text
    assert not re.search(r">\s*(nav|list|field|home|auth)\.[a-z_]+\s*<", en.text), "untranslated key on page"


def test_language_choice_sticks(client: TestClient) -> None:
    client.get("/?lang=en", headers=HTML)
    assert "Technologies" in client.get("/technologies", headers=HTML).text
    client.get("/?lang=zh", headers=HTML)
    assert "科技成果" in client.get("/technologies", headers=HTML).text


def test_detail_pages(client: TestClient, small_catalog: dict[str, int]) -> None:
    for path in (f"/technologies/{small_catalog['t-sugar']}", f"/demands/{small_catalog['d-sugar']}",
                 f"/organisations/{small_catalog['org-a']}", f"/demands/{small_catalog['d-sugar']}/matches"):
        page = client.get(path, headers=HTML)
        assert page.status_code == 200, path
    matches = client.get(f"/demands/{small_catalog['d-sugar']}/matches", headers=HTML).text
    assert "低糖月饼馅料" in matches and "<mark>馅料</mark>" in matches
    assert "[&#39;" not in matches and "['" not in matches, "reasons must not show Python list syntax"
    assert not re.search(r"\bfield\.[a-z_]+", matches), "untranslated reason label on the matches page"


def test_missing_page_is_a_friendly_html_error(client: TestClient) -> None:
    page = client.get("/technologies/424242", headers=HTML)
    assert page.status_code == 404 and "<!doctype html>" in page.text and "Traceback" not in page.text


def test_new_listing_form_requires_login(client: TestClient) -> None:
    page = client.get("/technologies/new", headers=HTML)
    assert page.status_code == 401 and 'href="/login' in page.text


def test_form_create_with_validation_messages(client: TestClient, make_user: Any,
                                              small_catalog: dict[str, int]) -> None:
    user = make_user(Role.ENTERPRISE_MEMBER, organisation_id=small_catalog["org-b"])
    csrf = login(client, user)
    form = client.get("/demands/new", headers=HTML).text
    assert 'for="fld-title"' in form and 'id="fld-title"' in form
    bad = client.post("/demands/new", data={"csrf_token": csrf, "title": "", "budget_wan": "-1"}, headers=HTML)
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text and "at least 0" in bad.text
    good = client.post("/demands/new", data={"csrf_token": csrf, "title": "冷库能耗高", "description": "想降低冷库电耗",
                                             "budget_wan": "20"}, headers=HTML, follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"].startswith("/demands/")
    assert "冷库能耗高" in client.get(good.headers["location"], headers=HTML).text


def test_form_without_csrf_token_is_refused(client: TestClient, make_user: Any) -> None:
    login(client, make_user(Role.ENTERPRISE_MEMBER))
    page = client.post("/demands/new", data={"title": "x", "description": "y"}, headers=HTML)
    assert page.status_code == 403 and "reload the page" in page.text


def test_login_page_flow(client: TestClient, make_user: Any) -> None:
    user = make_user(Role.EXPERT)
    client.get("/login", headers=HTML)
    csrf = client.cookies.get("tb_csrf")
    wrong = client.post("/login", data={"csrf_token": csrf, "email": user.email, "password": "nope"}, headers=HTML)
    assert wrong.status_code == 401 and 'role="alert"' in wrong.text
    ok = client.post("/login", data={"csrf_token": csrf, "email": user.email, "password": user.password,
                                     "next": "//evil.example"}, headers=HTML, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    assert user.email in client.get("/", headers=HTML).text


def test_register_page_flow(client: TestClient) -> None:
    client.get("/register", headers=HTML)
    csrf = client.cookies.get("tb_csrf")
    page = client.post("/register", data={"csrf_token": csrf, "email": "new@firm.cn", "password": "a long password",
                                          "display_name": "王五", "role": "enterprise_member",
                                          "organisation_name": "五金厂"}, headers=HTML, follow_redirects=False)
    assert page.status_code == 303
    assert "王五" in client.get("/", headers=HTML).text


def test_feedback_form(client: TestClient, make_user: Any, small_catalog: dict[str, int]) -> None:
    csrf = login(client, make_user(Role.ENTERPRISE_MEMBER, organisation_id=small_catalog["org-b"]))
    url = f"/demands/{small_catalog['d-sugar']}/matches/{small_catalog['t-sugar']}/feedback"
    done = client.post(url, data={"csrf_token": csrf, "decision": "accept", "reason": "正合适"}, headers=HTML,
                       follow_redirects=False)
    assert done.status_code == 303
    assert "decided-accept" in client.get(f"/demands/{small_catalog['d-sugar']}/matches", headers=HTML).text


def test_every_ui_text_has_both_languages() -> None:
    missing = [key for key, texts in catalog().items() if not texts.get("zh") or not texts.get("en")]
    assert not missing, f"UI texts without both languages: {missing}"


def test_security_headers(client: TestClient) -> None:
    response = client.get("/", headers=HTML)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "httponly" in response.headers["set-cookie"].lower()
