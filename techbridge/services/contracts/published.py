"""Published (official) statistics: the yearbook province panel and the sourced facts, kept apart.

The panel (techbridge/data/stats/techme_tech_market_by_province_long.csv, from the China Statistical
Yearbook on Science and Technology via huhuaping/techme, MIT) gives 输出 (by seller province) and 吸纳
(by buyer province), value (万元) and count, 2000–2023, with a 全国 row. It is loaded into
``published_stats`` and never mixed with registered contracts; dashboards show both side by side.
The fact files (seed_regional_facts.csv, tech_contract_facts.csv) are shown as they are, with sources.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from techbridge.domain.codes import code_tables
from techbridge.errors import ConfigurationError, FieldError
from techbridge.storage.db import Database
from techbridge.storage.tables.contracts import PublishedStatRow

PANEL_FILE = "techme_tech_market_by_province_long.csv"
PANEL_DATASET = "yearbook_panel"
PANEL_SOURCE = ("中国科技统计年鉴 (China Statistical Yearbook on Science and Technology) via huhuaping/techme "
                "@ 9ad60a1, MIT")
NATIONAL = "000000"
_DIRECTIONS = {"输出": "output", "吸纳": "input"}


def _stats_text(name: str) -> str:
    return resources.files("techbridge.data").joinpath("stats", name).read_text(encoding="utf-8-sig")


def province_code_for_name(name: str) -> str | None:
    """'北京' / '北京市' / '全国' → GB/T 2260 province code ('000000' for the national total)."""
    if name in ("全国", "全国合计", "合计"):
        return NATIONAL
    for province in code_tables().provinces.values():
        if name in (province.name_zh, province.common_name_zh, province.short):
            return province.code
    return None


def read_panel() -> list[dict[str, Any]]:
    """The panel as rows {year, region, direction, n, price_yuan}; any unreadable line is an error by line."""
    merged: dict[tuple[int, str, str], dict[str, Any]] = {}
    problems: list[FieldError] = []
    for line, row in enumerate(csv.DictReader(_stats_text(PANEL_FILE).splitlines()), start=2):
        region = province_code_for_name(row["province"].strip())
        direction = _DIRECTIONS.get(row["direction"][:2])
        if region is None or direction is None or not row["year"].isdigit():
            problems.append(FieldError("province", f"cannot read {row['province']!r}/{row['direction']!r}", line=line))
            continue
        key = (int(row["year"]), region, direction)
        entry = merged.setdefault(key, {"year": key[0], "region": region, "direction": direction,
                                        "n": None, "price_yuan": None})
        if not row["value"].strip():
            continue  # not published for this province and year (e.g. 西藏 输出 counts)
        value = Decimal(row["value"])
        if row["chn_block4"] == "金额":  # 万元
            entry["price_yuan"] = int((value * 10_000).to_integral_value())
        else:
            entry["n"] = int(value)
    if problems:
        raise ConfigurationError(f"The shipped panel {PANEL_FILE} could not be read", errors=problems)
    return list(merged.values())


def load_panel(db: Database) -> int:
    """Load (or refresh) the panel into published_stats; idempotent. Returns the number of rows."""
    rows = read_panel()
    table: Table = PublishedStatRow.__table__  # type: ignore[assignment]
    with db.transaction() as session:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(index_elements=["dataset", "year", "region", "direction"],
                                          set_={"n": stmt.excluded.n, "price_yuan": stmt.excluded.price_yuan,
                                                "source": stmt.excluded.source})
        session.execute(stmt, [dict(r, dataset=PANEL_DATASET, source=PANEL_SOURCE) for r in rows])
    return len(rows)


def panel_loaded(db: Database) -> bool:
    with db.read() as session:
        return bool(session.scalar(select(func.count()).select_from(PublishedStatRow)
                                   .where(PublishedStatRow.dataset == PANEL_DATASET)))


def facts() -> dict[str, list[dict[str, str]]]:
    """The sourced fact files, as shipped (each row keeps its source URL or note)."""
    return {
        "seed_regional_facts": list(csv.DictReader(_stats_text("seed_regional_facts.csv").splitlines())),
        "tech_contract_facts": list(csv.DictReader(_stats_text("tech_contract_facts.csv").splitlines())),
    }


def beijing_highlights() -> list[dict[str, str]]:
    """The seed article's Beijing facts (2026-04-01): 2021 → 2025 values and 北京 → 津冀 over 十四五."""
    rows = facts()["seed_regional_facts"]
    return [r for r in rows if r["subject"].startswith("北京") and r["metric"] == "技术合同成交额"]


NATIONAL_SERIES_FILE = "national_S_t.csv"
NATIONAL_SERIES_SOURCE = ("Mapping-Open-Science-Policy-in-China @ 04a2120 (national_S_t.csv), CC BY 4.0; "
                          "its 技术市场成交额 is a different compilation from the yearbook panel (2023: 58,650.6 vs "
                          "61,475.7 亿元), so the two are shown side by side, never mixed")


def national_series() -> list[dict[str, Any]]:
    """The national yearly series 1998–2024 as published: 技术市场成交额 (亿元), R&D staff (FTE), R&D spend
    (亿元) and patent grants. Read from the shipped file, unmodified, with its own source."""
    rows = []
    for row in csv.DictReader(_stats_text(NATIONAL_SERIES_FILE).splitlines()):
        rows.append({
            "year": int(row["年份"]),
            "tech_market_yi": round(float(row["技术市场成交额"]) / 10_000, 1),
            "rd_staff_fte": round(float(row["R&D人员全时当量"])),
            "rd_spend_yi": round(float(row["R&D经费内部支出"]) / 10_000, 1),
            "patent_grants": int(float(row["专利授权数"])),
        })
    return rows
