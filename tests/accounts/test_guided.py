"""The guided demand form's suggestions, its page flow, and technology → demands."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from techbridge.domain.roles import Role
from techbridge.errors import ValidationFailed
from techbridge.services.fit import EngineDemandFinder
from techbridge.services.matching import MatchingService
from techbridge.services.suggest import LexicalSuggester, suggest_title
from tests.conftest import login

NEED = ("我们是做月饼的小厂。最近减糖以后馅料发硬、口感变差。希望找到低糖馅料配方，最好能直接量产，"
        "也想委托专家用仪器测定口感。")


def test_suggestions_from_plain_words(db: Any, small_catalog: dict[str, int]) -> None:
    suggestion = LexicalSuggester(db, MatchingService(db)).suggest(NEED)
    assert suggestion.title == "希望找到低糖馅料配方，最好能直接量产，也想委托专家用仪器测定口感"[:60]
    assert suggestion.technology_field == "F09"
    assert suggestion.industry_code  # from field_to_industry.csv: F09 maps to agriculture/food divisions
    assert suggestion.wanted_stage == "mass_production"
    assert suggestion.solution_mode == "commissioned_development"
    assert any("馅料" in k or "低糖" in k for k in suggestion.keywords) and len(suggestion.keywords) <= 5
    assert suggestion.matches[0].technology_id == small_catalog["t-sugar"]
    assert set(suggestion.basis) >= {"technology_field", "industry_code", "wanted_stage", "solution_mode"}


def test_suggestions_in_english_and_without_cues(db: Any, small_catalog: dict[str, int]) -> None:
    suggestion = LexicalSuggester(db, MatchingService(db)).suggest(
        "Our parts come off the line with scratches. We need an automatic inspection system.")
    assert suggestion.title == "We need an automatic inspection system"
    assert suggestion.wanted_stage is None
    assert "inspection" in suggestion.keywords
    with pytest.raises(ValidationFailed) as short:
        LexicalSuggester(db, MatchingService(db)).suggest("太短")
    assert short.value.errors[0].field == "text"


def test_title_picks_the_wish_sentence() -> None:
    assert suggest_title("公司做饮料。我们需要降低灌装线能耗！其他都好。") == "需要降低灌装线能耗"


def test_guided_flow_suggest_then_publish(client: Any, make_user: Any, small_catalog: dict[str, int]) -> None:
    html = {"accept": "text/html"}
    assert client.get("/demands/guided", follow_redirects=False).status_code == 303
    csrf = login(client, make_user(Role.ENTERPRISE_MEMBER, organisation_id=small_catalog["org-b"]))
    step2 = client.post("/demands/guided", headers=html, data={"csrf_token": csrf, "step": "suggest", "text": NEED})
    assert step2.status_code == 200 and 'name="title"' in step2.text and "低糖月饼馅料配方" in step2.text
    published = client.post("/demands/guided", headers=html, follow_redirects=False, data={
        "csrf_token": csrf, "step": "publish", "text": NEED, "title": "月饼低糖馅料", "technology_field": "F09",
        "keywords": "低糖, 馅料", "wanted_stage": "mass_production", "visibility": "public"})
    assert published.status_code == 303 and published.headers["location"].endswith("/matches")
    demand_id = int(published.headers["location"].split("/")[2])
    item = client.get(f"/api/demands/{demand_id}").json()["item"]
    assert item["description"] == NEED and item["keywords"] == ["低糖", "馅料"]
    bad = client.post("/demands/guided", headers=html, data={
        "csrf_token": csrf, "step": "publish", "text": NEED, "title": "", "industry_code": "ZZZ"})
    assert bad.status_code == 422 and "field-error" in bad.text


def test_suggest_api(client: Any, small_catalog: dict[str, int]) -> None:
    response = client.post("/api/demands/suggest", json={"text": NEED, "top": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["suggestion"]["technology_field"] == "F09" and len(body["matches"]) <= 3
    assert client.post("/api/demands/suggest", json={"text": "x" * 6000}).status_code == 422


def test_demands_that_fit_a_technology(client: Any, db: Any, small_catalog: dict[str, int]) -> None:
    finder = EngineDemandFinder(db)
    from techbridge.services.actor import ANONYMOUS

    fits = finder.demands_for_technology(ANONYMOUS, small_catalog["t-vision"])
    assert fits[0].demand_id == small_catalog["d-defect"]
    assert fits[0].shared_codes.get("technology_field") == "F01"
    response = client.get(f"/api/technologies/{small_catalog['t-sugar']}/demands").json()
    assert response["demands"][0]["demand_id"] == small_catalog["d-sugar"]
    page = client.get(f"/technologies/{small_catalog['t-sugar']}/demands", headers={"accept": "text/html"})
    assert page.status_code == 200 and "月饼减糖后馅料口感变差" in page.text
    assert client.get("/api/technologies/999999/demands").status_code == 404


def test_accounts_locale_has_both_languages() -> None:
    data = json.loads(resources.files("techbridge.web").joinpath("locales", "accounts.json").read_text("utf-8"))
    for key, texts in data.items():
        assert texts.get("zh") and texts.get("en"), f"{key} lacks a language"
