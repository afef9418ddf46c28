"""Statistics over registered contracts and published figures: one query shape for API, CLI and pages.

``StatsQuery(measure, by, filters, source)`` groups by any combination of year, month, contract type,
technology field, IPR type, plan source, party nature, seller/buyer region and seller/buyer bloc.
Registered figures are read from the smallest statistics grain that covers the query (cells.py); only
combinations no grain covers fall back to scanning ``contracts``. 输出 is by seller region, 吸纳 by buyer
region, 流向 is seller × buyer region; blocs are derived from regions. Amounts are returned in 万元.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from techbridge.domain.codes import code_tables
from techbridge.domain.contract_codes import DIMENSION_TABLES, FOREIGN_LABEL, FOREIGN_REGION, label
from techbridge.errors import FieldError, ValidationFailed
from techbridge.services.contracts.cells import GRAINS
from techbridge.services.contracts.published import NATIONAL, PANEL_DATASET, province_code_for_name
from techbridge.storage.db import Database
from techbridge.storage.tables.contracts import ContractRow, ContractStatCellRow, PublishedStatRow

BASE_DIMENSIONS = ("year", "month", "contract_type", "technology_field", "ipr_type", "plan_source",
                   "seller_nature", "buyer_nature", "seller_region", "buyer_region")
BLOC_DIMENSIONS = {"seller_bloc": "seller_region", "buyer_bloc": "buyer_region"}
DIMENSIONS = (*BASE_DIMENSIONS, *BLOC_DIMENSIONS)
MEASURES = ("count", "value", "tech_value", "ratio")
SOURCES = ("registered", "published")
OTHER_BLOC = "other"
_RAW_COLUMNS = {"year": "stat_year", "month": "stat_month", "seller_region": "seller_stats_region",
                "buyer_region": "buyer_stats_region"}


@dataclass(frozen=True)
class StatsQuery:
    """What to count: the measure to rank by, the dimensions to group by, filters, and the source."""

    measure: str = "value"
    by: tuple[str, ...] = ("year",)
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "registered"
    top: int | None = None
    growth: bool = True


@dataclass
class StatsResult:
    query: StatsQuery
    rows: list[dict[str, Any]]
    plan: str
    unit: str = "万元"

    def as_dict(self) -> dict[str, Any]:
        return {"ok": True, "source": self.query.source, "measure": self.query.measure, "by": list(self.query.by),
                "filters": {k: list(v) for k, v in self.query.filters.items()}, "unit": self.unit,
                "plan": self.plan, "rows": self.rows}


def _split(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").replace("，", ",").split(",") if p.strip()]


def _region_code(value: str) -> str | None:
    if value in ("990000", "foreign", "国外"):
        return FOREIGN_REGION
    if value.isdigit() and len(value) in (2, 6):
        code = value[:2] + "0000"
        return code if code in code_tables().provinces or code == NATIONAL else None
    return province_code_for_name(value)


def _bloc_code(value: str) -> str | None:
    blocs = code_tables().blocs
    if value in blocs or value == OTHER_BLOC:
        return value
    for code, bloc in blocs.items():
        if value in (bloc.name_zh, bloc.name_en) or (code == "gba" and value in ("粤港澳", "大湾区")):
            return code
    return None


def parse_query(params: Mapping[str, Any]) -> StatsQuery:
    """Read ?measure=&by=&source=&top=&<dimension>=a,b from the API or CLI; every problem names its field."""
    errors: list[FieldError] = []
    measure = str(params.get("measure") or "value")
    if measure not in MEASURES:
        errors.append(FieldError("measure", f"{measure!r} is not a measure; use one of {', '.join(MEASURES)}"))
    by = tuple(_split(str(params.get("by") or "year")))
    for name in by:
        if name not in DIMENSIONS:
            errors.append(FieldError("by", f"{name!r} is not a dimension; use any of {', '.join(DIMENSIONS)}"))
    if len(set(by)) != len(by):
        errors.append(FieldError("by", "names a dimension twice"))
    source = str(params.get("source") or "registered")
    if source not in SOURCES:
        errors.append(FieldError("source", f"{source!r} is unknown; use registered or published"))
    filters: dict[str, tuple[str, ...]] = {}
    for name in DIMENSIONS:
        values = _split(str(params.get(name) or ""))
        if not values:
            continue
        clean: list[str] = []
        for value in values:
            code = _normalise(name, value)
            if code is None:
                hint = "; use a GB/T 2260 province code such as 110000 or a name such as 北京" \
                    if name.endswith("region") else ""
                errors.append(FieldError(name, f"{value!r} is not a known {name.replace('_', ' ')} code{hint}"))
            else:
                clean.append(code)
        filters[name] = tuple(clean)
    top_raw = params.get("top")
    top: int | None = None
    if top_raw not in (None, ""):
        try:
            top = int(str(top_raw))
            if not 1 <= top <= 1000:
                raise ValueError
        except ValueError:
            errors.append(FieldError("top", "must be a whole number from 1 to 1000"))
    if errors:
        raise ValidationFailed("The statistics query needs correcting", errors=errors)
    query = StatsQuery(measure=measure, by=by, filters=filters, source=source, top=top)
    if source == "published":
        _check_published(query)
    return query


def _normalise(name: str, value: str) -> str | None:
    if name in ("year", "month"):
        if not value.isdigit():
            return None
        number = int(value)
        ok = 1900 <= number <= 2100 if name == "year" else 1 <= number <= 12
        return str(number) if ok else None
    if name.endswith("_region"):
        return _region_code(value)
    if name.endswith("_bloc"):
        return _bloc_code(value)
    if name == "technology_field":
        return value if value in code_tables().technology_fields else None
    table = DIMENSION_TABLES.get(name)
    return value if table is not None and value in table else None


def _check_published(query: StatsQuery) -> None:
    errors: list[FieldError] = []
    allowed = {"year", "seller_region", "buyer_region", "seller_bloc", "buyer_bloc"}
    for name in (*query.by, *query.filters):
        if name not in allowed:
            errors.append(FieldError("by" if name in query.by else name,
                                     f"published statistics have no {name}; they give year × region (输出/吸纳)"))
    if query.measure not in ("count", "value"):
        errors.append(FieldError("measure", "published statistics give count and value only"))
    sides = {n.split("_")[0] for n in (*query.by, *query.filters) if n != "year"}
    if len(sides) > 1:
        errors.append(FieldError("by", "published statistics give 输出 (seller) or 吸纳 (buyer), not the 流向 "
                                       "matrix; use source=registered for seller × buyer"))
    if errors:
        raise ValidationFailed("The published statistics cannot answer this query", errors=errors)


def _bloc_regions(bloc: str) -> list[str]:
    provinces = code_tables().provinces.values()
    if bloc == OTHER_BLOC:
        return [p.code for p in provinces if not p.bloc] + [FOREIGN_REGION]
    return [p.code for p in provinces if p.bloc == bloc]


def _base_filters(query: StatsQuery, extra_years: bool) -> dict[str, list[Any]]:
    """Filters on base dimensions (blocs expanded into their regions; years widened for growth)."""
    out: dict[str, list[Any]] = {}
    for name, values in query.filters.items():
        if name in BLOC_DIMENSIONS:
            regions = [r for v in values for r in _bloc_regions(v)]
            base = BLOC_DIMENSIONS[name]
            out[base] = [r for r in out[base] if r in regions] if base in out else regions
        elif name in ("year", "month"):
            numbers = sorted({int(v) for v in values})
            if name == "year" and extra_years:
                numbers = sorted(set(numbers) | {y - 1 for y in numbers})
            out[name] = numbers
        else:
            out[name] = list(values)
    return out


def _base_by(query: StatsQuery) -> list[str]:
    return list(dict.fromkeys(BLOC_DIMENSIONS.get(name, name) for name in query.by))


def choose_grain(needed: set[str]) -> str | None:
    """The smallest grain whose dimensions cover ``needed`` (None: scan the contracts table)."""
    for name, dims in GRAINS.items():
        if needed <= set(dims):
            return name
    return None


def _registered(session: Session, query: StatsQuery, filters: dict[str, list[Any]]) -> tuple[list[dict[str, Any]], str]:
    by = _base_by(query)
    grain = choose_grain(set(by) | set(filters))
    columns: dict[str, ColumnElement[Any]]
    count: ColumnElement[Any]
    price: ColumnElement[Any]
    tech: ColumnElement[Any]
    if grain is not None:
        table = ContractStatCellRow
        columns = {d: getattr(table, d) for d in BASE_DIMENSIONS}
        count, price, tech = func.sum(table.n), func.sum(table.price_yuan), func.sum(table.tech_value_yuan)
        conditions: list[ColumnElement[bool]] = [table.grain == grain]
        plan = f"cells:{grain}"
    else:
        columns = {d: getattr(ContractRow, _RAW_COLUMNS.get(d, d)) for d in BASE_DIMENSIONS}
        count = func.count()
        price, tech = func.sum(ContractRow.price_yuan).label("p"), func.sum(ContractRow.tech_value_yuan).label("t")
        conditions = [ContractRow.counted.is_(True)]
        plan = "scan:contracts"
    for name, values in filters.items():
        conditions.append(columns[name].in_(values) if len(values) != 1 else columns[name] == values[0])
    group = [columns[d] for d in by]
    stmt = select(*group, count, price, tech).where(*conditions)
    if group:
        stmt = stmt.group_by(*group)
    rows = []
    for record in session.execute(stmt):
        values = list(record)
        n = int(values[len(by)] or 0)
        if n == 0:
            continue
        row = {d: values[i] for i, d in enumerate(by)}
        row.update(count=n, price_yuan=int(values[len(by) + 1] or 0), tech_yuan=int(values[len(by) + 2] or 0))
        rows.append(row)
    return rows, plan


def _published(session: Session, query: StatsQuery, filters: dict[str, list[Any]]) -> tuple[list[dict[str, Any]], str]:
    by = _base_by(query)
    side = next((n.split("_")[0] for n in (*by, *filters) if n != "year"), "")
    direction = "input" if side == "buyer" else "output"
    region_dim = f"{side}_region" if side else ""
    table = PublishedStatRow
    stmt = select(table.year, table.region, table.n, table.price_yuan).where(
        table.dataset == PANEL_DATASET, table.direction == direction)
    if "year" in filters:
        stmt = stmt.where(table.year.in_(filters["year"]))
    if region_dim and region_dim in filters:
        stmt = stmt.where(table.region.in_(filters[region_dim]))
    elif region_dim:
        stmt = stmt.where(table.region != NATIONAL)
    else:
        stmt = stmt.where(table.region == NATIONAL)
    totals: dict[tuple[Any, ...], dict[str, Any]] = {}
    for year, region, n, price in session.execute(stmt):
        row_dims = {"year": year, region_dim: region} if region_dim else {"year": year}
        key = tuple(row_dims.get(d) for d in by)
        entry = totals.setdefault(key, {**{d: row_dims.get(d) for d in by}, "count": None, "price_yuan": None,
                                        "tech_yuan": None})
        if n is not None:
            entry["count"] = (entry["count"] or 0) + int(n)
        if price is not None:
            entry["price_yuan"] = (entry["price_yuan"] or 0) + int(price)
    return list(totals.values()), f"published:{PANEL_DATASET}:{direction}"


def _to_blocs(query: StatsQuery, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    blocs = [n for n in query.by if n in BLOC_DIMENSIONS]
    if not blocs:
        return rows
    province_bloc = {p.code: p.bloc or OTHER_BLOC for p in code_tables().provinces.values()}
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        dims = {d: row.get(d) for d in query.by if d not in BLOC_DIMENSIONS}
        for bloc_dim in blocs:
            dims[bloc_dim] = province_bloc.get(str(row.get(BLOC_DIMENSIONS[bloc_dim])), OTHER_BLOC)
        key = tuple(dims[d] for d in query.by)
        entry = merged.setdefault(key, {**{d: dims[d] for d in query.by}, "count": 0, "price_yuan": 0,
                                        "tech_yuan": 0 if row.get("tech_yuan") is not None else None})
        entry["count"] += row["count"] or 0
        entry["price_yuan"] += row["price_yuan"] or 0
        if entry["tech_yuan"] is not None:
            entry["tech_yuan"] += row.get("tech_yuan") or 0
    return list(merged.values())


def _finish(query: StatsQuery, rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item = {d: row[d] for d in query.by}
        item["count"] = row["count"]
        item["value"] = None if row["price_yuan"] is None else round(row["price_yuan"] / 10_000, 4)
        tech = row.get("tech_yuan")
        item["tech_value"] = None if tech is None else round(tech / 10_000, 4)
        item["ratio"] = None if tech is None or not row["price_yuan"] else round(tech / row["price_yuan"], 4)
        out.append(item)
    if "year" in query.by and query.growth:
        key_dims = [d for d in query.by if d != "year"]
        index = {(r["year"], *[r[d] for d in key_dims]): r for r in out}
        for r in out:
            prev = index.get((r["year"] - 1, *[r[d] for d in key_dims])) if r["year"] else None
            metric = "count" if query.measure == "count" else "value"
            ok = prev is not None and prev[metric] and r[metric] is not None
            r["growth"] = round(r[metric] / prev[metric] - 1, 4) if ok and prev else None
    years = query.filters.get("year")
    if years and "year" in query.by:
        wanted = {int(y) for y in years}
        out = [r for r in out if r["year"] in wanted]
    key = query.measure if query.measure in ("count", "value", "tech_value", "ratio") else "value"
    if query.top:
        out.sort(key=lambda r: (r.get(key) is None, -(r.get(key) or 0)))
        out = out[:query.top]
    else:
        out.sort(key=lambda r: tuple((r[d] is None, r[d] if r[d] is not None else "") for d in query.by))
    for r in out:
        for d in query.by:
            r[f"{d}_label"] = dimension_label(d, r[d], lang)
    return out


def dimension_label(name: str, code: Any, lang: str) -> str:
    """A human label for a dimension value (province names, bloc names, code-table labels)."""
    if code is None or code == "":
        return "—"
    if name in ("year", "month"):
        return str(code)
    if name.endswith("_region"):
        if code == FOREIGN_REGION:
            return FOREIGN_LABEL[1] if lang == "en" else FOREIGN_LABEL[0]
        if code == NATIONAL:
            return "National" if lang == "en" else "全国"
        province = code_tables().provinces.get(str(code))
        return (province.name_en if lang == "en" else province.common_name_zh) if province else str(code)
    if name.endswith("_bloc"):
        if code == OTHER_BLOC:
            return "Other regions" if lang == "en" else "其他地区"
        bloc = code_tables().blocs.get(str(code))
        return bloc.label(lang) if bloc else str(code)
    if name == "technology_field":
        entry = code_tables().technology_fields.get(str(code))
        return entry.label(lang) if entry else str(code)
    table = DIMENSION_TABLES.get(name)
    return label(table, str(code), lang) if table else str(code)


def run(db: Database, query: StatsQuery, *, lang: str = "zh") -> StatsResult:
    """Answer a statistics query (the one entry point behind /api/stats, `techbridge stats` and the dashboards)."""
    widen = "year" in query.by and query.growth
    filters = _base_filters(query, extra_years=widen)
    with db.read() as session:
        if query.source == "published":
            rows, plan = _published(session, query, filters)
        else:
            rows, plan = _registered(session, query, filters)
    rows = _to_blocs(query, rows)
    return StatsResult(query, _finish(query, rows, lang), plan)


def query(db: Database, params: Mapping[str, Any], *, lang: str = "zh") -> StatsResult:
    return run(db, parse_query(params), lang=lang)


def with_changes(query: StatsQuery, **changes: Any) -> StatsQuery:
    return replace(query, **changes)
