"""Market-value scores end to end: evidence from the matching engine and feedback, stored breakdown, recompute
hook, ranking and comparison pages with their JSON twins, evaluation records and their policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from techbridge.domain.roles import Role
from techbridge.services import evaluation
from techbridge.services.matching import MatchingService
from techbridge.storage.db import Database
from tests.conftest import login


def test_scores_use_demand_feedback_growth_and_say_what_is_missing(db: Database, small_catalog: dict[str, int],
                                                                   make_user: Callable[..., Any]) -> None:
    matching = MatchingService(db)
    report = evaluation.recompute(db, matching)
    assert report.technologies == 4 and report.changed == 4
    sugar = evaluation.score_of(db, small_catalog["t-sugar"])
    evidence = sugar["breakdown"]["evidence"]
    assert small_catalog["d-sugar"] in evidence["demand_ids"]
    assert evidence["demand_budget_wan"] >= 30
    assert evidence["growth_percent"] is None  # agriculture has no invoice signal
    notes = " ".join(sugar["breakdown"]["notes"])
    assert "contracts: signed" in notes
    # Unchanged evidence is not rewritten; an accepted match changes the evidence and the score rises.
    assert evaluation.recompute(db, matching).changed == 0
    member = make_user(Role.ENTERPRISE_MEMBER).actor
    matching.record_feedback(member, small_catalog["d-sugar"], small_catalog["t-sugar"], "accept", "fits")
    after = evaluation.evidence_changed(db, matching, small_catalog["t-sugar"])
    assert after["breakdown"]["evidence"]["accepted_matches"] == 1
    assert after["total"] > sugar["total"]
    vision = evaluation.score_of(db, small_catalog["t-vision"])["breakdown"]["evidence"]
    assert vision["growth_percent"] == 15.8  # F01 without an industry code: high-tech services


def test_ranking_and_compare_pages_and_api(client: TestClient, db: Database, small_catalog: dict[str, int]) -> None:
    evaluation.recompute(db, MatchingService(db))
    data = client.get("/api/evaluation/ranking").json()
    assert data["ok"] and len(data["items"]) == 4
    assert [i["rank"] for i in data["items"]] == [1, 2, 3, 4]
    totals = [i["total"] for i in data["items"]]
    assert totals == sorted(totals, reverse=True)
    only_f09 = client.get("/api/evaluation/ranking", params={"technology_field": "F09"}).json()["items"]
    assert {i["technology_field"] for i in only_f09} == {"F09"}
    inner_mongolia = client.get("/api/evaluation/ranking", params={"province_code": "150000"}).json()["items"]
    assert [i["technology_id"] for i in inner_mongolia] == [small_catalog["t-irrigation"]]
    bad = client.get("/api/evaluation/ranking", params={"technology_field": "F99"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "technology_field"
    compare = client.get("/api/evaluation/compare").json()
    assert compare["total"] == 4 and "count rank" in compare["definition"]
    assert {i["technology_id"] for i in compare["by_count"]} == {i["technology_id"] for i in compare["by_score"]}
    for lang in ("zh", "en"):
        for path in ("/evaluation", "/evaluation/compare", f"/evaluation/technologies/{small_catalog['t-sugar']}"):
            page = client.get(path, params={"lang": lang}, headers={"accept": "text/html"})
            assert page.status_code == 200, (path, page.text[:300])
    assert "市场价值" in client.get("/evaluation", params={"lang": "zh"}).text
    assert "Market-value" in client.get("/evaluation", params={"lang": "en"}).text


def test_detail_api_before_and_after_recompute(client: TestClient, make_user: Callable[..., Any],
                                               small_catalog: dict[str, int]) -> None:
    tid = small_catalog["t-battery"]
    assert client.get(f"/api/evaluation/technologies/{tid}").json()["score"] is None
    assert client.post(f"/api/evaluation/technologies/{tid}/recompute").status_code == 401
    login(client, make_user(Role.ENTERPRISE_MEMBER))
    score = client.post(f"/api/evaluation/technologies/{tid}/recompute").json()
    assert score["ok"] and score["breakdown"]["evidence"]["growth_percent"] == 6.3  # F06 → equipment manufacturing
    assert client.post("/api/evaluation/recompute").status_code == 403
    assert client.get("/api/evaluation/technologies/999999").status_code == 404


def test_evaluation_records_policy_and_validation(client: TestClient, make_user: Callable[..., Any],
                                                  small_catalog: dict[str, int]) -> None:
    tid = small_catalog["t-vision"]
    record = {"kind": "third_party", "evaluator": "某第三方评价机构", "trl": 7, "maturity_score": 80,
              "value_economic": 85, "market_value_wan": 300, "pricing_method": "asset_appraisal"}
    login(client, make_user(Role.INVESTOR))
    assert client.post(f"/api/evaluation/technologies/{tid}/records", json=record).status_code == 403
    client.cookies.clear()
    login(client, make_user(Role.EXPERT))
    created = client.post(f"/api/evaluation/technologies/{tid}/records", json=record)
    assert created.status_code == 201, created.text
    bad = client.post(f"/api/evaluation/technologies/{tid}/records", json=record | {"maturity_score": 150})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "maturity_score"
    self_eval = client.post(f"/api/evaluation/technologies/{tid}/records", json=record | {"kind": "self"})
    assert self_eval.status_code == 403  # the expert is not in the owning organisation
    records = client.get(f"/api/evaluation/technologies/{tid}").json()["records"]
    assert len(records) == 1 and records[0]["value_economic"] == 85


def test_cases_table_feeds_case_progress(db: Database, small_catalog: dict[str, int]) -> None:
    from techbridge.storage.tables.cases import CaseRow

    matching = MatchingService(db)
    evaluation.recompute(db, matching)
    before = evaluation.score_of(db, small_catalog["t-battery"])
    assert "cases: read from the cases table" in before["breakdown"]["notes"]
    with db.transaction() as session:
        battery = small_catalog["t-battery"]
        session.add_all([CaseRow(title="电池正极材料转化（测试）", stage="contract", technology_id=battery),
                         CaseRow(title="放弃的案件（测试）", stage="closed", technology_id=battery)])
    after = evaluation.evidence_changed(db, matching, small_catalog["t-battery"])
    assert after["breakdown"]["evidence"]["case_stages"] == ["closed", "contract"]
    cases_part = next(p for p in after["breakdown"]["parts"] if p["component"] == "cases")
    assert cases_part["points"] == pytest.approx(100 * 0.6 / 1.6, abs=1e-3)  # contract 6/10; closed counts 0
    assert after["total"] > before["total"]
