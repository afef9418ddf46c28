"""Import and export of organisations, people, technologies and demands (CSV, XLSX, JSONL).

An import never fails silently: every row is validated first and every problem is reported with its
line and field. By default nothing is written unless every row is good (all-or-nothing); with
``skip_invalid`` the good rows are written and the bad ones reported. Rows are upserted by external
id, so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from techbridge.config import Settings
from techbridge.domain.catalog import ENTITY_FIELDS, VALIDATORS
from techbridge.domain.roles import Permission
from techbridge.errors import FieldError, ImportFailed, TechbridgeError, ValidationFailed
from techbridge.services.actor import Actor
from techbridge.services.catalog import TABLES, EntityKind, apply_listing_defaults, resolve_references
from techbridge.storage.db import Database
from techbridge.storage.tables.catalog import OrganisationRow

FileFormat = Literal["csv", "xlsx", "jsonl"]
MAX_ROWS = 2_000_000

# Column headers practitioners use (DOMAIN.md §6) → field names, so a registry's own sheet imports as is.
HEADER_ALIASES: dict[str, str] = {
    "编号": "external_id", "外部编号": "external_id", "id": "external_id",
    "名称": "title", "成果名称": "title", "需求名称": "title", "标题": "title",
    "简介": "abstract", "摘要": "abstract", "成果简介": "abstract",
    "主要问题": "description", "需求描述": "description", "技术关键": "technical_key", "预期目标": "expected_goal",
    "关键字": "keywords", "关键词": "keywords", "技术领域": "technology_field", "行业": "industry_code",
    "应用行业": "industry_code", "所在地域": "province_code", "地区": "province_code", "成熟度": "trl",
    "交易方式": "transaction_mode", "价格": "price_wan", "价格（万元）": "price_wan", "拟投入资金": "budget_wan",
    "拟投入资金（万元）": "budget_wan", "期限": "deadline", "解决方式": "solution_mode", "专利号": "patent_number",
    "法律状态": "legal_status", "权利人编号": "owner_external_id", "单位编号": "owner_external_id",
    "机构名称": "name", "统一社会信用代码": "credit_code", "机构类型": "kind", "规模": "size",
}


class _NotLabelled(TechbridgeError):
    pass


@dataclass
class ImportReport:
    """What an import did: counts and every problem, by line and field."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[FieldError] = field(default_factory=list)
    written: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "rows": self.rows, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "skipped": self.skipped, "written": self.written,
            "errors": [e.as_dict() for e in self.errors],
        }

    def to_text(self) -> str:
        lines = [
            f"{self.kind}: {self.rows} rows; created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {self.skipped}; "
            + ("written" if self.written else "nothing written")
        ]
        lines += [f"line {e.line}: {e.field}: {e.message}" for e in self.errors]
        return "\n".join(lines)


def detect_format(path: Path, explicit: str | None = None) -> FileFormat:
    fmt = (explicit or path.suffix.lstrip(".")).lower()
    if fmt in ("json", "ndjson"):
        fmt = "jsonl"
    if fmt not in ("csv", "xlsx", "jsonl"):
        raise ValidationFailed(
            f"Cannot tell the format of {path.name}",
            errors=[FieldError("format", "use a .csv, .xlsx or .jsonl file, or pass --format csv|xlsx|jsonl")],
        )
    return fmt  # type: ignore[return-value]


def _decode(data: bytes, encoding: str) -> str:
    if encoding != "auto":
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ImportFailed("The file cannot be read with the given encoding", errors=[
                FieldError("encoding", f"{encoding!r} failed ({exc.__class__.__name__}); try utf-8 or gb18030")
            ]) from None
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise ImportFailed("The file is neither UTF-8 nor GB18030 text", errors=[
        FieldError("encoding", "save the file as UTF-8 (CSV UTF-8 in Excel) or pass --encoding")
    ])


def read_rows(path: Path, fmt: FileFormat, *, encoding: str = "auto") -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, raw record) from a file; unreadable lines are yielded as errors by the caller."""
    if not path.exists():
        raise ValidationFailed(f"File not found: {path}", errors=[FieldError("file", "check the path")])
    if fmt == "xlsx":
        yield from _read_xlsx(path)
        return
    text = _decode(path.read_bytes(), encoding)
    if not text.strip():
        raise ImportFailed("The file is empty", errors=[
            FieldError("file", "it needs a header row (CSV) or one JSON object per line (JSONL)")
        ])
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            raise ImportFailed("The CSV has no header row", errors=[FieldError("file", "add a header row")])
        for record in reader:
            extra = record.pop(None, None)
            if extra:
                record["__extra__"] = extra
            yield reader.line_num, dict(record)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, {"__error__": f"is not valid JSON ({exc.msg} at column {exc.colno})"}
            continue
        if not isinstance(obj, dict):
            yield number, {"__error__": "must be a JSON object such as {\"title\": …}"}
            continue
        yield number, obj


def _read_xlsx(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError):
        raise ImportFailed("The file is not a readable .xlsx workbook", errors=[
            FieldError("file", "save it from Excel/WPS as .xlsx, or export CSV UTF-8")
        ]) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None or not any(header):
        raise ImportFailed("The workbook's first sheet is empty", errors=[FieldError("file", "add a header row")])
    names = [str(h).strip() if h is not None else "" for h in header]
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        yield number, {n: v for n, v in zip(names, values, strict=False) if n}
    workbook.close()


def _apply_mapping(record: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = str(key).strip()
        target = mapping.get(name) or HEADER_ALIASES.get(name) or name
        if target == "-":
            continue
        out[target] = value
    return out


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """Read ``--map SOURCE=field`` options (``SOURCE=-`` drops a column)."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ValidationFailed("Bad column mapping", errors=[
                FieldError("--map", f"{pair!r} must look like SOURCE_COLUMN=field, e.g. 名称=title")
            ])
        source, target = pair.split("=", 1)
        mapping[source.strip()] = target.strip()
    return mapping


def import_records(
    db: Database,
    settings: Settings,
    actor: Actor,
    kind: EntityKind,
    records: Iterator[tuple[int, dict[str, Any]]],
    *,
    mapping: Mapping[str, str] | None = None,
    skip_invalid: bool = False,
) -> ImportReport:
    """Validate every record, then upsert the good ones by external id in one transaction."""
    actor.require(Permission.IMPORT_DATA)
    report = ImportReport(kind=kind)
    good: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    specs = {s.name for s in ENTITY_FIELDS[kind]}
    for line, raw in records:
        report.rows += 1
        if report.rows > MAX_ROWS:
            raise ImportFailed("The file is too large", errors=[
                FieldError("file", f"split it into files of at most {MAX_ROWS:,} rows")
            ])
        if "__error__" in raw:
            report.errors.append(FieldError("record", str(raw["__error__"]), line=line))
            continue
        if "__extra__" in raw:
            report.errors.append(FieldError("record", "has more cells than the header has columns", line=line))
            continue
        record = _apply_mapping(raw, mapping or {})
        record = {k: v for k, v in record.items() if k in specs or not str(k).startswith("_")}
        try:
            values = VALIDATORS[kind](record)
        except ValidationFailed as exc:
            report.errors.extend(FieldError(e.field, e.message, line=line) for e in exc.errors)
            continue
        external = values.get("external_id")
        if not external:
            report.errors.append(FieldError(
                "external_id", "is required for imports so that re-importing updates instead of duplicating",
                line=line))
            continue
        if external in seen:
            report.errors.append(FieldError(
                "external_id", f"{external!r} already appears on line {seen[external]}", line=line))
            continue
        seen[external] = line
        good.append((line, values))
    if report.rows == 0:
        raise ImportFailed("The file has no records", errors=[FieldError("file", "add at least one data row")])
    with db.transaction() as session:
        resolved: list[tuple[int, dict[str, Any]]] = []
        for line, values in good:
            ref_errors = resolve_references(session, kind, values)
            if ref_errors:
                report.errors.extend(FieldError(e.field, e.message, line=line) for e in ref_errors)
            else:
                resolved.append((line, values))
        report.errors.sort(key=lambda e: (e.line or 0, e.field))
        if report.errors and not skip_invalid:
            report.skipped = report.rows
            raise ImportFailed(
                f"{len(report.errors)} problem(s) in {kind} import; nothing was written "
                "(fix the rows, or pass --skip-invalid to load the good rows)",
                errors=report.errors,
            )
        report.skipped = report.rows - len(resolved)
        _upsert(session, settings, kind, resolved, report)
        report.written = True
    return report


def _upsert(session: Any, settings: Settings, kind: str, rows: list[tuple[int, dict[str, Any]]],
            report: ImportReport) -> None:
    table = TABLES[kind]
    externals = [values["external_id"] for _, values in rows]
    existing: dict[str, Any] = {}
    for start in range(0, len(externals), 500):
        chunk = externals[start:start + 500]
        for row in session.scalars(select(table).where(table.external_id.in_(chunk))):
            existing[row.external_id] = row
    for _, values in rows:
        row = existing.get(values["external_id"])
        if row is None:
            apply_listing_defaults(kind, values, settings, new=True)
            session.add(table(**values))
            report.created += 1
            continue
        apply_listing_defaults(kind, values, settings, new=False)
        changed = False
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
                changed = True
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()


def import_file(
    db: Database, settings: Settings, actor: Actor, kind: EntityKind, path: Path, *,
    fmt: str | None = None, mapping: Mapping[str, str] | None = None, skip_invalid: bool = False,
    encoding: str = "auto",
) -> ImportReport:
    file_format = detect_format(path, fmt)
    return import_records(db, settings, actor, kind, read_rows(path, file_format, encoding=encoding),
                          mapping=mapping, skip_invalid=skip_invalid)


def export_rows(db: Database, kind: EntityKind) -> tuple[list[str], list[dict[str, Any]]]:
    """Every row of ``kind`` as import-ready records (external ids for references)."""
    table = TABLES[kind]
    names = [s.name for s in ENTITY_FIELDS[kind]]
    with db.read() as session:
        orgs = dict(session.execute(select(OrganisationRow.id, OrganisationRow.external_id)).all())
        records: list[dict[str, Any]] = []
        for row in session.scalars(select(table).order_by(table.id)):
            record: dict[str, Any] = {}
            for name in names:
                if name in ("owner_external_id", "organisation_external_id"):
                    ref = row.organisation_id if kind == "people" else row.owner_id
                    record[name] = orgs.get(ref) if ref is not None else None
                else:
                    record[name] = getattr(row, name)
            if not record.get("external_id"):
                record["external_id"] = f"tb-{kind}-{row.id}"
            records.append(record)
    return names, records


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value) if not isinstance(value, int | float | bool) else value


def _json_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value.__class__.__name__ == "Decimal":
        return str(value)
    return value


def export_file(db: Database, kind: EntityKind, path: Path, fmt: str | None = None) -> int:
    """Write every row of ``kind`` to ``path``; returns the number of rows written."""
    file_format = detect_format(path, fmt)
    names, records = export_rows(db, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    if file_format == "jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for record in records:
                clean = {k: _json_value(v) for k, v in record.items() if v is not None}
                handle.write(json.dumps(clean, ensure_ascii=False) + "\n")
    elif file_format == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=names)
            writer.writeheader()
            for record in records:
                writer.writerow({k: _cell(v) for k, v in record.items()})
    else:
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet(kind)
        sheet.append(names)
        for record in records:
            sheet.append([_cell(record[n]) for n in names])
        workbook.save(path)
    return len(records)
