"""Keeping the statistics cells current: each counted contract contributes to one cell per grain.

A grain is a small set of dimensions. Dashboard queries name the dimensions they group and filter by,
and the query planner (stats.py) reads the smallest grain that covers them, so a query at 10 M contracts
sums a few thousand cells instead of scanning 10 M rows. Contributions are added (+1) when a contract
starts counting and removed (−1) when it stops, always inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.orm import Session

from techbridge.services.contracts.fastsql import upsert_add
from techbridge.storage.tables.contracts import STAT_DIMENSIONS, ContractStatCellRow

# name → dimensions; ordered from the smallest expected number of cells to the largest.
GRAINS: dict[str, tuple[str, ...]] = {
    "year_month": ("year", "month"),
    "type_field": ("year", "month", "contract_type", "technology_field"),
    "natures_out": ("year", "seller_nature", "buyer_nature", "seller_region"),
    "natures_in": ("year", "seller_nature", "buyer_nature", "buyer_region"),
    "ipr_plan_out": ("year", "ipr_type", "plan_source", "seller_region"),
    "ipr_plan_in": ("year", "ipr_type", "plan_source", "buyer_region"),
    "type_field_out": ("year", "contract_type", "technology_field", "seller_region"),
    "type_field_in": ("year", "contract_type", "technology_field", "buyer_region"),
    "flow_month": ("year", "month", "seller_region", "buyer_region"),
}
# Contract columns behind each dimension (used by the set-based roll-up of bulk loads).
SOURCE_COLUMNS = {"year": "stat_year", "month": "stat_month", "seller_region": "seller_stats_region",
                  "buyer_region": "buyer_stats_region"}
INT_DIMENSIONS = frozenset({"year", "month"})
_KEY = ("grain", *STAT_DIMENSIONS)


def contract_dims(row: Mapping[str, Any]) -> dict[str, Any]:
    """The statistics dimensions of one contract (a ContractRow's column values)."""
    return {
        "year": int(row["stat_year"]), "month": int(row["stat_month"]),
        "contract_type": row["contract_type"] or "", "technology_field": row["technology_field"] or "",
        "ipr_type": row["ipr_type"] or "", "plan_source": row["plan_source"] or "",
        "seller_nature": row["seller_nature"] or "", "buyer_nature": row["buyer_nature"] or "",
        "seller_region": row["seller_stats_region"] or "", "buyer_region": row["buyer_stats_region"] or "",
    }


def accumulate(rows: Iterable[Mapping[str, Any]], sign: int = 1) -> dict[tuple[Any, ...], list[int]]:
    """Sum the contributions of many contracts per cell key (one upsert per cell, not per contract)."""
    totals: dict[tuple[Any, ...], list[int]] = {}
    for row in rows:
        dims = contract_dims(row)
        price = int(row["price_yuan"] or 0) * sign
        tech = int(row["tech_value_yuan"] or 0) * sign
        for grain, used in GRAINS.items():
            key = (grain, *(dims[d] if d in used else (0 if d in INT_DIMENSIONS else "") for d in STAT_DIMENSIONS))
            cell = totals.get(key)
            if cell is None:
                totals[key] = [sign, price, tech]
            else:
                cell[0] += sign
                cell[1] += price
                cell[2] += tech
    return totals


def apply(session: Session, totals: Mapping[tuple[Any, ...], list[int]]) -> int:
    """Upsert the summed contributions into contract_stat_cells; returns the number of cells touched."""
    if not totals:
        return 0
    table: Table = ContractStatCellRow.__table__  # type: ignore[assignment]
    # Sorted keys: concurrent registrations lock cells in the same order, so they cannot deadlock.
    params = [(*key, *v) for key, v in sorted(totals.items())]
    upsert_add(session, table, _KEY, ("n", "price_yuan", "tech_value_yuan"), params)
    return len(params)


def add(session: Session, rows: Iterable[Mapping[str, Any]], sign: int = 1) -> int:
    return apply(session, accumulate(rows, sign))


def rollup_sql(grain: str) -> str:
    """INSERT … SELECT that adds the counted contracts with :lo < id <= :hi to ``grain``'s cells."""
    used = GRAINS[grain]
    select_parts: list[str] = []
    group: list[str] = []
    for dim in STAT_DIMENSIONS:
        column = SOURCE_COLUMNS.get(dim, dim)
        if dim not in used:
            select_parts.append("0" if dim in INT_DIMENSIONS else "''")
            continue
        expr = f"coalesce({column}, 0)" if dim in INT_DIMENSIONS else f"coalesce({column}, '')"
        select_parts.append(expr)
        group.append(expr)
    sums = ("n", "price_yuan", "tech_value_yuan")
    updates = ", ".join(f"{c} = contract_stat_cells.{c} + excluded.{c}" for c in sums)
    return (f"INSERT INTO contract_stat_cells ({', '.join(_KEY)}, {', '.join(sums)}) "  # noqa: S608 - fixed names
            f"SELECT '{grain}', {', '.join(select_parts)}, count(*), sum(coalesce(price_yuan, 0)), "
            f"sum(coalesce(tech_value_yuan, 0)) FROM contracts WHERE id > :lo AND id <= :hi AND counted "
            f"GROUP BY {', '.join(group)} ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {updates}")


def rollup_range(session: Session, lo: int, hi: int) -> None:
    """Add the contracts with ids in (lo, hi] to every grain, set-based (the bulk-load path)."""
    for grain in GRAINS:
        session.execute(text(rollup_sql(grain)), {"lo": lo, "hi": hi})
