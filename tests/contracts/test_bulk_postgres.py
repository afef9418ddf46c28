"""Bulk registration on PostgreSQL goes through COPY and must store exactly what the SQLite path stores.

Runs only with TECHBRIDGE_TEST_DATABASE_URL set (.ci/run starts a server). The same prepared batches are
stored in the test's PostgreSQL database and in a fresh SQLite file; contracts (every column, JSON
deductions included), certificate numbers, counters and statistics cells must be equal. A batch that
fails inside COPY must leave nothing behind.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, func, select, text
from sqlalchemy.exc import DBAPIError

from techbridge.services.contracts import bulk, fastsql
from techbridge.services.contracts.generator import ContractGenerator
from techbridge.storage.db import Database
from techbridge.storage.migrate import upgrade
from techbridge.storage.tables.contracts import ContractNumberCounterRow, ContractRow, ContractStatCellRow
from tests.contracts.conftest import record

pytestmark = pytest.mark.postgres

TODAY = dt.date(2024, 6, 1)


def _batches() -> list[list[dict[str, Any]]]:
    """Two prepared batches: synthetic contracts (two years) plus hand-written ones with deductions."""
    generator = ContractGenerator(seed=11, years=(2023, 2024))
    prepared = [bulk.prepare(batch, threshold_yuan=5_000_000, today=TODAY, sample=True)
                for batch in generator.batches(1200, 600)]
    extra = [(1, record(deductions=[{"item": "equipment", "amount": "20", "note": "含税 \"设备\"\t\\"},
                                    {"item": "materials", "amount": "5.5"}], registered_on="2024-03-04")),
             (2, record(deductions=[], title="无扣除 contract, with a comma")),
             (3, record(seller={"region_code": "310101"}, registered_on="2023-12-31"))]
    prepared[1].extend(bulk.prepare(extra, threshold_yuan=5_000_000, today=TODAY))
    return prepared


def _snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    def rows(table: Table, order: list[Any], skip: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
        columns = [c for c in table.c if c.key not in skip]
        with db.read() as session:
            return [tuple(r) for r in session.execute(select(*columns).order_by(*order))]

    contracts: Table = ContractRow.__table__  # type: ignore[assignment]
    cells: Table = ContractStatCellRow.__table__  # type: ignore[assignment]
    counters: Table = ContractNumberCounterRow.__table__  # type: ignore[assignment]
    return {
        "contracts": rows(contracts, [contracts.c.id]),
        "cells": rows(cells, [c for c in cells.c if c.key not in ("id", "n", "price_yuan", "tech_value_yuan")],
                      skip=("id",)),
        "counters": rows(counters, [counters.c.year, counters.c.registry_region]),
    }


def test_copy_load_stores_what_the_sqlite_path_stores(db: Database, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert db.engine.dialect.name == "postgresql"
    copies: list[int] = []
    real_copy = fastsql._copy
    monkeypatch.setattr(fastsql, "_copy", lambda s, t, c, rows: (copies.append(len(rows)), real_copy(s, t, c, rows)))
    lite = Database(f"sqlite:///{tmp_path / 'lite.sqlite3'}")
    upgrade(lite)
    try:
        batches = _batches()
        for batch in batches:
            assert bulk.store(db, copy.deepcopy(batch)) == len(batch)
            bulk.store(lite, copy.deepcopy(batch))
        assert copies == [len(b) for b in batches], "every PostgreSQL batch must go through COPY"
        pg, sqlite = _snapshot(db), _snapshot(lite)
    finally:
        lite.dispose()
    assert len(pg["contracts"]) == 1203
    for name in ("contracts", "counters", "cells"):
        assert pg[name] == sqlite[name], f"{name} differ between PostgreSQL (COPY) and SQLite"

    with db.read() as session:
        numbers = list(session.scalars(select(ContractRow.certificate_number)))
        stored = session.execute(select(ContractRow.deductions, text("deductions::text"), ContractRow.title)
                                 .where(ContractRow.title == record()["title"])
                                 .where(text("json_array_length(deductions) = 2"))).one()
        cell_total = session.scalar(select(func.sum(ContractStatCellRow.n))
                                    .where(ContractStatCellRow.grain == "year_month"))
    assert len(set(numbers)) == len(numbers) == 1203 and all(n and len(n) == 16 for n in numbers)
    assert stored[0] == [{"item": "equipment", "amount_yuan": 200_000, "note": '含税 "设备"\t\\'},
                         {"item": "materials", "amount_yuan": 55_000, "note": ""}]
    assert json.loads(stored[1]) == stored[0], "deductions must be stored as JSON text the column parses back"
    assert cell_total == 1203


def test_a_failing_copy_batch_leaves_nothing_behind(db: Database) -> None:
    first, second = _batches()
    bulk.store(db, first)
    before = _snapshot(db)
    bad = copy.deepcopy(second)
    bad[-1]["title"] = "x" * 301  # longer than the column: the server refuses the row inside COPY
    with pytest.raises(DBAPIError):
        bulk.store(db, bad)
    assert _snapshot(db) == before, "contracts, certificate counters and cells must all roll back"
    assert bulk.store(db, second) == len(second)  # and the connection is usable again
