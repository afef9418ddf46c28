"""Bulk registration: load already-decided registrations (a legacy registry's records, an import file,
the synthetic benchmark) straight into ``registered``, with certificate numbers and statistics cells.

Every record is validated with the same rules as the web form first; if any record fails, the whole
batch is refused with each line and field named, and nothing is written. A batch is one transaction:
its contracts, certificate counters and statistics cells commit together. Bulk loads record no
per-contract workflow history (the record itself carries its registration date and number).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select, text

from techbridge.config import Settings
from techbridge.domain.contract_workflow import State, is_officer
from techbridge.domain.contracts import nest_flat_record, validate_contract
from techbridge.domain.workdays import load_rules
from techbridge.errors import FieldError, ImportFailed, ValidationFailed
from techbridge.services.actor import Actor
from techbridge.services.contracts import cells
from techbridge.services.contracts.fastsql import insert_many
from techbridge.services.contracts.records import columns_from_clean
from techbridge.services.contracts.workflow import _deny, registry_region_of, reserve_certificate_numbers
from techbridge.services.transfer import detect_format, read_rows
from techbridge.storage.db import Database
from techbridge.storage.tables.base import utcnow
from techbridge.storage.tables.contracts import ContractRow

MAX_IMPORT_ROWS = 200_000
BULK_LOCK_KEY = 5_170_001
_INSERT_COLUMNS = tuple(c.key for c in ContractRow.__table__.columns if c.key != "id")


def _registered_on(raw: Any, line: int, errors: list[FieldError], default: dt.date) -> dt.date:
    if raw is None or raw == "":
        return default
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw)[:10])
    except ValueError:
        errors.append(FieldError("registered_on", f"{raw!r} is not a date; write it as YYYY-MM-DD", line=line))
        return default


def prepare(records: Iterable[tuple[int, Mapping[str, Any]]], *, threshold_yuan: int, today: dt.date,
            sample: bool = False) -> list[dict[str, Any]]:
    """Validate every record into contract column values; raise ImportFailed naming each bad line and field."""
    rows: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    now = utcnow()
    for line, raw in records:
        if "__error__" in raw:
            errors.append(FieldError("record", str(raw["__error__"]), line=line))
            continue
        if "__extra__" in raw:
            errors.append(FieldError("record", "has more cells than the header has columns", line=line))
            continue
        record = nest_flat_record(raw)
        try:
            values = columns_from_clean(validate_contract(record))
        except ValidationFailed as exc:
            errors.extend(FieldError(e.field, e.message, line=line) for e in exc.errors)
            continue
        registered = _registered_on(record.get("registered_on"), line, errors, today)
        values.update(
            status=State.REGISTERED.value, counted=True, registered_on=registered, stat_year=registered.year,
            stat_month=registered.month, state_entered_on=registered,
            expert_required=(values["tech_value_yuan"] or 0) >= threshold_yuan,
            sample_data=sample or str(record.get("sample_data", "")).lower() in ("1", "true", "yes"),
            created_at=now, updated_at=now)
        values["registry_region"] = registry_region_of(values)
        rows.append(values)
        if len(errors) > 1000:
            break
    if errors:
        raise ImportFailed(f"{len(errors)} problem(s) in the contracts; nothing was written (fix the rows and "
                           "load the file again)", errors=errors)
    return rows


def store(db: Database, rows: list[dict[str, Any]]) -> int:
    """Insert prepared rows as registered contracts with numbers and statistics, in one transaction."""
    if not rows:
        return 0
    table: Table = ContractRow.__table__  # type: ignore[assignment]
    with db.transaction() as session:
        groups: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            groups[(row["stat_year"], row["registry_region"])].append(row)
        numbers = reserve_certificate_numbers(session, {key: len(members) for key, members in groups.items()})
        for key, members in groups.items():
            for row, number in zip(members, numbers[key], strict=True):
                row["certificate_number"] = number
        if session.get_bind().dialect.name == "postgresql":
            # One bulk load at a time, so that the id range below holds only this batch's contracts.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": BULK_LOCK_KEY})
        before = int(session.scalar(select(func.coalesce(func.max(ContractRow.id), 0))) or 0)
        for row in rows:
            if not row.get("deductions"):
                row["deductions"] = []
        insert_many(session, table, _INSERT_COLUMNS, rows)
        after = int(session.scalar(select(func.max(ContractRow.id))) or 0)
        cells.rollup_range(session, before, after)
    return len(rows)


def bulk_register(db: Database, settings: Settings, actor: Actor, records: Iterable[tuple[int, Mapping[str, Any]]],
                  *, today: dt.date | None = None, sample: bool = False) -> int:
    """Validate then register a batch of decided contracts (registry officers and operators only)."""
    if not is_officer(actor):
        _deny(actor, "Only a registry officer or an operator may load registered contracts")
    rules = load_rules(settings.data_dir)
    rows = prepare(records, threshold_yuan=rules.expert_review_threshold_yuan, today=today or dt.date.today(),
                   sample=sample)
    return store(db, rows)


def import_file(db: Database, settings: Settings, actor: Actor, path: Path, fmt: str | None = None) -> int:
    """Register the contracts of a CSV / XLSX / JSONL file (columns like seller.name, buyer.region_code)."""
    if not is_officer(actor):
        _deny(actor, "Only a registry officer or an operator may import registered contracts")
    records = list(read_rows(path, detect_format(path, fmt)))
    if not records:
        raise ImportFailed("The file has no records", errors=[FieldError("file", "add at least one data row")])
    if len(records) > MAX_IMPORT_ROWS:
        raise ImportFailed("The file is too large", errors=[FieldError("file", f"split it into files of at most "
                                                                               f"{MAX_IMPORT_ROWS:,} rows")])
    return bulk_register(db, settings, actor, records)
