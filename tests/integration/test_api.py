"""Every API route: the happy path and its error envelope."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from techbridge.domain.roles import Role
from tests.conftest import TestUser, login


def assert_envelope(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False and body["status"] == status and isinstance(body["error"], str) and body["error"]
    assert isinstance(body["errors"], list)
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body  # type: ignore[no-any-return]


def test_health_and_summary(client: TestClient, small_catalog: dict[str, int]) -> None:
    assert client.get("/health").json()["ok"] is True
    body = client.get("/api/summary").json()
    assert body["counts"]["technologies"] == 4 and body["counts"]["demands"] == 2
    assert len(body["recent_technologies"]) == 4


def test_list_filters_and_pagination(client: TestClient, small_catalog: dict[str, int]) -> None:
    body = client.get("/api/technologies", params={"per_page": 2, "page": 2}).json()
    assert body["total"] == 4 and body["pages"] == 2 and len(body["items"]) == 2
    assert client.get("/api/technologies", params={"technology_field": "F09"}).json()["total"] == 2
    assert client.get("/api/technologies", params={"trl_min": 7}).json()["total"] == 2
    assert client.get("/api/technologies", params={"province_code": "150000"}).json()["total"] == 1
    found = client.get("/api/technologies", params={"q": "正极材料"}).json()["items"]
    assert [t["external_id"] for t in found] == ["t-battery"]
    assert client.get("/api/demands", params={"q": "划痕"}).json()["total"] == 1
    item = client.get("/api/technologies").json()["items"][0]
    assert item["freshness"] in ("fresh", "expiring", "expired") and "created_by_user_id" not in item


@pytest.mark.parametrize(("params", "field"), [({"trl_min": 0}, "trl_min"), ({"page": 0}, "page"),
                                               ({"per_page": 1000}, "per_page"), ({"q": "x" * 201}, "q")])
def test_list_rejects_bad_parameters(client: TestClient, params: dict[str, Any], field: str) -> None:
    assert_envelope(client.get("/api/technologies", params=params), 422, field)


def test_detail_and_not_found(client: TestClient, small_catalog: dict[str, int]) -> None:
    tech_id = small_catalog["t-sugar"]
    assert client.get(f"/api/technologies/{tech_id}").json()["item"]["title"].startswith("低糖")
    assert_envelope(client.get("/api/technologies/999999"), 404)
    assert_envelope(client.get("/api/demands/999999"), 404)
    assert_envelope(client.get("/api/technologies/abc"), 422, "item_id")
    assert_envelope(client.get("/api/organisations/999999"), 404)
    assert_envelope(client.get("/api/people/999999"), 404)


def test_create_requires_login_then_role(client: TestClient, make_user: Any) -> None:
    assert_envelope(client.post("/api/technologies", json={"title": "x"}), 401)
    investor: TestUser = make_user(Role.INVESTOR)
    login(client, investor)
    assert_envelope(client.post("/api/technologies", json={"title": "x"}), 403)
    assert_envelope(client.post("/api/demands", json={"title": "x", "description": "y"}), 403)


def test_create_edit_confirm_withdraw(client: TestClient, make_user: Any, small_catalog: dict[str, int]) -> None:
    member: TestUser = make_user(Role.INSTITUTION_MEMBER, organisation_id=small_catalog["org-a"])
    login(client, member)
    assert_envelope(client.post("/api/technologies", json={"title": "", "trl": 11}), 422, "trl")
    created = client.post("/api/technologies", json={"title": "一种新型滤膜", "trl": 5, "technology_field": "F07"})
    assert created.status_code == 201, created.text
    tech_id = created.json()["id"]
    item = created.json()["item"]
    assert item["owner_id"] == small_catalog["org-a"] and item["stage"] == "lab_tested"
    assert item["status"] == "listed" and item["freshness"] == "fresh"
    patched = client.patch(f"/api/technologies/{tech_id}", json={"price_wan": 80})
    assert patched.json()["item"]["price_wan"] == 80
    assert_envelope(client.patch(f"/api/technologies/{tech_id}", json={"price_wan": -1}), 422, "price_wan")
    assert client.post(f"/api/technologies/{tech_id}/confirm").json()["ok"] is True
    assert client.delete(f"/api/technologies/{tech_id}").json()["ok"] is True
    assert client.get(f"/api/technologies/{tech_id}").json()["item"]["status"] == "withdrawn"


def test_other_organisation_cannot_edit(client: TestClient, make_user: Any, small_catalog: dict[str, int]) -> None:
    outsider: TestUser = make_user(Role.INSTITUTION_MEMBER, organisation_id=small_catalog["org-b"])
    login(client, outsider)
    tech_id = small_catalog["t-sugar"]
    assert_envelope(client.patch(f"/api/technologies/{tech_id}", json={"trl": 2}), 403)
    assert_envelope(client.delete(f"/api/technologies/{tech_id}"), 403)
    assert_envelope(client.post(f"/api/technologies/{tech_id}/confirm"), 403)


def test_operator_creates_organisations_and_people(client: TestClient, make_user: Any) -> None:
    login(client, make_user(Role.OPERATOR))
    org = client.post("/api/organisations", json={"name": "丙研究所", "kind": "research_institute"})
    assert org.status_code == 201
    assert_envelope(client.post("/api/organisations", json={"name": "丁", "kind": "castle"}), 422, "kind")
    person = client.post("/api/people", json={"name": "李四", "roles": ["expert"]})
    assert person.status_code == 201
    assert client.get("/api/organisations", params={"q": "丙"}).json()["total"] == 1
    assert client.get("/api/people").json()["total"] == 1


def test_codes(client: TestClient) -> None:
    assert "provinces" in client.get("/api/codes").json()["tables"]
    for table in ("industries", "disciplines", "technology_fields", "provinces", "blocs", "trl", "stages",
                  "transaction_modes", "solution_modes", "organisation_kinds", "person_roles"):
        body = client.get(f"/api/codes/{table}").json()
        assert body["ok"] and body["items"], table
    assert_envelope(client.get("/api/codes/planets"), 404)


def test_demand_matches_with_reasons_and_feedback(client: TestClient, make_user: Any,
                                                  small_catalog: dict[str, int]) -> None:
    demand_id = small_catalog["d-sugar"]
    body = client.get(f"/api/demands/{demand_id}/matches").json()
    first = body["matches"][0]
    assert first["technology"]["id"] == small_catalog["t-sugar"], body
    assert "馅料" in first["reasons"]["matched_terms"]
    assert_envelope(client.get("/api/demands/999999/matches"), 404)
    feedback_url = f"/api/demands/{demand_id}/matches/{small_catalog['t-sugar']}/feedback"
    assert_envelope(client.post(feedback_url, json={"decision": "reject"}), 401)
    login(client, make_user(Role.ENTERPRISE_MEMBER, organisation_id=small_catalog["org-b"]))
    assert_envelope(client.post(feedback_url, json={"decision": "maybe"}), 422, "decision")
    assert client.post(feedback_url, json={"decision": "reject", "reason": "已有类似工艺"}).json()["ok"]
    again = client.get(f"/api/demands/{demand_id}/matches").json()["matches"]
    assert small_catalog["t-sugar"] not in [m["technology_id"] for m in again], "rejected pair came back"


def test_free_text_match(client: TestClient, small_catalog: dict[str, int]) -> None:
    body = client.post("/api/match", json={"text": "金属零件表面有划痕，人工检查太慢", "top": 3}).json()
    assert body["matches"][0]["technology_id"] == small_catalog["t-vision"]
    assert_envelope(client.post("/api/match", json={"text": ""}), 422, "text")
    assert_envelope(client.post("/api/match", json={"top": 3}), 422, "text")
    assert_envelope(client.post("/api/match", content=b"{broken", headers={"content-type": "application/json"}), 422)


def test_auth_register_login_me_logout(client: TestClient) -> None:
    assert_envelope(client.get("/api/me"), 401)
    bad = client.post("/api/auth/register", json={"email": "x", "password": "short", "display_name": "",
                                                  "role": "operator"})
    body = assert_envelope(bad, 422)
    assert {e["field"] for e in body["errors"]} == {"email", "password", "display_name", "role"}
    ok = client.post("/api/auth/register", json={"email": "a@b.cn", "password": "long enough pw",
                                                 "display_name": "甲", "role": "enterprise_member",
                                                 "organisation_name": "甲公司"})
    assert ok.status_code == 201
    assert_envelope(client.post("/api/auth/register", json={"email": "a@b.cn", "password": "long enough pw",
                                                            "display_name": "甲", "role": "expert"}), 409, "email")
    assert_envelope(client.post("/api/auth/login", json={"email": "a@b.cn", "password": "wrong password"}), 401)
    assert client.post("/api/auth/login", json={"email": "A@B.cn", "password": "long enough pw"}).status_code == 200
    me = client.get("/api/me").json()
    assert me["roles"] == ["enterprise_member"] and me["organisation_id"] is not None
    assert client.post("/api/auth/logout").json()["ok"]
    assert_envelope(client.get("/api/me"), 401)


def test_lockout_after_repeated_failures(client: TestClient, make_user: Any) -> None:
    user: TestUser = make_user(Role.EXPERT)
    for _ in range(5):
        client.post("/api/auth/login", json={"email": user.email, "password": "nope nope nope"})
    locked = client.post("/api/auth/login", json={"email": user.email, "password": user.password})
    assert_envelope(locked, 429)


def test_oversized_body_is_refused(client: TestClient) -> None:
    body = assert_envelope(client.post("/api/match", content=b"x" * 2_000_001,
                                       headers={"content-type": "application/json"}), 413)
    assert "limit" in body["error"]


def test_unknown_route_and_method(client: TestClient) -> None:
    assert_envelope(client.get("/api/does-not-exist"), 404)
    assert_envelope(client.put("/api/summary"), 405)


def test_openapi_and_docs_are_served_without_cdn(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/technologies" in schema["paths"] and "/api/demands/{demand_id}/matches" in schema["paths"]
    docs = client.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
