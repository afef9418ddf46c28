"""Statistics: the official figures reproduced from the shipped panel, the seed facts, registered cuts."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from techbridge.config import Settings
from techbridge.errors import ValidationFailed
from techbridge.services.actor import SYSTEM
from techbridge.services.contracts import bulk, export, published, stats
from techbridge.services.contracts.generator import ContractGenerator
from techbridge.storage.db import Database


@pytest.fixture
def panel(db: Database) -> Database:
    published.load_panel(db)
    return db


def yi(value_wan: float) -> float:
    return round(value_wan / 10_000, 1)


def test_official_figures_reproduced_from_the_panel(panel: Database) -> None:
    national = stats.query(panel, {"source": "published", "by": "year", "year": "2023"}).rows
    assert yi(national[0]["value"]) == 61475.7  # 全国 2023 成交额 61,475.7 亿元
    out = stats.query(panel, {"source": "published", "by": "seller_region,year", "year": "2023",
                              "seller_region": "北京"}).rows
    assert yi(out[0]["value"]) == 8536.9 and out[0]["count"] == 106552  # 北京 2023 输出
    inp = stats.query(panel, {"source": "published", "by": "buyer_region", "year": "2023",
                              "buyer_region": "110000"}).rows
    assert yi(inp[0]["value"]) == 5024.7  # 北京 2023 吸纳


def test_panel_agrees_with_the_seed_facts(panel: Database) -> None:
    facts = {(r["subject"], r["period"]): float(r["value"]) for r in published.beijing_highlights()}
    assert facts[("北京", "2021")] == 7000 and facts[("北京", "2025")] == 9800
    assert facts[("北京→天津、河北", "十四五 (2021–2025)")] == 3200
    note = next(r["note"] for r in published.beijing_highlights() if r["period"] == "2025")
    assert "40.8%" in note
    beijing_2021 = stats.query(panel, {"source": "published", "by": "year", "year": "2021",
                                       "seller_region": "110000"}).rows[0]["value"]
    assert 7000 <= yi(beijing_2021) < 8000  # "7000多亿元"
    rows = published.facts()["tech_contract_facts"]
    bulletin = {(r["region"], r["year"], r["metric"]): float(r["value"]) for r in rows}
    assert bulletin[("北京", "2023", "技术合同成交额")] == 8536.9


def test_published_ranking_growth_and_blocs(panel: Database) -> None:
    top = stats.query(panel, {"source": "published", "by": "seller_region", "year": "2023", "top": "3"}).rows
    assert top[0]["seller_region"] == "110000" and len(top) == 3
    series = stats.query(panel, {"source": "published", "by": "year", "year": "2023"}).rows
    assert series[0]["growth"] == pytest.approx(61475.6578 / 47791.0 - 1, abs=0.01)
    blocs = stats.query(panel, {"source": "published", "by": "seller_bloc", "year": "2023"}).rows
    jjj = next(r for r in blocs if r["seller_bloc"] == "jjj")
    provinces = stats.query(panel, {"source": "published", "by": "seller_region", "year": "2023",
                                    "seller_region": "110000,120000,130000"}).rows
    assert jjj["value"] == pytest.approx(sum(r["value"] for r in provinces))


@pytest.mark.parametrize(("params", "field"), [
    ({"measure": "money"}, "measure"),
    ({"by": "colour"}, "by"),
    ({"source": "rumour"}, "source"),
    ({"seller_region": "火星"}, "seller_region"),
    ({"buyer_region": "999999"}, "buyer_region"),
    ({"year": "20x3"}, "year"),
    ({"top": "0"}, "top"),
    ({"source": "published", "by": "contract_type"}, "by"),
    ({"source": "published", "by": "seller_region,buyer_region"}, "by"),
    ({"source": "published", "measure": "ratio"}, "measure"),
])
def test_bad_queries_name_the_parameter(params: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        stats.parse_query(params)
    assert field in [e.field for e in err.value.errors]


@pytest.fixture
def registered(db: Database, settings: Settings) -> Database:
    generator = ContractGenerator(seed=3, years=(2023, 2024))
    for batch in generator.batches(800, 400):
        bulk.bulk_register(db, settings, SYSTEM, batch, today=dt.date(2024, 6, 1), sample=True)
    return db


QUERIES = ["year", "year,month", "seller_region", "buyer_region", "seller_region,buyer_region", "contract_type",
           "technology_field,contract_type", "ipr_type,plan_source", "seller_nature,buyer_nature",
           "seller_bloc,buyer_bloc",
           "seller_nature,buyer_region,contract_type", "plan_source,buyer_nature,month"]


def test_cells_agree_with_a_scan_of_contracts(registered: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from_cells = {by: stats.query(registered, {"by": by, "year": "2024"}) for by in QUERIES}
    monkeypatch.setattr(stats, "choose_grain", lambda needed: None)
    for by, expected in from_cells.items():
        scanned = stats.query(registered, {"by": by, "year": "2024"})
        assert scanned.plan == "scan:contracts"
        assert expected.rows == scanned.rows, by


def test_dashboard_queries_never_scan(registered: Database) -> None:
    from techbridge.services.contracts.dashboard import panels

    for panel in panels(2024, "registered"):
        result = stats.query(registered, panel.params)
        assert result.plan.startswith("cells:"), panel.key
        assert result.rows, panel.key


def test_flows_totals_and_ratio(registered: Database) -> None:
    total = stats.query(registered, {"by": "", "year": "2024"}).rows[0]
    flows = stats.query(registered, {"by": "seller_bloc,buyer_bloc", "year": "2024"}).rows
    assert sum(r["count"] for r in flows) == total["count"]
    assert sum(r["value"] for r in flows) == pytest.approx(total["value"])
    assert 0 < total["ratio"] <= 1 and total["tech_value"] <= total["value"]
    outputs = stats.query(registered, {"by": "seller_region", "year": "2024"}).rows
    inputs = stats.query(registered, {"by": "buyer_region", "year": "2024"}).rows
    assert sum(r["count"] for r in outputs) == sum(r["count"] for r in inputs) == total["count"]
    growth = stats.query(registered, {"by": "year", "year": "2024"}).rows[0]["growth"]
    assert growth is not None


def test_exports(registered: Database) -> None:
    result = stats.query(registered, {"by": "contract_type", "year": "2024"})
    text = export.to_csv(result).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("contract_type,contract_type_label,项数")
    assert "技术服务" in text
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(export.to_xlsx(result, "en")))
    sheet = book["stats"]
    assert sheet.cell(1, 3).value == "Contracts" and sheet.max_row == len(result.rows) + 1


def test_national_series_is_shown_apart_with_its_source(client: Any) -> None:
    from techbridge.services.contracts import published

    series = {r["year"]: r for r in published.national_series()}
    assert min(series) == 1998 and max(series) == 2024
    assert series[1998]["tech_market_yi"] == 435.8  # 4,358,228 万元 in the shipped file
    body = client.get("/api/stats/national-series").json()
    assert body["ok"] and "CC BY 4.0" in body["source"] and len(body["rows"]) == len(series)
    page = client.get("/stats?source=published", headers={"accept": "text/html"}).text
    assert 'id="h-national"' in page and "435.8" in page
