"""Catalog rules: each entity's validation reports every problem by field with a fix."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from techbridge.domain.catalog import (
    expiry_after,
    freshness,
    validate_demand,
    validate_organisation,
    validate_person,
    validate_technology,
)
from techbridge.domain.codes import code_tables
from techbridge.domain.enums import TRL_TO_STAGE, Freshness, Stage
from techbridge.domain.identifiers import credit_code_check_char, credit_code_problem, region_code_problem
from techbridge.errors import ValidationFailed


def fields_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


def test_technology_minimal_is_valid_and_cleaned() -> None:
    values = validate_technology({"title": "  一种电池  ", "trl": "6", "price_wan": "1,200.5", "keywords": "电池;正极"})
    assert values["title"] == "一种电池"
    assert values["trl"] == 6
    assert values["price_wan"] == Decimal("1200.5")
    assert values["keywords"] == ["电池", "正极"]


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({}, "title", "required"),
        ({"title": "x", "trl": "10"}, "trl", "at most 9"),
        ({"title": "x", "trl": "abc"}, "trl", "whole number"),
        ({"title": "x", "price_wan": "-1"}, "price_wan", "at least 0"),
        ({"title": "x", "price_wan": "ten"}, "price_wan", "must be a number"),
        ({"title": "x", "technology_field": "F99"}, "technology_field", "F01–F11"),
        ({"title": "x", "industry_code": "Z99"}, "industry_code", "GB/T 4754"),
        ({"title": "x", "province_code": "990000"}, "province_code", "GB/T 2260"),
        ({"title": "x", "kind": "spaceship"}, "kind", "must be one of"),
        ({"title": "x", "listed_at": "27/11/2026"}, "listed_at", "YYYY-MM-DD"),
        ({"title": "x" * 301}, "title", "at most 300"),
        ({"title": "x", "colour": "red"}, "colour", "not a field"),
        ({"title": "x", "trl": 3, "stage": "pilot_tested"}, "stage", "TRL ≥ 7"),
    ],
)
def test_technology_rejects_bad_fields_naming_the_field(data: dict[str, object], field: str, fragment: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        validate_technology(data)
    errors = fields_of(exc)
    assert field in errors, f"expected an error on {field!r}, got {errors}"
    assert fragment in errors[field], f"{field}: {errors[field]!r} should mention {fragment!r}"


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(ValidationFailed) as exc:
        validate_technology({"trl": "0", "price_wan": "-5", "technology_field": "nope"})
    assert set(fields_of(exc)) == {"title", "trl", "price_wan", "technology_field"}


def test_enum_accepts_chinese_label() -> None:
    assert validate_technology({"title": "x", "stage": "通过中试", "trl": 7})["stage"] == "pilot_tested"


def test_partial_edit_only_checks_given_fields() -> None:
    assert validate_technology({"trl": 5}, partial=True) == {"trl": 5}


def test_demand_rules() -> None:
    with pytest.raises(ValidationFailed) as exc:
        validate_demand({"title": "t", "description": "d", "keywords": "a,b,c,d,e,f", "budget_wan": "-3",
                         "listed_at": "2026-05-01", "deadline": "2026-04-01"})
    errors = fields_of(exc)
    assert "at most 5" in errors["keywords"]
    assert "at least 0" in errors["budget_wan"]
    assert "before the listing date" in errors["deadline"]
    with pytest.raises(ValidationFailed) as exc:
        validate_demand({"title": "only a title"})
    assert "description" in fields_of(exc)


def test_organisation_credit_code_and_size() -> None:
    first17 = "91110108MA01ABCDE"
    code = first17 + credit_code_check_char(first17)
    cleaned = validate_organisation({"name": "甲", "kind": "enterprise", "credit_code": code.lower()})
    assert cleaned["credit_code"] == code
    with pytest.raises(ValidationFailed) as exc:
        validate_organisation({"name": "甲", "kind": "university", "size": "small",
                               "credit_code": first17 + ("0" if code[-1] != "0" else "1")})
    errors = fields_of(exc)
    assert "check character" in errors["credit_code"]
    assert "no enterprise size" in errors["size"]


def test_credit_code_checks() -> None:
    assert credit_code_problem("91350100M000100Y43") is None  # a published example code
    assert "18 characters" in (credit_code_problem("123") or "")
    assert "not allowed" in (credit_code_problem("91350100M000100YI3") or "")


def test_region_codes() -> None:
    provinces = set(code_tables().provinces)
    assert region_code_problem("110108", provinces) is None
    assert region_code_problem("11010", provinces) is not None
    assert region_code_problem("990000", provinces) is not None


def test_person_roles_and_email() -> None:
    assert validate_person({"name": "张三", "roles": "researcher, expert"})["roles"] == ["researcher", "expert"]
    with pytest.raises(ValidationFailed) as exc:
        validate_person({"name": "张三", "roles": "wizard", "email": "not-an-email"})
    errors = fields_of(exc)
    assert "unknown role" in errors["roles"]
    assert "e-mail" in errors["email"]


def test_freshness_and_expiry() -> None:
    confirmed = dt.date(2025, 11, 27)
    expires = expiry_after(confirmed, 365)
    assert expires == dt.date(2026, 11, 27)
    assert freshness(expires, dt.date(2026, 6, 1)) is Freshness.FRESH
    assert freshness(expires, dt.date(2026, 11, 10)) is Freshness.EXPIRING
    assert freshness(expires, dt.date(2026, 11, 28)) is Freshness.EXPIRED


def test_trl_stage_table_is_monotonic() -> None:
    order = list(Stage)
    stages = [order.index(TRL_TO_STAGE[level]) for level in range(1, 10)]
    assert stages == sorted(stages)


def test_code_tables_blocs() -> None:
    tables = code_tables()
    assert len(tables.technology_fields) == 11
    assert {p.name_zh for p in tables.provinces.values() if p.bloc == "jjj"} == {"北京市", "天津市", "河北省"}
    assert tables.bloc_of("130100") == "jjj"
    assert tables.province_of("440300") is not None and tables.province_of("440300").bloc == "gba"  # type: ignore[union-attr]
