"""Statistics tables as CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

from techbridge.services.contracts.stats import StatsResult

MEASURE_HEADERS = {
    "zh": {"count": "项数", "value": "成交额（万元）", "tech_value": "技术交易额（万元）", "ratio": "技术交易额/成交额",
           "growth": "同比增长"},
    "en": {"count": "Contracts", "value": "Value (10k CNY)", "tech_value": "Technology value (10k CNY)",
           "ratio": "Technology value / value", "growth": "Year-on-year growth"},
}


def table(result: StatsResult, lang: str = "zh") -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a statistics result: each dimension as code and label, then the measures."""
    measures = [m for m in ("count", "value", "tech_value", "ratio", "growth")
                if any(m in r and r[m] is not None for r in result.rows)]
    header: list[str] = []
    for dim in result.query.by:
        header += [dim, f"{dim}_label"]
    header += [MEASURE_HEADERS["en" if lang == "en" else "zh"][m] for m in measures]
    rows = [[r[k] for dim in result.query.by for k in (dim, f"{dim}_label")] + [r.get(m) for m in measures]
            for r in result.rows]
    return header, rows


def to_csv(result: StatsResult, lang: str = "zh") -> bytes:
    header, rows = table(result, lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(result: StatsResult, lang: str = "zh") -> bytes:
    from openpyxl import Workbook

    header, rows = table(result, lang)
    book = Workbook()
    sheet = book.active
    sheet.title = "stats"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    notes = book.create_sheet("about")
    notes.append(["source", result.query.source])
    notes.append(["unit", result.unit])
    notes.append(["plan", result.plan])
    notes.append(["filters", str({k: list(v) for k, v in result.query.filters.items()})])
    if result.query.source == "registered":
        notes.append(["note", "registered contracts in this installation; synthetic rows are marked sample data"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
