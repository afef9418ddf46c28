"""Each role is refused what it may not do, through the API (401/403 in the envelope) and the pages."""

from __future__ import annotations

from typing import Any

import pytest

from techbridge.domain.roles import ROLE_PERMISSIONS, Permission, Role
from tests.conftest import login

ALL = frozenset(Role)
TECH = {"title": "测试成果", "abstract": "摘要"}
DEMAND = {"title": "测试需求", "description": "描述"}


def _user_for(role: Role, make_user: Any, cat: dict[str, int]) -> Any:
    org = {Role.ENTERPRISE_MEMBER: cat["org-b"], Role.INSTITUTION_MEMBER: cat["org-a"]}.get(role)
    return make_user(role, organisation_id=org)


# (name, method, path template, body, roles allowed)
API_CASES: list[tuple[str, str, str, Any, frozenset[Role]]] = [
    ("create technology", "POST", "/api/technologies", TECH,
     frozenset({Role.OPERATOR, Role.TECHNOLOGY_MANAGER, Role.INSTITUTION_MEMBER})),
    ("create demand", "POST", "/api/demands", DEMAND,
     frozenset({Role.OPERATOR, Role.TECHNOLOGY_MANAGER, Role.ENTERPRISE_MEMBER})),
    ("create organisation", "POST", "/api/organisations", {"name": "新机构", "kind": "enterprise"},
     frozenset({Role.OPERATOR})),
    ("create person", "POST", "/api/people", {"name": "张三", "roles": "researcher"},
     frozenset({Role.OPERATOR, Role.TECHNOLOGY_MANAGER})),
    ("edit a technology of org-a", "PATCH", "/api/technologies/{t-sugar}", {"title": "改名"},
     frozenset({Role.OPERATOR, Role.INSTITUTION_MEMBER})),
    ("feedback on org-b's demand", "POST", "/api/demands/{d-sugar}/matches/{t-sugar}/feedback",
     {"decision": "accept", "reason": "fits"}, frozenset({Role.OPERATOR, Role.ENTERPRISE_MEMBER})),
    ("search the audit log", "GET", "/api/audit", None, frozenset({Role.OPERATOR})),
    ("list users", "GET", "/api/users", None, frozenset({Role.OPERATOR})),
    ("assign a manager", "POST", "/api/demands/{d-sugar}/managers", {"user_id": 999_999},
     frozenset({Role.OPERATOR})),
    ("members of org-a", "GET", "/api/organisations/{org-a}/members", None,
     frozenset({Role.OPERATOR, Role.INSTITUTION_MEMBER})),
    ("save a search", "POST", "/api/me/searches", {"name": "电池", "kind": "technologies", "query": "q=电池"}, ALL),
    ("my listings", "GET", "/api/me/listings", None, ALL),
]


def _call(client: Any, method: str, path: str, body: Any, cat: dict[str, int]) -> Any:
    url = path.format_map(cat)
    return client.request(method, url, json=body) if body is not None else client.request(method, url)


def test_api_refuses_anonymous_with_401(client: Any, small_catalog: dict[str, int]) -> None:
    for name, method, path, body, _allowed in API_CASES:
        response = _call(client, method, path, body, small_catalog)
        assert response.status_code == 401, f"{name}: anonymous got {response.status_code}"
        assert response.json()["ok"] is False and response.json()["code"] == "authentication_required"


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_api_permissions(client: Any, make_user: Any, small_catalog: dict[str, int], role: Role) -> None:
    login(client, _user_for(role, make_user, small_catalog))
    for name, method, path, body, allowed in API_CASES:
        response = _call(client, method, path, body, small_catalog)
        if role in allowed:
            assert response.status_code < 400 or (name == "assign a manager" and response.status_code == 422), \
                f"{name}: {role} should be allowed, got {response.status_code} {response.text}"
        else:
            assert response.status_code == 403, f"{name}: {role} should be refused, got {response.status_code}"
            envelope = response.json()
            assert envelope == {**envelope, "ok": False, "status": 403, "code": "forbidden"}


PAGE_CASES: list[tuple[str, str, dict[str, str], frozenset[Role]]] = [
    ("new technology form", "/technologies/new", TECH,
     frozenset({Role.OPERATOR, Role.TECHNOLOGY_MANAGER, Role.INSTITUTION_MEMBER})),
    ("new demand form", "/demands/new", DEMAND,
     frozenset({Role.OPERATOR, Role.TECHNOLOGY_MANAGER, Role.ENTERPRISE_MEMBER})),
    ("accept a match on org-b's demand", "/demands/{d-sugar}/matches/{t-sugar}/feedback",
     {"decision": "accept", "reason": "ok"}, frozenset({Role.OPERATOR, Role.ENTERPRISE_MEMBER})),
    ("add a member to org-a", "/organisations/{org-a}/members", {"email": "nobody@example.org"},
     frozenset({Role.OPERATOR})),
]


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_page_permissions(client: Any, make_user: Any, small_catalog: dict[str, int], role: Role) -> None:
    html = {"accept": "text/html"}
    csrf = login(client, _user_for(role, make_user, small_catalog))
    for name, path, form, allowed in PAGE_CASES:
        url = path.format_map(small_catalog)
        response = client.post(url, data={**form, "csrf_token": csrf}, headers=html, follow_redirects=False)
        if role in allowed:
            assert response.status_code in (303, 404), f"{name}: {role} got {response.status_code}"
        else:
            assert response.status_code == 403, f"{name}: {role} got {response.status_code}"
            assert "text/html" in response.headers["content-type"]
    audit_page = client.get("/audit", headers=html)
    assert audit_page.status_code == (200 if role == Role.OPERATOR else 403)


def test_audit_page_needs_sign_in(client: Any) -> None:
    assert client.get("/audit", headers={"accept": "text/html"}).status_code == 401


def test_form_without_csrf_is_refused(client: Any, make_user: Any) -> None:
    login(client, make_user(Role.ENTERPRISE_MEMBER))
    response = client.post("/demands/new", data=DEMAND, headers={"accept": "text/html"})
    assert response.status_code == 403


def test_roles_document_lists_every_permission() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "roles.md").read_text(encoding="utf-8")
    for role, permissions in ROLE_PERMISSIONS.items():
        assert f"`{role.value}`" in text, f"docs/roles.md does not describe {role.value}"
        for permission in permissions:
            assert f"`{permission.value}`" in text, f"docs/roles.md does not mention {permission.value}"
    assert all(f"`{p.value}`" in text for p in Permission)
