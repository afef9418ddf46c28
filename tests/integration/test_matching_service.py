"""The matching service over the catalog: persistence, incremental updates, feedback exclusion, zh ↔ en."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from techbridge.config import Settings
from techbridge.domain.roles import Role
from techbridge.services import catalog
from techbridge.services.actor import SYSTEM
from techbridge.services.matching import MatchingService
from techbridge.storage.db import Database


def ids(matches: list[Any]) -> list[int]:
    return [m.technology_id for m in matches]


def test_index_is_saved_and_loaded_from_the_data_dir(db: Database, small_catalog: dict[str, int],
                                                     tmp_path: Path) -> None:
    first = MatchingService(db, index_dir=tmp_path / "index")
    top = ids(first.match_text("金属零件表面划痕检测", top=2))
    assert top[0] == small_catalog["t-vision"]
    assert (tmp_path / "index" / "technologies" / "manifest.json").exists()
    again = MatchingService(db, index_dir=tmp_path / "index")
    assert ids(again.match_text("金属零件表面划痕检测", top=2)) == top
    assert again.status()["documents"] == 4 and again.status()["mode"] == "hybrid"


def test_new_and_withdrawn_listings_take_effect_at_once(db: Database, settings: Settings,
                                                         small_catalog: dict[str, int]) -> None:
    service = MatchingService(db)
    service.match_text("任何文字", top=1)  # build
    new_id = catalog.create(db, settings, SYSTEM, "technologies",
                            {"title": "冷库制冷节能控制系统", "abstract": "变频压缩机与相变蓄冷降低冷库电耗"})
    service.refresh_technology(new_id)
    assert ids(service.match_text("冷库耗电太多，想节能", top=1)) == [new_id]
    catalog.delete(db, SYSTEM, "technologies", new_id)
    service.refresh_technology(new_id)
    assert new_id not in ids(service.match_text("冷库耗电太多，想节能", top=5)), "withdrawn listing still matched"


def test_rejected_pair_never_comes_back(db: Database, small_catalog: dict[str, int], make_user: Any) -> None:
    service = MatchingService(db)
    demand, sugar = small_catalog["d-sugar"], small_catalog["t-sugar"]
    assert sugar in ids(service.matches_for_demand(demand, top=4))
    member = make_user(Role.ENTERPRISE_MEMBER, organisation_id=small_catalog["org-b"])
    service.record_feedback(member.actor, demand, sugar, "reject", "工艺不适用")
    assert sugar not in ids(service.matches_for_demand(demand, top=4))
    assert service.feedback_for(demand) == {sugar: "reject"}


def test_english_need_reaches_chinese_results(db: Database, small_catalog: dict[str, int]) -> None:
    service = MatchingService(db)
    top = ids(service.match_text("lithium battery cathode material with longer cycle life", top=2))
    assert small_catalog["t-battery"] in top, "an English need should reach the Chinese battery patent"


def test_reasons_are_data(db: Database, small_catalog: dict[str, int]) -> None:
    match = MatchingService(db).matches_for_demand(small_catalog["d-sugar"], top=1)[0]
    reasons = match.as_dict()["reasons"]
    assert set(reasons) >= {"matched_terms", "semantic_similarity", "shared_codes", "maturity_fit", "region"}
    assert reasons["shared_codes"].get("technology_field") == ["F09"]


def test_demand_to_teams_and_experts(client: Any, small_catalog: dict[str, int]) -> None:
    body = client.get(f"/api/demands/{small_catalog['d-defect']}/solvers").json()
    assert body["ok"] and body["teams"][0]["organisation_id"] == small_catalog["org-a"], body
    assert body["teams"][0]["reasons"], "a proposed team must say why"
    page = client.get(f"/demands/{small_catalog['d-defect']}/matches", headers={"accept": "text/html"}).text
    assert 'id="solvers-h"' in page and "甲大学" in page


def test_encoder_still_filling_in_is_left_out_of_queries(db: Database, small_catalog: dict[str, int]) -> None:
    service = MatchingService(db, background_encoders=("hashing",))
    index = service._ensure_index()
    assert index.status()["encoders"]["hashing"]["ready"] is False
    match = service.match_text("金属零件表面划痕检测", top=1)[0]
    assert "hashing" not in match.reasons.components, "a half-built encoder must not take part in queries"
    index.index_pending(encoders=["hashing"])
    match = service.match_text("金属零件表面划痕检测", top=1)[0]
    assert "hashing" in match.reasons.components


def test_finished_background_encoder_covers_new_listings(db: Database, settings: Settings,
                                                          small_catalog: dict[str, int]) -> None:
    service = MatchingService(db, background_encoders=("hashing",))
    index = service._ensure_index()
    index.index_pending(encoders=["hashing"])
    service.match_text("任何文字", top=1)  # notices the fill is complete
    new_id = catalog.create(db, settings, SYSTEM, "technologies", {"title": "冷库节能控制系统"})
    service.refresh_technology(new_id)
    assert index.pending("hashing") == 0, "a listing added after the fill must get the background encoder's vector"


def test_saved_demand_is_encoded_before_its_matches_page(db: Database, small_catalog: dict[str, int]) -> None:
    from techbridge.matching._encoders import text_hash
    from techbridge.services.matching import demand_query
    from techbridge.storage.tables.catalog import DemandRow

    service = MatchingService(db)
    index = service.index()
    with db.read() as session:
        text = demand_query(session.get(DemandRow, small_catalog["d-sugar"])).text
    key = "q:" + text_hash(text)
    static = index.encoders["static"]
    assert index.cache.get(static.version, key) is None, "nothing is encoded before the demand is saved"
    service.refresh_listing("demands", small_catalog["d-sugar"])  # what the create/edit routes call
    service.prepare_demand(small_catalog["d-sugar"], wait=True)
    assert index.cache.get(static.version, key) is not None, "the saved demand's query vector must be cached"
    service.prepare_demand(999_999, wait=True)  # a deleted demand is simply skipped
