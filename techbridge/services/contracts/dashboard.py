"""The statistics dashboard: which queries make up each panel, shared by the page, its JSON twin and the bench.

Each panel is a named StatsQuery; the page draws it as a chart with its table and download links, the
API returns the same rows, and ``techbridge bench stats`` times exactly these queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from techbridge.services.contracts import published
from techbridge.services.contracts.stats import StatsResult, parse_query, run
from techbridge.storage.db import Database
from techbridge.storage.tables.contracts import ContractStatCellRow, PublishedStatRow

DEFAULT_REGIONS = ("110000", "310000", "440000", "320000", "330000")


@dataclass(frozen=True)
class Panel:
    key: str
    chart: str  # line | bar | sankey
    params: dict[str, str]


def panels(year: int, source: str, regions: tuple[str, ...] = DEFAULT_REGIONS) -> list[Panel]:
    """The dashboard's panels for one year and source (flows and breakdowns exist for registered only)."""
    y = str(year)
    region_list = ",".join(regions)
    out = [
        Panel("national_series", "line", {"source": source, "by": "year", "measure": "value"}),
        Panel("region_series", "line", {"source": source, "by": "seller_region,year", "seller_region": region_list,
                                        "measure": "value"}),
        Panel("output_ranking", "bar", {"source": source, "by": "seller_region", "year": y, "measure": "value",
                                        "top": "40"}),
        Panel("input_ranking", "bar", {"source": source, "by": "buyer_region", "year": y, "measure": "value",
                                       "top": "40"}),
    ]
    if source == "registered":
        out += [
            Panel("bloc_flows", "sankey", {"source": source, "by": "seller_bloc,buyer_bloc", "year": y,
                                           "measure": "value"}),
            Panel("region_flows", "sankey", {"source": source, "by": "seller_region,buyer_region", "year": y,
                                             "measure": "value", "top": "25"}),
            Panel("by_type", "bar", {"source": source, "by": "contract_type", "year": y, "measure": "value"}),
            Panel("by_field", "bar", {"source": source, "by": "technology_field", "year": y, "measure": "value"}),
            Panel("by_ipr", "bar", {"source": source, "by": "ipr_type", "year": y, "measure": "value"}),
            Panel("by_nature", "bar", {"source": source, "by": "seller_nature", "year": y, "measure": "value"}),
            Panel("monthly", "line", {"source": source, "by": "year,month", "year": y, "measure": "value"}),
        ]
    return out


def years(db: Database, source: str) -> list[int]:
    """Years that have figures in ``source`` (newest last)."""
    with db.read() as session:
        if source == "published":
            stmt = select(PublishedStatRow.year).distinct()
        else:
            stmt = select(ContractStatCellRow.year).where(ContractStatCellRow.grain == "year_month",
                                                          ContractStatCellRow.n > 0).distinct()
        return sorted(int(y) for y in session.scalars(stmt))


def latest_year(db: Database, source: str) -> int | None:
    with db.read() as session:
        if source == "published":
            value = session.scalar(select(func.max(PublishedStatRow.year)))
        else:
            value = session.scalar(select(func.max(ContractStatCellRow.year))
                                   .where(ContractStatCellRow.grain == "year_month", ContractStatCellRow.n > 0))
    return int(value) if value else None


def dashboard(db: Database, *, year: int | None, source: str, lang: str = "zh",
              regions: tuple[str, ...] = DEFAULT_REGIONS) -> dict[str, Any]:
    """Every panel's rows plus the sourced facts: what /stats shows and /api/stats/dashboard returns."""
    chosen = year or latest_year(db, source) or 2023
    results: list[tuple[Panel, StatsResult]] = []
    for panel in panels(chosen, source, regions):
        results.append((panel, run(db, parse_query(panel.params), lang=lang)))
    return {
        "year": chosen, "source": source, "years": years(db, source),
        "panels": [{"key": p.key, "chart": p.chart, "params": p.params, **r.as_dict()} for p, r in results],
        "facts": published.beijing_highlights(),
    }
