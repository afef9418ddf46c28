"""Fusion weights learned from accept/reject feedback: applied only when held-out demands do not get worse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from techbridge.config import Settings
from techbridge.domain.roles import Role
from techbridge.services import catalog, match_learning
from techbridge.services.actor import SYSTEM
from techbridge.services.match_learning import _Judged, _learn_direction
from techbridge.services.matching import MatchingService
from techbridge.storage.db import Database
from tests.conftest import login

# Extra demands phrased in plain words, each with the technology of small_catalog that fits it.
NEEDS = [
    ("月饼馅料太甜，想减糖又不变硬", "t-sugar"),
    ("糕点减糖后口感差，怎样用仪器评价", "t-sugar"),
    ("电动车电池用不久就衰减", "t-battery"),
    ("锂电池循环寿命短，正极材料想升级", "t-battery"),
    ("干旱地区种甜菜缺水", "t-irrigation"),
    ("农田灌溉用水太多，想节水增产", "t-irrigation"),
    ("工厂靠人眼看零件划痕，漏检多", "t-vision"),
    ("金属件表面凹坑检测想自动化", "t-vision"),
]


@pytest.fixture
def judged(db: Database, settings: Settings, small_catalog: dict[str, int], make_user: Any) -> dict[str, Any]:
    """Ten demands, each with its fitting technology accepted and the other proposals rejected."""
    wanted = {small_catalog["d-sugar"]: small_catalog["t-sugar"], small_catalog["d-defect"]: small_catalog["t-vision"]}
    for text, tech in NEEDS:
        demand_id = catalog.create(db, settings, SYSTEM, "demands", {"title": text, "description": text})
        wanted[demand_id] = small_catalog[tech]
    operator = make_user(Role.OPERATOR)
    service = MatchingService(db)
    for demand_id, tech in wanted.items():
        shown = [m.technology_id for m in service.matches_for_demand(demand_id, top=4)]
        for t in shown:
            service.record_feedback(operator.actor, demand_id, t, "accept" if t == tech else "reject", "测试")
    return {"wanted": wanted, "operator": operator}


def test_feedback_weights_are_checked_applied_and_kept(db: Database, judged: dict[str, Any], tmp_path: Path) -> None:
    service = MatchingService(db, index_dir=tmp_path / "index")
    report = service.learn_weights()
    mono = report.directions[0]
    assert mono.direction == "monolingual" and mono.judged_demands == 10, report.as_dict()
    assert mono.held_out_mrr_prior is not None and mono.held_out_mrr_learned is not None, mono.why
    assert mono.applied, f"held-out MRR {mono.held_out_mrr_prior} -> {mono.held_out_mrr_learned}: {mono.why}"
    assert mono.learned is not None and set(mono.learned) == {"bm25", "static"}
    status = service.status()
    assert status["weights"]["learned_from_feedback"] is True
    assert status["weights"]["monolingual"]["static"] == mono.learned["static"]
    cross = report.directions[1]
    assert not cross.applied and "not enough feedback" in cross.why, "no English demand was judged"
    saved = json.loads((tmp_path / "index" / match_learning.WEIGHTS_FILE).read_text(encoding="utf-8"))
    assert saved["weights"]["static"] == mono.learned["static"]
    again = MatchingService(db, index_dir=tmp_path / "index")
    again.match_text("零件划痕", top=1)
    assert again.status()["weights"]["monolingual"] == status["weights"]["monolingual"], "a restart keeps them"


def test_too_little_feedback_changes_nothing(db: Database, small_catalog: dict[str, int], make_user: Any) -> None:
    service = MatchingService(db)
    before = service.index().config.weights
    service.record_feedback(make_user(Role.OPERATOR).actor, small_catalog["d-sugar"], small_catalog["t-sugar"],
                            "accept")
    report = service.learn_weights()
    assert not any(d.applied for d in report.directions)
    assert "not enough feedback" in report.directions[0].why
    assert service.index().config.weights == before
    assert service.status()["weights"]["learned_from_feedback"] is False


def test_weights_that_hurt_held_out_demands_are_refused() -> None:
    # Training demands (even ids) accept what BM25 likes; held-out demands (odd ids) accept what the
    # encoder likes. Fitting on the first pushes weight to BM25, which ranks the held-out ones worse.
    def demand(demand_id: int, good: dict[str, float], bad: dict[str, float]) -> _Judged:
        return _Judged(demand_id, False, {"good": good, "bad": bad}, ["good"], ["bad"])

    train = [demand(i, {"bm25": 2.0, "static": -1.0}, {"bm25": -1.0, "static": 2.0}) for i in (2, 4, 6, 8)]
    held = [demand(i, {"bm25": -1.0, "static": 1.0}, {"bm25": 1.0, "static": 0.3}) for i in (1, 3, 5)]
    report = _learn_direction("monolingual", train + held, {"bm25": 0.1, "static": 0.5})
    assert report.learned is not None and report.learned["bm25"] > 0.35 * report.learned["static"], report
    assert report.held_out_mrr_learned is not None and report.held_out_mrr_prior is not None
    assert report.held_out_mrr_learned < report.held_out_mrr_prior
    assert not report.applied and "defaults stay" in report.why


def test_relearning_is_for_operators_only(client: TestClient, judged: dict[str, Any], make_user: Any) -> None:
    assert client.get("/api/matching/status").json()["engine"]["ready"] in (True, False)
    member = make_user(Role.ENTERPRISE_MEMBER)
    login(client, member)
    refused = client.post("/api/matching/learn")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden", refused.text
    client.post("/api/auth/logout")
    login(client, judged["operator"])
    body = client.post("/api/matching/learn").json()
    assert body["ok"] and body["report"]["directions"][0]["judged_demands"] == 10, body
    assert body["engine"]["weights"]["learned_from_feedback"] is True
