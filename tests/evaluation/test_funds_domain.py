"""Fund filters, fit rules and fund-profile validation."""

from __future__ import annotations

import pytest

from techbridge.domain import funds as fd
from techbridge.domain.roles import Role
from techbridge.errors import PermissionDenied, ValidationFailed

SEED_FUND = fd.FundProfile(1, ("seed", "angel"), ("F01", "F05"), ("110000",), 50, 500, True, True, True)
GROWTH_FUND = fd.FundProfile(2, ("expansion", "growth"), (), (), 2000, 20000, False, False, False)


@pytest.mark.parametrize(("flt", "expected"), [
    (fd.FundFilter(), {1, 2}),
    (fd.FundFilter(stage="seed"), {1}),
    (fd.FundFilter(stage="growth"), {2}),
    (fd.FundFilter(technology_field="F05"), {1, 2}),   # fund 2 has no sector restriction
    (fd.FundFilter(technology_field="F09"), {2}),
    (fd.FundFilter(province_code="110000"), {1, 2}),  # fund 2 is nationwide
    (fd.FundFilter(province_code="440000"), {2}),
    (fd.FundFilter(ticket_wan=300), {1}),
    (fd.FundFilter(ticket_wan=500), {1}),              # the range is inclusive
    (fd.FundFilter(ticket_wan=5000), {2}),
    (fd.FundFilter(ticket_wan=1000), set()),
    (fd.FundFilter(government_guidance=True), {1}),
    (fd.FundFilter(government_guidance=False), {2}),
    (fd.FundFilter(hard_tech=True), {1}),
    (fd.FundFilter(early_stage=False), {2}),
    (fd.FundFilter(stage="seed", technology_field="F01", province_code="110108"[:2] + "0000", ticket_wan=100,
                   government_guidance=True, hard_tech=True, early_stage=True), {1}),
])
def test_fund_filters(flt: fd.FundFilter, expected: set[int]) -> None:
    assert {f.id for f in (SEED_FUND, GROWTH_FUND) if fd.matches_filter(f, flt)} == expected


def test_stage_ticket_region_fit() -> None:
    assert fd.stage_fit(["seed"], 2)[0] == 1.0
    assert fd.stage_fit(["seed"], 4)[0] == 0.5   # angel is next to seed
    assert fd.stage_fit(["seed"], 9)[0] == 0.0
    assert fd.stage_fit(["seed"], None)[0] == 0.5
    assert fd.ticket_fit(100, 500, 300)[0] == 1.0
    assert fd.ticket_fit(100, 500, 75)[0] == pytest.approx(0.5)   # halfway between 50 and 100
    assert fd.ticket_fit(100, 500, 750)[0] == pytest.approx(0.5)  # halfway between 500 and 1000
    assert fd.ticket_fit(100, 500, 2000)[0] == 0.0
    assert fd.region_fit([], "650000")[0] == 1.0
    assert fd.region_fit(["110000"], "110000")[0] == 1.0
    assert fd.region_fit(["110000"], "310000")[0] == 0.0


def test_combined_fit_hand_computed() -> None:
    project = fd.ProjectFacts(10, trl=3, technology_field="F01", province_code="110000", ask_wan=200)
    fit = fd.fit(SEED_FUND, project, text_similarity=0.5)
    # 0.35·0.5 + 0.20·1 + 0.15·1 + 0.10·1 + 0.10·1 + 0.10·1 (hard tech and early stage both met)
    assert fit.score == pytest.approx(0.175 + 0.2 + 0.15 + 0.1 + 0.1 + 0.1)
    assert {rule for rule, _ in fit.reasons} == {"text", "stage", "ticket", "region", "sector", "preference"}
    late = fd.fit(SEED_FUND, fd.ProjectFacts(11, 9, "F09", "440000", None), 0.0)
    assert late.score == pytest.approx(0.15 * 0.5)  # only the unknown ticket earns half


def test_validate_fund_names_each_problem() -> None:
    with pytest.raises(ValidationFailed) as info:
        fd.validate_fund({"name": "", "stages": "pre-seed", "sectors": "F99", "regions": "Beijing",
                          "ticket_min_wan": "500", "ticket_max_wan": "100", "fund_size_wan": "abc"})
    assert {e.field for e in info.value.errors} == {"name", "stages", "sectors", "regions", "ticket_max_wan",
                                                    "fund_size_wan"}
    ok = fd.validate_fund({"name": "示例基金", "stages": "seed, angel", "sectors": ["F01"], "ticket_min_wan": 50,
                           "ticket_max_wan": "300", "government_guidance": "on"})
    assert ok["stages"] == ["seed", "angel"] and ok["government_guidance"] is True and ok["regions"] == []


def test_fund_policy() -> None:
    assert fd.can_create_fund(frozenset({Role.INVESTOR}))
    assert not fd.can_create_fund(frozenset({Role.ENTERPRISE_MEMBER}))
    fd.require_fund_editor(frozenset({Role.INVESTOR}), 5, 5)
    fd.require_fund_editor(frozenset({Role.OPERATOR}), 1, 5)
    with pytest.raises(PermissionDenied):
        fd.require_fund_editor(frozenset({Role.INVESTOR}), 6, 5)
