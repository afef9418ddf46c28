"""Fund profiles through the API and pages: ownership, filters, recommendations in both directions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from techbridge.domain.roles import Role
from tests.conftest import login

AGRI = {"name": "农业早期基金（测试）", "stages": ["seed", "angel", "early", "expansion"], "sectors": ["F09"],
        "regions": [], "ticket_min_wan": 10, "ticket_max_wan": 500, "early_stage_preference": True,
        "thesis": "低糖 馅料 滴灌 节水 农业"}
CHIPS = {"name": "京津硬科技基金（测试）", "stages": ["growth"], "sectors": ["F01"], "regions": ["110000", "120000"],
         "ticket_min_wan": 1000, "ticket_max_wan": 5000, "hard_tech_preference": True, "government_guidance": True,
         "thesis": "机器视觉 缺陷检测"}


def test_fund_ownership_filters_and_recommendations(client: TestClient, make_user: Callable[..., Any],
                                                     small_catalog: dict[str, int]) -> None:
    assert client.post("/api/funds", json=AGRI).status_code == 401
    login(client, make_user(Role.ENTERPRISE_MEMBER))
    assert client.post("/api/funds", json=AGRI).status_code == 403
    client.cookies.clear()
    login(client, make_user(Role.INVESTOR))
    agri = client.post("/api/funds", json=AGRI).json()["id"]
    chips = client.post("/api/funds", json=CHIPS).json()["id"]
    bad = client.post("/api/funds", json=AGRI | {"ticket_min_wan": 900})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "ticket_max_wan"
    assert client.patch(f"/api/funds/{agri}", json={"ticket_max_wan": 800}).json()["item"]["ticket_max_wan"] == 800

    def ids(**params: str) -> set[int]:
        response = client.get("/api/funds", params=params)
        assert response.status_code == 200, response.text
        return {f["id"] for f in response.json()["items"]}

    assert ids() == {agri, chips}
    assert ids(stage="growth") == {chips}
    assert ids(technology_field="F09") == {agri}
    assert ids(province_code="440000") == {agri}
    assert ids(ticket_wan="2000") == {chips}
    assert ids(government_guidance="true") == {chips}
    assert ids(hard_tech="false", early_stage="true") == {agri}
    wrong = client.get("/api/funds", params={"stage": "pre-ipo", "ticket_wan": "lots"})
    assert wrong.status_code == 422 and {e["field"] for e in wrong.json()["errors"]} == {"stage", "ticket_wan"}

    projects = client.get(f"/api/funds/{agri}").json()["projects"]
    assert projects[0]["technology_field"] == "F09"
    assert {r["rule"] for r in projects[0]["reasons"]} == {"text", "stage", "ticket", "region", "sector",
                                                          "preference"}
    both = client.get(f"/api/technologies/{small_catalog['t-vision']}/funds").json()["funds"]
    assert both[0]["fund_id"] == chips and both[0]["text"] > 0
    sugar = client.get(f"/api/technologies/{small_catalog['t-sugar']}/funds").json()["funds"]
    assert sugar[0]["fund_id"] == agri

    client.cookies.clear()
    login(client, make_user(Role.INVESTOR))
    assert client.patch(f"/api/funds/{agri}", json={"name": "taken over"}).status_code == 403
    for lang in ("zh", "en"):
        for path in ("/funds", f"/funds/{agri}", f"/funds/for-technology/{small_catalog['t-sugar']}", "/funds/new"):
            page = client.get(path, params={"lang": lang}, headers={"accept": "text/html"})
            assert page.status_code == 200, (path, page.text[:300])


def test_fund_form_shows_errors_and_creates(client: TestClient, make_user: Callable[..., Any]) -> None:
    csrf = login(client, make_user(Role.INVESTOR))
    form = {"csrf_token": csrf, "name": "表单基金", "stages": ["seed"], "ticket_min_wan": "50", "ticket_max_wan": "10"}
    page = client.post("/funds/new", data=form, headers={"accept": "text/html"})
    assert page.status_code == 422 and "ticket_min_wan" in page.text
    ok = client.post("/funds/new", data=form | {"ticket_max_wan": "300"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].startswith("/funds/")
