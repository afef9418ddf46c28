"""Import and export: all-or-nothing with a report naming each bad row, upsert by external id."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from techbridge.config import Settings
from techbridge.errors import ImportFailed, PermissionDenied, ValidationFailed
from techbridge.services import transfer
from techbridge.services.actor import SYSTEM, Actor
from techbridge.storage.db import Database
from techbridge.storage.tables.catalog import OrganisationRow, TechnologyRow

HEADER = "external_id,title,abstract,technology_field,province_code,trl,price_wan,keywords\n"
GOOD_ROWS = [
    "t1,一种锂电池正极材料,高镍三元材料,F06,110000,5,100,锂电池;正极\n",
    "t2,机器视觉缺陷检测,深度学习检测划痕,F01,310000,7,,视觉\n",
]


def count(db: Database, table: type = TechnologyRow) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(db: Database, settings: Settings, path: Path, **kwargs: object) -> transfer.ImportReport:
    return transfer.import_file(db, settings, SYSTEM, "technologies", path, **kwargs)  # type: ignore[arg-type]


def test_good_csv_imports_and_reimport_changes_nothing(db: Database, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", HEADER + "".join(GOOD_ROWS))
    first = run(db, settings, path)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    second = run(db, settings, path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert count(db) == 2


def test_changed_row_is_updated_in_place(db: Database, settings: Settings, tmp_path: Path) -> None:
    run(db, settings, write(tmp_path, "a.csv", HEADER + "".join(GOOD_ROWS)))
    changed = GOOD_ROWS[0].replace(",5,", ",6,")
    report = run(db, settings, write(tmp_path, "b.csv", HEADER + changed))
    assert (report.created, report.updated) == (0, 1)
    with db.read() as session:
        assert session.scalar(select(TechnologyRow.trl).where(TechnologyRow.external_id == "t1")) == 6


def test_bad_rows_abort_everything_and_name_line_and_field(db: Database, settings: Settings, tmp_path: Path) -> None:
    bad = HEADER + GOOD_ROWS[0] + "t3,,no title,F06,110000,5,,\n" + "t4,好的标题,x,F06,110000,12,-4,\n"
    with pytest.raises(ImportFailed) as exc:
        run(db, settings, write(tmp_path, "bad.csv", bad))
    problems = {(e.line, e.field) for e in exc.value.errors}
    assert problems == {(3, "title"), (4, "trl"), (4, "price_wan")}, problems
    assert "nothing was written" in exc.value.message
    assert count(db) == 0


def test_skip_invalid_loads_good_rows_and_reports_bad(db: Database, settings: Settings, tmp_path: Path) -> None:
    bad = HEADER + GOOD_ROWS[0] + "t3,,no title,F06,110000,5,,\n" + GOOD_ROWS[1]
    report = run(db, settings, write(tmp_path, "mixed.csv", bad), skip_invalid=True)
    assert (report.created, report.skipped) == (2, 1)
    assert [(e.line, e.field) for e in report.errors] == [(3, "title")]
    assert count(db) == 2


def test_duplicate_external_id_in_one_file(db: Database, settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as exc:
        run(db, settings, write(tmp_path, "dup.csv", HEADER + GOOD_ROWS[0] + GOOD_ROWS[0]))
    assert [(e.line, e.field) for e in exc.value.errors] == [(3, "external_id")]
    assert "line 2" in exc.value.errors[0].message


def test_missing_external_id_is_refused(db: Database, settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as exc:
        run(db, settings, write(tmp_path, "noid.csv", "title\n标题\n"))
    assert exc.value.errors[0].field == "external_id"


def test_unknown_owner_reference(db: Database, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", "external_id,title,owner_external_id\nt9,标题,org-missing\n")
    with pytest.raises(ImportFailed) as exc:
        run(db, settings, path)
    assert exc.value.errors[0].field == "owner_external_id" and exc.value.errors[0].line == 2


def test_gb18030_file_is_decoded(db: Database, settings: Settings, tmp_path: Path) -> None:
    report = run(db, settings, write(tmp_path, "gbk.csv", HEADER + GOOD_ROWS[0], encoding="gb18030"))
    assert report.created == 1
    with db.read() as session:
        assert session.scalar(select(TechnologyRow.title)) == "一种锂电池正极材料"


def test_undecodable_bytes_get_an_encoding_error(db: Database, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"external_id,title\n\xff\xfe\x81\x30\xff\xff,\x80\x80\n")
    with pytest.raises(ImportFailed) as exc:
        run(db, settings, path)
    assert exc.value.errors[0].field == "encoding"
    with pytest.raises(ImportFailed) as exc:
        run(db, settings, write(tmp_path, "latin.csv", HEADER + GOOD_ROWS[0], encoding="gb18030"), encoding="ascii")
    assert "encoding" in exc.value.errors[0].field


@pytest.mark.parametrize("content", ["", "   \n\n"])
def test_empty_file(db: Database, settings: Settings, tmp_path: Path, content: str) -> None:
    with pytest.raises(ImportFailed) as exc:
        run(db, settings, write(tmp_path, "empty.csv", content))
    assert "empty" in exc.value.message


def test_header_only_file(db: Database, settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as exc:
        run(db, settings, write(tmp_path, "header.csv", HEADER))
    assert "no records" in exc.value.message


def test_extra_cells_are_reported(db: Database, settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as exc:
        run(db, settings, write(tmp_path, "extra.csv", "external_id,title\nt1,标题,surplus\n"))
    assert exc.value.errors[0].line == 2 and "more cells" in exc.value.errors[0].message


def test_unknown_format(db: Database, settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as exc:
        run(db, settings, write(tmp_path, "t.txt", "x"))
    assert exc.value.errors[0].field == "format"


def test_jsonl_with_broken_line(db: Database, settings: Settings, tmp_path: Path) -> None:
    lines = [json.dumps({"external_id": "j1", "title": "标题一"}, ensure_ascii=False), "{not json", "[1, 2]"]
    with pytest.raises(ImportFailed) as exc:
        run(db, settings, write(tmp_path, "t.jsonl", "\n".join(lines)))
    assert [(e.line, e.field) for e in exc.value.errors] == [(2, "record"), (3, "record")]
    assert count(db) == 0


def test_xlsx_with_chinese_headers_and_mapping(db: Database, settings: Settings, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["编号", "成果名称", "技术领域", "成熟度", "内部备注"])
    sheet.append(["x1", "一种节水灌溉装置", "F09", 8, "ignore me"])
    sheet.append([None, None, None, None, None])
    path = tmp_path / "t.xlsx"
    workbook.save(path)
    report = run(db, settings, path, mapping={"内部备注": "-"})
    assert report.created == 1
    with db.read() as session:
        row = session.scalar(select(TechnologyRow))
        assert row is not None and row.title == "一种节水灌溉装置" and row.trl == 8 and row.stage == "pilot_tested"


def test_broken_xlsx(db: Database, settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as exc:
        run(db, settings, write(tmp_path, "broken.xlsx", "this is not a zip"))
    assert "xlsx" in exc.value.message


def test_huge_file_imports_in_one_transaction(db: Database, settings: Settings, tmp_path: Path) -> None:
    rows = "".join(f"h{i},成果{i},摘要{i},F01,110000,{i % 9 + 1},{i},k{i}\n" for i in range(20_000))
    report = run(db, settings, write(tmp_path, "huge.csv", HEADER + rows))
    assert report.created == 20_000 and count(db) == 20_000


def test_row_limit_is_enforced(db: Database, settings: Settings, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transfer, "MAX_ROWS", 3)
    rows = "".join(f"h{i},成果{i},,,,,,\n" for i in range(5))
    with pytest.raises(ImportFailed) as exc:
        run(db, settings, write(tmp_path, "big.csv", HEADER + rows))
    assert "too large" in exc.value.message
    assert count(db) == 0


def test_bad_mapping_option() -> None:
    with pytest.raises(ValidationFailed) as exc:
        transfer.parse_mapping(["名称title"])
    assert exc.value.errors[0].field == "--map"


def test_import_needs_permission(db: Database, settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        transfer.import_file(db, settings, Actor(user_id=5), "technologies",
                             write(tmp_path, "t.csv", HEADER + GOOD_ROWS[0]))


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "jsonl"])
def test_export_round_trip(db: Database, settings: Settings, tmp_path: Path, suffix: str,
                           small_catalog: dict[str, int]) -> None:
    before = count(db)
    out = tmp_path / f"export.{suffix}"
    assert transfer.export_file(db, "technologies", out) == before
    report = run(db, settings, out)
    assert (report.created, report.updated, report.unchanged) == (0, 0, before), report.to_text()
    org_out = tmp_path / f"orgs.{suffix}"
    transfer.export_file(db, "organisations", org_out)
    org_report = transfer.import_file(db, settings, SYSTEM, "organisations", org_out)
    assert org_report.unchanged == count(db, OrganisationRow)
