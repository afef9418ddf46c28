"""Checks on the reference tables and demo data shipped in techbridge/data/.

Self-contained on purpose: it reads the files directly and re-implements the GB 32100 check
instead of importing the build scripts, so a bug in the generator cannot hide itself.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parents[2] / "techbridge/data"
CODES = DATA / "codes"
DEMO = DATA / "demo"


def read_csv(name: str) -> list[dict[str, str]]:
    with (CODES / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_jsonl(name: str) -> list[dict[str, Any]]:
    with (DEMO / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def field_codes() -> set[str]:
    return {r["code"] for r in read_csv("technology_fields.csv")}


# --- files -----------------------------------------------------------------------------------


def test_no_bom_and_utf8() -> None:
    for path in sorted(DATA.rglob("*")):
        if path.suffix in {".csv", ".jsonl", ".md", ".txt"}:
            raw = path.read_bytes()
            assert not raw.startswith(b"\xef\xbb\xbf"), f"{path} starts with a BOM"
            raw.decode("utf-8")


def test_total_size_is_small() -> None:
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total < 20 * 1024 * 1024, f"techbridge/data is {total / 1e6:.1f} MB"


def test_benchmark_only_data_not_shipped() -> None:
    names = {p.name for p in DATA.rglob("*")}
    assert "corpus.jsonl" not in names
    assert not any(n.startswith("dev") and n.endswith(".tsv") for n in names), "qrels must not ship"
    assert not any("fewclue" in n.lower() for n in names)


# --- code tables -----------------------------------------------------------------------------


def test_industries_levels_and_parents() -> None:
    rows = read_csv("industries_gbt4754_2017.csv")
    assert list(rows[0]) == ["code", "name", "level", "parent_code"]
    levels = Counter(r["level"] for r in rows)
    assert levels == {"section": 20, "division": 97, "group": 473, "class": 1380}
    by_code = {r["code"]: r for r in rows}
    assert len(by_code) == len(rows)
    shape = {"section": (1, ""), "division": (2, "section"), "group": (3, "division"), "class": (4, "group")}
    for r in rows:
        length, parent_level = shape[r["level"]]
        assert len(r["code"]) == length, r
        if r["level"] == "section":
            assert "A" <= r["code"] <= "T" and r["parent_code"] == "", r
        else:
            assert r["code"].isdigit(), r
            assert by_code[r["parent_code"]]["level"] == parent_level, r
            if r["level"] != "division":
                assert r["code"].startswith(r["parent_code"]), r


def test_disciplines_levels_and_parents() -> None:
    rows = read_csv("disciplines_gbt13745_2009.csv")
    assert list(rows[0]) == ["code", "name", "level", "parent_code"]
    by_code = {r["code"]: r for r in rows}
    assert len(by_code) == len(rows)
    assert Counter(r["level"] for r in rows)["category"] == 5
    assert Counter(r["level"] for r in rows)["primary"] == 62
    for r in rows:
        if r["level"] == "category":
            assert r["parent_code"] == ""
        else:
            assert r["parent_code"] in by_code, r
            if r["level"] != "primary":
                assert r["code"].startswith(r["parent_code"]), r


def test_technology_fields() -> None:
    rows = read_csv("technology_fields.csv")
    assert len(rows) == 11
    assert [r["code"] for r in rows] == [f"F{i:02d}" for i in range(1, 12)]
    assert {r["name_zh"] for r in rows} >= {"电子信息", "核应用", "农业", "城市建设与社会发展"}
    assert all(r["name_en"] for r in rows)


def test_provinces_and_blocs() -> None:
    rows = read_csv("provinces_gbt2260.csv")
    assert len(rows) == 34
    assert len({r["code"] for r in rows}) == 34
    assert all(len(r["code"]) == 6 and r["code"].endswith("0000") for r in rows)
    assert all(len(r["short_name"]) == 1 for r in rows)
    by_code = {r["code"]: r for r in rows}
    assert by_code["110000"]["short_name"] == "京"
    assert by_code["710000"]["name_zh"] == "台湾省"
    assert by_code["810000"]["name_zh"] == "香港特别行政区"
    assert by_code["820000"]["name_zh"] == "澳门特别行政区"
    members: dict[str, set[str]] = {}
    for r in rows:
        if r["bloc"]:
            members.setdefault(r["bloc"], set()).add(r["common_name_zh"])
    assert members == {
        "jjj": {"北京", "天津", "河北"},
        "yrd": {"上海", "江苏", "浙江", "安徽"},
        "gba": {"广东", "香港", "澳门"},
    }
    assert {r["code"] for r in read_csv("blocs.csv")} == set(members)


def test_trl_and_stages() -> None:
    stages = read_csv("stages.csv")
    assert [s["name_zh"] for s in stages] == ["正在研发", "已有样品", "通过小试", "通过中试", "可以量产"]
    trl = read_csv("trl.csv")
    assert [int(r["level"]) for r in trl] == list(range(1, 10))
    codes = [s["code"] for s in stages]
    order = [codes.index(r["stage_code"]) for r in trl]
    assert order == sorted(order), "stage must not go down as TRL goes up"
    assert set(order) == set(range(len(codes))), "every stage is reached by some TRL"


def test_small_code_lists() -> None:
    assert {r["name_en"] for r in read_csv("listing_status.csv")} == {
        "Listed",
        "Under negotiation",
        "Deal closed",
        "Withdrawn",
    }
    assert [r["code"] for r in read_csv("listing_status.csv")] == ["listed", "negotiating", "closed", "withdrawn"]
    assert {r["name_zh"] for r in read_csv("solution_modes.csv")} == {
        "自主",
        "委托开发",
        "合作开发",
        "技术转让",
        "技术许可",
        "技术服务",
    }
    modes = {r["name_zh"] for r in read_csv("transaction_modes.csv")}
    assert {
        "专利权转让",
        "专利实施许可-普通",
        "专利实施许可-排他",
        "专利实施许可-独占",
        "专利申请权转让",
        "技术秘密转让",
        "作价入股",
        "合作开发",
        "委托开发",
        "技术服务",
        "其他",
    } <= modes


def test_mapping_targets_exist() -> None:
    fields = field_codes()
    for name in (
        "discipline_to_field.csv",
        "ipc_section_to_field.csv",
        "ipc_subclass_to_field.csv",
        "field_to_industry.csv",
    ):
        for r in read_csv(name):
            assert r["technology_field"] in fields, (name, r)
    divisions = {r["code"] for r in read_csv("industries_gbt4754_2017.csv") if r["level"] == "division"}
    f2i = read_csv("field_to_industry.csv")
    assert {r["technology_field"] for r in f2i} == fields
    assert all(r["industry_code"] in divisions for r in f2i)
    assert {r["section"] for r in read_csv("ipc_section_to_field.csv")} == set("ABCDEFGH")


def test_every_csl_discipline_and_patent_subclass_is_mapped() -> None:
    disciplines = {r["discipline"] for r in read_csv("discipline_to_field.csv")}
    assert len(disciplines) == 67
    assert {t["discipline"] for t in read_jsonl("technologies_csl.jsonl")} <= disciplines
    subclasses = {r["subclass"] for r in read_csv("ipc_subclass_to_field.csv")}
    used = {s for t in read_jsonl("technologies_patents.jsonl") for s in t["ipc_subclasses"]}
    assert used <= subclasses


# --- demo data -------------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        return False
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], weights, strict=True))
    return code[17] == USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_valid(code: str) -> bool:
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(code[:8], (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    value = 11 - total % 11
    return code[8] == ("X" if value == 10 else "0" if value == 11 else str(value))


def test_uscc_checker_accepts_a_published_example() -> None:
    assert uscc_valid("91350100M000100Y43")
    assert not uscc_valid("91350100M000100Y44")


def test_organisations() -> None:
    orgs = read_jsonl("organisations.jsonl")
    assert 25 <= len(orgs) <= 40
    provinces = {r["code"] for r in read_csv("provinces_gbt2260.csv")}
    fields = field_codes()
    assert len({o["external_id"] for o in orgs}) == len(orgs)
    assert len({o["credit_code"] for o in orgs}) == len(orgs)
    kinds = Counter(o["kind"] for o in orgs)
    for kind in (
        "university",
        "research_institute",
        "enterprise",
        "incubator",
        "science_park",
        "fund",
        "registry",
        "government",
    ):
        assert kinds[kind] >= 1, kind
    assert len({o["size"] for o in orgs if o["kind"] == "enterprise"}) >= 3
    for o in orgs:
        assert o["sample_data"] is True
        assert o["name_zh"].endswith("（示例）"), o["name_zh"]
        assert o["province_code"] in provinces
        assert uscc_valid(o["credit_code"]), o
        assert org_code_valid(o["credit_code"][8:17]), o
        assert o["credit_code"][2:4] == o["province_code"][:2], o
        assert set(o["technology_fields"]) <= fields


def test_people_reference_organisations() -> None:
    orgs = {o["external_id"] for o in read_jsonl("organisations.jsonl")}
    people = read_jsonl("people.jsonl")
    assert 25 <= len(people) <= 40
    assert len({p["external_id"] for p in people}) == len(people)
    roles = Counter(p["role"] for p in people)
    for role in ("researcher", "technology_manager", "investor", "enterprise_contact", "expert"):
        assert roles[role] >= 1, role
    for p in people:
        assert p["sample_data"] is True
        assert p["organisation"] in orgs, p
        assert set(p["technology_fields"]) <= field_codes()
        assert p["email"].endswith("@example.org")


@pytest.mark.parametrize(
    ("name", "count", "kind"),
    [
        ("technologies_csl.jsonl", 2000, "paper-result"),
        ("technologies_patents.jsonl", 9740, "patent"),
    ],
)
def test_technologies(name: str, count: int, kind: str) -> None:
    rows = read_jsonl(name)
    assert len(rows) == count
    assert len({r["external_id"] for r in rows}) == count
    orgs = {o["external_id"]: o for o in read_jsonl("organisations.jsonl")}
    people = {p["external_id"]: p for p in read_jsonl("people.jsonl")}
    fields = field_codes()
    modes = {r["code"] for r in read_csv("transaction_modes.csv")}
    status = {r["code"] for r in read_csv("listing_status.csv")}
    stage_of = {int(r["level"]): r["stage_code"] for r in read_csv("trl.csv")}
    provinces = {r["code"] for r in read_csv("provinces_gbt2260.csv")}
    for r in rows:
        assert r["kind"] == kind and r["lang"] == "zh" and r["title"]
        assert r["technology_field"] in fields
        assert r["sample_attributes"] is True
        owner = orgs[r["owner_organisation"]]
        assert r["province_code"] == owner["province_code"] and r["province_code"] in provinces
        if r["contact_person"] is not None:
            assert people[r["contact_person"]]["organisation"] == owner["external_id"]
        assert 1 <= r["trl"] <= 9 and r["stage"] == stage_of[r["trl"]]
        assert r["transaction_mode"] in modes
        assert r["status"] in status
        assert r["price_wan"] is None or r["price_wan"] > 0
        assert "2025-06-01" <= r["listed_at"] <= "2026-11-30"
    assert any(r["price_wan"] is None for r in rows), "some listings are 面议"
    assert len({r["owner_organisation"] for r in rows}) >= 5


def test_csl_and_patent_specifics() -> None:
    csl = read_jsonl("technologies_csl.jsonl")
    assert all(r["abstract"] and isinstance(r["keywords"], list) and r["discipline"] for r in csl)
    assert len({r["discipline"] for r in csl}) == 67
    mapping = {r["discipline"]: r["technology_field"] for r in read_csv("discipline_to_field.csv")}
    assert all(r["technology_field"] == mapping[r["discipline"]] for r in csl)
    patents = read_jsonl("technologies_patents.jsonl")
    assert all(r["external_id"].startswith("CN") and r["ipc_subclasses"] for r in patents)
    assert all(len(s) == 4 for r in patents for s in r["ipc_subclasses"])


def test_demands() -> None:
    rows = read_jsonl("demands_sme.jsonl")
    assert Counter(r["lang"] for r in rows) == {"zh": 80, "en": 25}
    assert len({r["external_id"] for r in rows}) == 105
    orgs = {o["external_id"]: o for o in read_jsonl("organisations.jsonl")}
    people = {p["external_id"]: p for p in read_jsonl("people.jsonl")}
    mapping = {r["discipline"]: r["technology_field"] for r in read_csv("discipline_to_field.csv")}
    stages = {r["code"] for r in read_csv("stages.csv")}
    solutions = {r["code"] for r in read_csv("solution_modes.csv")}
    for r in rows:
        assert r["sample_data"] is True
        assert r["title"] and len(r["title"]) <= 30, r["title"]
        head = r["title"].split("，")[0].rstrip("…")[:6]
        assert head[1:].lower() in r["description"].lower(), (head, r["description"])
        if r["discipline"] is not None:
            assert r["technology_field"] == mapping[r["discipline"]]
        else:
            assert r["technology_field"] is None
        owner = orgs[r["owner_organisation"]]
        assert owner["kind"] == "enterprise"
        assert r["province_code"] == owner["province_code"]
        if r["contact_person"] is not None:
            assert people[r["contact_person"]]["organisation"] == owner["external_id"]
        assert r["budget_wan"] is None or r["budget_wan"] > 0
        assert r["wanted_stage"] in stages and r["solution_mode"] in solutions
        assert r["published_at"] < r["deadline"]
    by_id = {r["external_id"]: r for r in rows}
    for r in rows:
        if r["lang"] == "en":
            source = by_id[r["zh_source"]]
            assert r["owner_organisation"] == source["owner_organisation"]


def test_stats_and_licences_present() -> None:
    for name in (
        "techme_tech_market_by_province_long.csv",
        "techme_tech_market_by_province_wide.csv",
        "national_S_t.csv",
        "tech_contract_facts.csv",
        "seed_regional_facts.csv",
        "invoice_sector_signals_2026q1.csv",
        "anhui_2022H1_city_absorbed_contracts.csv",
    ):
        assert (DATA / "stats" / name).stat().st_size > 0, name
    licences = {p.name for p in (DATA / "licenses").iterdir()}
    assert any("DATA_NOTICE" in n for n in licences)
    assert any("CSL" in n for n in licences)
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for path in sorted(DATA.rglob("*")):
        if path.is_file() and path.suffix in {".csv", ".jsonl"}:
            assert path.name in readme, f"README.md does not list {path.name}"


def test_stats_province_names_join_the_province_table() -> None:
    names = {r["common_name_zh"] for r in read_csv("provinces_gbt2260.csv")}
    with (DATA / "stats/techme_tech_market_by_province_wide.csv").open(encoding="utf-8", newline="") as fh:
        used = {r["province"] for r in csv.DictReader(fh)}
    assert used - {"全国"} <= names
