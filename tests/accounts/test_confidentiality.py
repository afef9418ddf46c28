"""Confidential listings: details only for owners, the assigned manager, operators and NDA signers."""

from __future__ import annotations

from typing import Any

from techbridge.domain.roles import Role
from techbridge.services import visibility
from tests.conftest import login

SECRET = "秘密配方甜味剂比例"


def _make_confidential(client: Any, make_user: Any, small_catalog: dict[str, int]) -> tuple[Any, int]:
    owner = make_user(Role.ENTERPRISE_MEMBER, organisation_id=small_catalog["org-b"])
    login(client, owner)
    response = client.post("/api/demands", json={
        "title": "保密的月饼减糖需求", "description": f"我们的{SECRET}需要保密。", "keywords": "减糖",
        "visibility": "confidential", "technology_field": "F09"})
    assert response.status_code == 201, response.text
    assert response.json()["item"]["description"].startswith("我们的")
    client.post("/api/auth/logout")
    return owner, response.json()["id"]


def test_outsider_sees_summary_until_nda(client: Any, make_user: Any, small_catalog: dict[str, int]) -> None:
    _owner, demand_id = _make_confidential(client, make_user, small_catalog)
    anonymous = client.get(f"/api/demands/{demand_id}").json()["item"]
    assert anonymous["title"] == "保密的月饼减糖需求"
    assert anonymous["description"] is None and anonymous["details_hidden"] is True
    page = client.get(f"/demands/{demand_id}", headers={"accept": "text/html"}).text
    assert SECRET not in page
    listed = client.get("/api/demands", params={"q": "减糖"}).json()["items"]
    assert all(SECRET not in str(item) for item in listed)
    # the hidden text is not searchable either
    assert client.get("/api/demands", params={"q": "甜味剂"}).json()["total"] == 0
    assert client.get(f"/api/demands/{demand_id}/matches").status_code == 401

    outsider = make_user(Role.INSTITUTION_MEMBER, organisation_id=small_catalog["org-a"])
    login(client, outsider)
    assert client.get(f"/api/demands/{demand_id}").json()["item"]["nda_required"] is True
    forbidden = client.get(f"/api/demands/{demand_id}/matches")
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    nda = client.get(f"/api/demands/{demand_id}/nda").json()
    assert nda["accepted"] is False and nda["version"] == visibility.CURRENT_NDA_VERSION
    stale = client.post(f"/api/demands/{demand_id}/nda", json={"version": 99})
    assert stale.status_code == 422 and stale.json()["errors"][0]["field"] == "version"
    assert client.post(f"/api/demands/{demand_id}/nda", json={"version": nda["version"]}).status_code == 201
    detail = client.get(f"/api/demands/{demand_id}").json()["item"]
    assert SECRET in detail["description"] and detail["details_hidden"] is False
    assert client.get(f"/api/demands/{demand_id}/matches").status_code == 200
    # an NDA signer may read but not act for the owner
    tech = small_catalog["t-sugar"]
    feedback = client.post(f"/api/demands/{demand_id}/matches/{tech}/feedback", json={"decision": "accept"})
    assert feedback.status_code == 403


def test_acceptance_recorded_and_views_audited(client: Any, make_user: Any, small_catalog: dict[str, int]) -> None:
    owner, demand_id = _make_confidential(client, make_user, small_catalog)
    outsider = make_user(Role.INVESTOR)
    login(client, outsider)
    client.post(f"/api/demands/{demand_id}/nda", json={"version": visibility.CURRENT_NDA_VERSION})
    client.get(f"/api/demands/{demand_id}")
    client.post("/api/auth/logout")
    login(client, owner)
    records = client.get(f"/api/demands/{demand_id}/nda/acceptances").json()["items"]
    assert [r["user_id"] for r in records] == [outsider.user_id]
    assert records[0]["text_sha256"] == visibility.nda_digest() and records[0]["accepted_at"]
    client.post("/api/auth/logout")
    operator = make_user(Role.OPERATOR)
    login(client, operator)
    views = client.get("/api/audit", params={"action": "view_confidential", "entity_id": str(demand_id)}).json()
    assert views["total"] >= 1 and views["items"][0]["user_id"] == outsider.user_id
    created = client.get("/api/audit", params={"action": "create", "entity_kind": "demands"}).json()
    assert any(item["entity_id"] == str(demand_id) and item["user_id"] == owner.user_id for item in created["items"])
    ndas = client.get("/api/audit", params={"entity_kind": "nda_acceptances"}).json()
    assert ndas["total"] == 1


def test_assigned_manager_sees_details(client: Any, make_user: Any, small_catalog: dict[str, int]) -> None:
    _owner, demand_id = _make_confidential(client, make_user, small_catalog)
    manager = make_user(Role.TECHNOLOGY_MANAGER)
    login(client, manager)
    assert client.get(f"/api/demands/{demand_id}").json()["item"]["description"] is None
    client.post("/api/auth/logout")
    operator = make_user(Role.OPERATOR)
    login(client, operator)
    investor = make_user(Role.INVESTOR)
    refused = client.post(f"/api/demands/{demand_id}/managers", json={"user_id": investor.user_id})
    assert refused.status_code == 422
    assert client.post(f"/api/demands/{demand_id}/managers", json={"user_id": manager.user_id}).status_code == 201
    client.post("/api/auth/logout")
    login(client, manager)
    assert SECRET in client.get(f"/api/demands/{demand_id}").json()["item"]["description"]
    tech = small_catalog["t-sugar"]
    ok = client.post(f"/api/demands/{demand_id}/matches/{tech}/feedback", json={"decision": "accept"})
    assert ok.status_code == 200


def test_summary_listing_needs_sign_in(client: Any, make_user: Any, small_catalog: dict[str, int]) -> None:
    owner = make_user(Role.INSTITUTION_MEMBER, organisation_id=small_catalog["org-a"])
    login(client, owner)
    tech_id = client.post("/api/technologies", json={
        "title": "摘要公开的电池技术", "abstract": "详细工艺参数 XYZ", "visibility": "summary"}).json()["id"]
    client.post("/api/auth/logout")
    assert client.get(f"/api/technologies/{tech_id}").json()["item"]["abstract"] is None
    summary = client.get("/api/summary").json()
    assert all(item.get("abstract") != "详细工艺参数 XYZ" for item in summary["recent_technologies"])
    login(client, make_user(Role.EXPERT))
    assert client.get(f"/api/technologies/{tech_id}").json()["item"]["abstract"] == "详细工艺参数 XYZ"


def test_match_reasons_do_not_leak_hidden_terms(client: Any, make_user: Any, small_catalog: dict[str, int]) -> None:
    owner = make_user(Role.INSTITUTION_MEMBER, organisation_id=small_catalog["org-a"])
    login(client, owner)
    client.post("/api/technologies", json={"title": "馅料改良技术", "abstract": "使用独家海藻胶稳定剂",
                                           "visibility": "confidential"})
    client.post("/api/auth/logout")
    result = client.post("/api/match", json={"text": "馅料 海藻胶 稳定剂"}).json()
    hidden = [m for m in result["matches"] if m["technology"]["visibility"] == "confidential"]
    assert hidden, result
    assert all("海藻胶" not in m["reasons"]["matched_terms"] for m in hidden)
