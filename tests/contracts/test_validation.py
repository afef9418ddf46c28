"""Bad input gets an error naming the field, and nothing partial is stored."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from techbridge.config import Settings
from techbridge.domain.contracts import certificate_number, certificate_number_problem, validate_contract
from techbridge.errors import ImportFailed, ValidationFailed
from techbridge.services.contracts import bulk, stats, workflow
from techbridge.storage.db import Database
from tests.contracts.conftest import BUYER_CODE, SELLER_CODE, record


def fields_of(data: dict[str, Any], *, draft: bool = False) -> list[str]:
    with pytest.raises(ValidationFailed) as err:
        validate_contract(data, draft=draft)
    return [e.field for e in err.value.errors]


def test_valid_record_computes_technology_value() -> None:
    clean = validate_contract(record())
    assert clean["price_yuan"] == 1_200_000 and clean["tech_value_yuan"] == 1_000_000
    assert clean["deductions"] == [{"item": "equipment", "amount_yuan": 200_000, "note": ""}]
    assert clean["seller_stats_region"] == "110000" and clean["buyer_stats_region"] == "120000"


@pytest.mark.parametrize(("changes", "field"), [
    ({"price": "-1"}, "price"),
    ({"price": "abc"}, "price"),
    ({"price": "1.00001"}, "price"),
    ({"deductions": [{"item": "equipment", "amount": "-3"}]}, "deductions.0.amount"),
    ({"deductions": [{"item": "gold", "amount": "3"}]}, "deductions.0.item"),
    ({"deductions": [{"item": "parts", "amount": "500"}]}, "deductions"),
    ({"deductions": [], "tech_value": "130"}, "tech_value"),
    ({"tech_value": "90"}, "tech_value"),
    ({"seller": {"region_code": "990000"}}, "seller.region_code"),
    ({"buyer": {"region_code": "11010"}}, "buyer.region_code"),
    ({"buyer": {"region_code": "810000"}}, "buyer.region_code"),
    ({"buyer": {"credit_code": SELLER_CODE}}, "buyer.credit_code"),
    ({"buyer": {"name": "甲大学", "credit_code": ""}}, "buyer.credit_code"),
    ({"seller": {"credit_code": SELLER_CODE[:-1] + "0"}}, "seller.credit_code"),
    ({"seller": {"nature": "999"}}, "seller.nature"),
    ({"contract_type": "loan"}, "contract_type"),
    ({"subtype": "consulting"}, "subtype"),
    ({"technology_field": "F99"}, "technology_field"),
    ({"signed_on": "2026-02-30"}, "signed_on"),
    ({"start_on": "2026-05-01", "end_on": "2026-04-01"}, "end_on"),
    ({"title": ""}, "title"),
])
def test_bad_input_names_the_field(changes: dict[str, Any], field: str) -> None:
    assert field in fields_of(record(**changes))


def test_every_problem_is_reported_at_once() -> None:
    found = fields_of(record(price="-5", seller={"region_code": "000001"}, buyer={"credit_code": SELLER_CODE}))
    assert {"price", "seller.region_code", "buyer.credit_code"} <= set(found)


def test_foreign_seller_needs_no_region_and_counts_as_abroad() -> None:
    clean = validate_contract(record(seller={"country_code": "840", "region_code": "", "credit_code": ""}))
    assert clean["seller_stats_region"] == "990000"
    hk = validate_contract(record(seller={"country_code": "344", "region_code": "", "credit_code": ""}))
    assert hk["seller_stats_region"] == "810000"


def test_draft_may_be_incomplete_but_not_wrong() -> None:
    clean = validate_contract({"title": "草稿"}, draft=True)
    assert clean["price_yuan"] is None and clean["contract_type"] is None
    assert fields_of({"title": "草稿", "price": "-1"}, draft=True) == ["price"]


def test_certificate_number_format() -> None:
    assert certificate_number(2026, "110108", 7) == "2026110108000007"
    assert certificate_number_problem("2026110108000007") is None
    assert certificate_number_problem("202611010800007") is not None
    assert certificate_number_problem("2026990108000007") is not None
    with pytest.raises(ValueError):
        certificate_number(2026, "110108", 1_000_000)


def test_service_stores_nothing_on_bad_input(db: Database, settings: Settings, users: dict[str, Any],
                                             count_contracts: Callable[[], int]) -> None:
    with pytest.raises(ValidationFailed):
        workflow.create_draft(db, settings, users["operator"].actor, record(price="-1"))
    with pytest.raises(ValidationFailed) as err:
        workflow.create_draft(db, settings, users["operator"].actor, record(seller={"organisation_id": 424242}))
    assert err.value.errors[0].field == "seller.organisation_id"
    assert count_contracts() == 0


HEADER = ["title", "contract_type", "ipr_type", "plan_source", "payment_mode", "technology_field", "price",
          "deductions", "signed_on", "registered_on", "seller.name", "seller.credit_code", "seller.region_code",
          "seller.nature", "buyer.name", "buyer.credit_code", "buyer.region_code", "buyer.nature"]


def _row(**changes: str) -> list[str]:
    base = {"title": "技术服务合同", "contract_type": "service", "ipr_type": "none", "plan_source": "none",
            "payment_mode": "lump_sum", "technology_field": "F01", "price": "50", "deductions": "materials:5",
            "signed_on": "2025-03-01", "registered_on": "2025-03-20", "seller.name": "甲大学",
            "seller.credit_code": SELLER_CODE, "seller.region_code": "110108", "seller.nature": "022",
            "buyer.name": "乙公司", "buyer.credit_code": BUYER_CODE, "buyer.region_code": "120101",
            "buyer.nature": "170"}
    base.update(changes)
    return [base[h] for h in HEADER]


def _write(path: Path, rows: list[list[str]], extra: list[str] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
        if extra:
            handle.write(",".join(extra) + "\n")
    return path


def test_malformed_import_rows_store_nothing(db: Database, settings: Settings, users: dict[str, Any],
                                             tmp_path: Path, count_contracts: Callable[[], int]) -> None:
    path = _write(tmp_path / "bad.csv", [_row(), _row(**{"buyer.region_code": "999999"}), _row(price="-2")],
                  extra=[*_row(), "surplus"])
    with pytest.raises(ImportFailed) as err:
        bulk.import_file(db, settings, users["officer"].actor, path)
    found = {(e.line, e.field) for e in err.value.errors}
    assert found == {(3, "buyer.region_code"), (4, "price"), (5, "record")}
    assert count_contracts() == 0
    assert stats.query(db, {"by": "year"}).rows == []


def test_import_registers_with_numbers_and_statistics(db: Database, settings: Settings, users: dict[str, Any],
                                                      tmp_path: Path, count_contracts: Callable[[], int]) -> None:
    path = _write(tmp_path / "good.csv", [_row(), _row(price="70", registered_on="2024-12-31")])
    assert bulk.import_file(db, settings, users["officer"].actor, path) == 2
    assert count_contracts() == 2
    rows = stats.query(db, {"by": "year"}).rows
    assert [(r["year"], r["count"], r["value"], r["tech_value"]) for r in rows] == [
        (2024, 1, 70.0, 65.0), (2025, 1, 50.0, 45.0)]
    with pytest.raises(Exception) as denied:
        bulk.import_file(db, settings, users["seller_member"].actor, path)
    assert denied.value.__class__.__name__ == "PermissionDenied"
