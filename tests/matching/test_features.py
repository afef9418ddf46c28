"""Structured signals: each formula on its own, with messages that say what the rule is."""

from __future__ import annotations

from datetime import date

import pytest

from techbridge.matching import budget_fit, freshness, ipc_agreement, maturity_fit, region_affinity


@pytest.mark.parametrize(("wanted", "offered", "score", "label"), [
    ("110108", "110000", 1.0, "11"),   # same province, different district codes
    ("11", "13", 0.6, "京津冀"),        # Beijing and Hebei share a bloc
    ("31", "33", 0.6, "长三角"),
    ("44", "81", 0.6, "粤港澳大湾区"),
    ("11", "31", 0.0, None),           # different blocs
    (None, "31", None, None),          # no wish, no signal
])
def test_region_affinity(wanted: str | None, offered: str | None, score: float | None, label: str | None) -> None:
    assert region_affinity(wanted, offered) == (score, label), f"{wanted} vs {offered} should give {score}, {label}"


def test_maturity_budget_freshness_ipc() -> None:
    assert maturity_fit(7, 8) == 1.0, "a more mature result fits a wish for TRL 7"
    assert maturity_fit(7, 5) == 0.5, "two TRL levels short costs 0.5"
    assert maturity_fit(None, 5) is None, "no wanted stage, no signal"
    assert budget_fit(50, 30) == 1.0 and budget_fit(50, 100) == 0.5, "price over budget scores budget/price"
    assert budget_fit(50, None) == 0.5, "面议 (no price) is neutral"
    assert freshness(date(2025, 1, 1), today=date(2026, 1, 1)) == pytest.approx(0.5, abs=0.01), "one year = half"
    assert ipc_agreement(("H01M 10/0525",), ("H01M",)) == (1.0, ("H01M",)), "same subclass"
    assert ipc_agreement(("H01L",), ("H01M",))[0] == 0.5, "same class H01 only"
