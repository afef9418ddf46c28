"""Market-value score arithmetic against hand-computed cases, and the breakdown."""

from __future__ import annotations

import datetime as dt

import pytest

from techbridge.domain import evaluation as ev
from techbridge.errors import ValidationFailed

TODAY = dt.date(2026, 6, 1)


def test_half_saturation_points() -> None:
    assert ev.sat(0, 3) == 0
    assert ev.sat(3, 3) == 0.5
    assert ev.sat(-5, 3) == 0
    assert ev.demand_points(3, 100) == pytest.approx(50.0)
    assert ev.demand_points(0, 0) == 0
    assert ev.accepted_points(2) == pytest.approx(50.0)
    assert ev.accepted_points(6) == pytest.approx(75.0)
    assert ev.contract_points(1, 300) == pytest.approx(100 * (0.25 + 0.5 * 0.75))
    assert ev.growth_points(48.9) == pytest.approx(100 * 48.9 / 63.9)
    assert ev.growth_points(-3) == 0
    assert ev.maturity_points(1) == 0 and ev.maturity_points(9) == 100 and ev.maturity_points(5) == 50
    assert ev.maturity_points(None) == 0
    assert ev.freshness_points(TODAY - dt.timedelta(days=73), TODAY) == pytest.approx(80.0)
    assert ev.freshness_points(TODAY - dt.timedelta(days=400), TODAY) == 0


def test_case_progress_by_stage() -> None:
    assert ev.case_progress("discovery") == pytest.approx(1 / 10)
    assert ev.case_progress("contract") == pytest.approx(6 / 10)
    assert ev.case_progress("benefit_sharing") == 1.0
    assert ev.case_progress("completed") == 1.0
    assert ev.case_progress("closed") == 0 and ev.case_progress("unknown-stage") == 0
    assert ev.case_progress("nda") == ev.case_progress("matchmaking") == pytest.approx(4 / 10)
    # two cases: 1/10 + 6/10 = 0.7 → 100·0.7/1.7
    assert ev.case_points(["discovery", "contract"]) == pytest.approx(100 * 0.7 / 1.7)


def test_total_hand_computed() -> None:
    evidence = ev.Evidence(demand_ids=(1, 2, 3), demand_budget_wan=100, accepted_matches=2, case_stages=("contract",),
                           contracts=1, contract_value_wan=100, growth_percent=15, trl=5,
                           confirmed_at=TODAY - dt.timedelta(days=73))
    score = ev.market_value_score(evidence, TODAY)
    # 0.30·50 + 0.10·50 + 0.10·(100·0.6/1.6) + 0.20·50 + 0.15·50 + 0.10·50 + 0.05·80
    expected = 15 + 5 + 10 * 0.6 / 1.6 + 10 + 7.5 + 5 + 4
    assert score.total == pytest.approx(expected)
    assert score.total == pytest.approx(50.25)
    parts = {p.component: p for p in score.parts}
    assert parts[ev.Component.DEMAND].points == pytest.approx(50)
    assert parts[ev.Component.DEMAND].contribution == pytest.approx(15)
    assert parts[ev.Component.FRESHNESS].contribution == pytest.approx(4)
    assert sum(p.weight for p in score.parts) == pytest.approx(1.0)


def test_missing_growth_signal_is_left_out_and_weights_rescaled() -> None:
    evidence = ev.Evidence(trl=9)
    score = ev.market_value_score(evidence, TODAY)
    growth = next(p for p in score.parts if p.component == ev.Component.INDUSTRY_GROWTH)
    assert not growth.included and growth.weight == 0
    assert "no growth signal" in growth.formula
    assert score.total == pytest.approx(100 * 0.10 / 0.85)
    assert sum(p.weight for p in score.parts) == pytest.approx(1.0)


def test_breakdown_names_each_part_formula_and_evidence() -> None:
    evidence = ev.Evidence(demand_ids=(7,), demand_budget_wan=30, growth_percent=48.9,
                           growth_source="集成电路设计 (GB/T 4754 652)", notes=("contracts: table not present yet",))
    data = ev.market_value_score(evidence, TODAY).as_dict()
    assert [p["component"] for p in data["parts"]] == [c.value for c in ev.Component]
    assert data["evidence"]["demand_ids"] == [7]
    assert data["evidence"]["growth_source"].startswith("集成电路设计")
    assert "contracts: table not present yet" in data["notes"]
    assert "1 demands" in data["parts"][0]["formula"]
    assert data["total"] == pytest.approx(sum(p["contribution"] for p in data["parts"]), abs=1e-3)


def test_more_evidence_never_lowers_the_score() -> None:
    base = ev.Evidence(demand_ids=(1,), demand_budget_wan=10, trl=4, growth_percent=5)
    more = ev.Evidence(demand_ids=(1, 2), demand_budget_wan=60, accepted_matches=1, trl=4, growth_percent=5)
    assert ev.market_value_score(more, TODAY).total > ev.market_value_score(base, TODAY).total


def test_growth_mapping_prefers_the_most_specific_code() -> None:
    signals = (ev.SectorSignal("高技术制造业", 12.7, "industry", "39", ""),
               ev.SectorSignal("集成电路制造", 40.7, "industry", "3973", ""),
               ev.SectorSignal("高技术服务业", 15.8, "field", "F01", ""))
    assert ev.growth_for(signals, "3973", "F01")[0] == 40.7
    assert ev.growth_for(signals, "3911", "F01")[0] == 12.7
    assert ev.growth_for(signals, None, "F01")[0] == 15.8
    assert ev.growth_for(signals, "0111", "F09") == (None, "")


def test_shipped_mapping_covers_the_chip_sectors() -> None:
    from techbridge.services.evaluation import sector_signals

    signals = sector_signals()
    assert ev.growth_for(signals, "6520", "F01")[0] == 48.9
    assert ev.growth_for(signals, "3973", None)[0] == 40.7
    assert ev.growth_for(signals, None, "F07")[0] == 9.6
    assert ev.growth_for(signals, None, "F09")[0] is None  # no agricultural signal in the invoice data
    assert all(s.reasoning for s in signals)


def test_count_and_score_ranks() -> None:
    assert ev.score_ranks({1: 10.0, 2: 30.0, 3: 30.0}) == {2: 1, 3: 1, 1: 3}  # ties share a rank ("1224")
    assert ev.count_ranks({100: 5, 200: 1}, {1: 200, 2: 100, 3: None, 4: 100}) == {2: 1, 4: 1, 1: 3, 3: 4}


def test_evaluation_record_validation_names_fields() -> None:
    with pytest.raises(ValidationFailed) as info:
        ev.validate_evaluation_record({"kind": "fourth", "evaluator": "", "trl": 12, "maturity_score": 120,
                                       "pricing_method": "barter"})
    fields = {e.field for e in info.value.errors}
    assert fields == {"kind", "evaluator", "trl", "maturity_score", "pricing_method"}
    ok = ev.validate_evaluation_record({"kind": "third_party", "evaluator": "某评估中心（示例）", "trl": "6",
                                        "value_economic": "80", "pricing_method": "asset_appraisal"})
    assert ok["trl"] == 6 and ok["value_economic"] == 80.0


def test_function_words_alone_are_not_demand_evidence() -> None:
    assert not ev.is_demand_evidence(("the", "of", "and"), None)
    assert not ev.is_demand_evidence(("的",), None)
    assert not ev.is_demand_evidence((), None)
    assert ev.is_demand_evidence(("of", "planter"), None)
    assert ev.is_demand_evidence(("馅料",), None)
    assert ev.is_demand_evidence((), 0.72) and not ev.is_demand_evidence((), 0.2)
