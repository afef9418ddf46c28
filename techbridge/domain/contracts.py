"""The technology-contract registration record: validation, deductions and the certificate number.

One validator serves the web form, the JSON API, file imports and the synthetic generator, so a
rule (技术交易额 ≤ 成交额, no negative amounts, known region codes, buyer ≠ seller) lives in one place and
every channel reports the same field-named message. Amounts come in as 万元 (up to four decimals,
i.e. to the yuan) and are kept as whole yuan, so that sums over millions of contracts stay exact.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from techbridge.domain.codes import code_tables
from techbridge.domain.contract_codes import (
    CHINA,
    CONTRACT_TYPES,
    DEDUCTION_ITEMS,
    ENTERPRISE_SIZES,
    FOREIGN_REGION,
    IPR_TYPES,
    PARTY_NATURES,
    PAYMENT_MODES,
    PLAN_SOURCES,
    REGION_COUNTRIES,
    SUBTYPES,
)
from techbridge.domain.identifiers import credit_code_problem
from techbridge.errors import FieldError, ValidationFailed

MAX_AMOUNT_WAN = Decimal("100000000")  # 1 万亿元: far above any single contract, catches unit mistakes
PARTY_ROLES = ("seller", "buyer")
PARTY_FLAGS = ("is_tech_transfer_agency", "is_rnd_institution", "is_converted_institute",
               "is_hitech_zone_enterprise", "is_listed")
PARTY_TEXT = {"name": 200, "address": 300, "legal_rep": 100, "contact": 100, "phone": 40}
_COUNTRY = re.compile(r"^\d{3}$")
_PARTY_KEYS = (*PARTY_TEXT, "country_code", "region_code", "stats_region", "credit_code", "nature", "size",
               "industry_code", *PARTY_FLAGS, "organisation_id")
_PREFIXED = {role: {key: f"{role}_{key}" for key in _PARTY_KEYS} for role in PARTY_ROLES}
_CERT = re.compile(r"^\d{16}$")


@functools.lru_cache(maxsize=65_536)
def _credit_problem(code: str) -> str | None:
    """Credit-code check, memoised: bulk loads repeat the same organisations many times."""
    return credit_code_problem(code)


def yuan_from_wan(value: Any, field: str, errors: list[FieldError], *, required: bool = False) -> int | None:
    """Read a 万元 amount (≥ 0, at most 4 decimals) as whole yuan; record a field error otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(FieldError(field, "is required; give the amount in 万元, e.g. 120.5"))
        return None
    if isinstance(value, bool):
        errors.append(FieldError(field, "must be an amount in 万元, not true/false"))
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        errors.append(FieldError(field, f"{value!r} is not a number; give the amount in 万元, e.g. 120.5"))
        return None
    if not amount.is_finite():
        errors.append(FieldError(field, "must be a finite amount in 万元"))
        return None
    if amount < 0:
        errors.append(FieldError(field, f"is negative ({amount}); amounts must be ≥ 0 万元"))
        return None
    if amount > MAX_AMOUNT_WAN:
        errors.append(FieldError(field, f"{amount} 万元 is implausibly large; check the unit is 万元, not 元"))
        return None
    yuan = amount * 10_000
    if yuan != yuan.to_integral_value():
        errors.append(FieldError(field, "has more than 4 decimals; 万元 amounts are recorded to the yuan"))
        return None
    return int(yuan)


def wan(yuan: int | None) -> float | None:
    """Whole yuan back to 万元 for display and the API."""
    return None if yuan is None else yuan / 10_000


def _text(data: Mapping[str, Any], key: str, field: str, limit: int, errors: list[FieldError],
          *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None or not str(value).strip():
        if required:
            errors.append(FieldError(field, "is required"))
        return None
    text = str(value).strip()
    if len(text) > limit:
        errors.append(FieldError(field, f"is {len(text)} characters long; shorten it to at most {limit}"))
        return None
    return text


def _code(data: Mapping[str, Any], key: str, field: str, table: Mapping[str, Any], errors: list[FieldError],
          *, required: bool = True, hint: str = "") -> str | None:
    value = data.get(key)
    if value is None or not str(value).strip():
        if required:
            errors.append(FieldError(field, f"is required; one of {', '.join(list(table)[:12])}{hint}"))
        return None
    code = str(value).strip()
    if code not in table:
        choices = ", ".join(list(table)[:12]) + (" …" if len(table) > 12 else "")
        errors.append(FieldError(field, f"{code!r} is not a known code; use one of {choices}{hint}"))
        return None
    return code


def _date(data: Mapping[str, Any], key: str, field: str, errors: list[FieldError],
          *, required: bool = False) -> dt.date | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(FieldError(field, "is required; write it as YYYY-MM-DD"))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors.append(FieldError(field, f"{value!r} is not a date; write it as YYYY-MM-DD"))
        return None


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on", "是", "y")


def stats_region(region_code: str | None, country_code: str) -> str:
    """The region a party counts under in statistics: its province, HK/Macao/Taiwan, or 国外."""
    mapped = REGION_COUNTRIES.get(country_code)
    if mapped is None:
        return FOREIGN_REGION
    if mapped:
        return mapped
    return region_code[:2] + "0000" if region_code else ""


def validate_party(data: Mapping[str, Any], role: str, errors: list[FieldError], *,
                   full: bool = True) -> dict[str, Any]:
    """Check one party (seller, buyer or intermediary); returns its clean fields.

    In a draft (``full=False``) a party may still lack its region, credit code and nature.
    """
    out: dict[str, Any] = {}
    main = role in PARTY_ROLES and full
    for key, limit in PARTY_TEXT.items():
        out[key] = _text(data, key, f"{role}.{key}", limit, errors, required=key == "name" and full)
    country = str(data.get("country_code") or CHINA).strip()
    if not _COUNTRY.match(country):
        errors.append(FieldError(f"{role}.country_code", f"{country!r} is not a 3-digit country code (China is 156)"))
        country = CHINA
    out["country_code"] = country
    region = str(data.get("region_code") or "").strip()
    tables = code_tables()
    provinces = tables.provinces
    if country == CHINA:
        if not region and not main:
            pass
        elif not region:
            errors.append(FieldError(f"{role}.region_code", "is required for a party in China; a 6-digit "
                                                            "GB/T 2260 code such as 110108"))
        elif len(region) != 6 or not region.isdigit():
            errors.append(FieldError(f"{role}.region_code", f"must be a 6-digit GB/T 2260 code such as 110108, "
                                                            f"got {region!r}"))
        elif region[:2] + "0000" not in provinces or region[:2] in ("71", "81", "82"):
            errors.append(FieldError(f"{role}.region_code", f"{region!r} is not a region code of a province of "
                                                            "mainland China; see /api/codes/provinces"))
    elif region and (len(region) != 6 or not region.isdigit()):
        errors.append(FieldError(f"{role}.region_code", f"must be a 6-digit code or empty, got {region!r}"))
    out["region_code"] = region or None
    out["stats_region"] = stats_region(region, country)
    credit = str(data.get("credit_code") or "").strip().upper()
    if credit:
        problem = _credit_problem(credit)
        if problem:
            errors.append(FieldError(f"{role}.credit_code", problem))
    elif country == CHINA and main:
        errors.append(FieldError(f"{role}.credit_code", "is required for an organisation in China: the 18-character "
                                                        "统一社会信用代码"))
    out["credit_code"] = credit or None
    out["nature"] = _code(data, "nature", f"{role}.nature", PARTY_NATURES, errors, required=main,
                          hint=" (e.g. 022 高等院校, 170 私营企业)")
    out["size"] = _code(data, "size", f"{role}.size", ENTERPRISE_SIZES, errors, required=False)
    industry = str(data.get("industry_code") or "").strip()
    if industry and industry not in tables.industries:
        errors.append(FieldError(f"{role}.industry_code", f"{industry!r} is not a GB/T 4754-2017 code (e.g. C39)"))
    out["industry_code"] = industry or None
    for flag in PARTY_FLAGS:
        value = data.get(flag)
        out[flag] = bool(value) and _flag(value)
    org = data.get("organisation_id")
    out["organisation_id"] = int(org) if isinstance(org, int | str) and str(org).strip().isdigit() else None
    return out


def same_party(seller: Mapping[str, Any], buyer: Mapping[str, Any]) -> bool:
    """A contract needs two different parties: same credit code, catalog id or name means the same one."""
    if seller.get("credit_code") and seller.get("credit_code") == buyer.get("credit_code"):
        return True
    if seller.get("organisation_id") and seller.get("organisation_id") == buyer.get("organisation_id"):
        return True
    name_a = re.sub(r"\s+", "", str(seller.get("name") or ""))
    name_b = re.sub(r"\s+", "", str(buyer.get("name") or ""))
    return bool(name_a) and name_a == name_b


def _deductions(raw: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    """Itemised deductions: a list of {item, amount (万元), note} or the text ``equipment:12.5;parts:3``."""
    items: list[Any]
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        items = []
        for number, piece in enumerate(p for p in re.split(r"[;；\n]+", raw) if p.strip()):
            item, _, amount = piece.partition(":")
            if not amount:
                errors.append(FieldError(f"deductions.{number}", f"{piece!r} should read item:amount, "
                                                                 "e.g. equipment:12.5"))
                continue
            items.append({"item": item.strip(), "amount": amount.strip()})
    elif isinstance(raw, list):
        items = raw
    else:
        errors.append(FieldError("deductions", "must be a list of {item, amount} or text like equipment:12.5"))
        return []
    clean: list[dict[str, Any]] = []
    for number, entry in enumerate(items):
        if not isinstance(entry, Mapping):
            errors.append(FieldError(f"deductions.{number}", "must be an object with item and amount"))
            continue
        item = _code(entry, "item", f"deductions.{number}.item", DEDUCTION_ITEMS, errors)
        amount = yuan_from_wan(entry.get("amount"), f"deductions.{number}.amount", errors, required=True)
        if item and amount is not None:
            clean.append({"item": item, "amount_yuan": amount, "note": str(entry.get("note") or "")[:200]})
    return clean


def validate_contract(data: Mapping[str, Any], *, draft: bool = False) -> dict[str, Any]:
    """Check a whole record and return the table's column values; raises ValidationFailed listing every field.

    A draft may leave out what the filer has not decided yet (amounts, dates, codes), but what it does
    give must already be valid; ``submit`` re-checks with ``draft=False``.
    """
    errors: list[FieldError] = []
    full = not draft
    out: dict[str, Any] = {}
    out["title"] = _text(data, "title", "title", 300, errors, required=True)
    ctype = _code(data, "contract_type", "contract_type", CONTRACT_TYPES, errors, required=full)
    subtype = _code(data, "subtype", "subtype", SUBTYPES, errors, required=False)
    if ctype and subtype and SUBTYPES[subtype][0] != ctype:
        errors.append(FieldError("subtype", f"{subtype!r} belongs to type {SUBTYPES[subtype][0]!r}, not {ctype!r}"))
    out["contract_type"], out["subtype"] = ctype, subtype
    out["ipr_type"] = _code(data, "ipr_type", "ipr_type", IPR_TYPES, errors, required=full)
    out["plan_source"] = _code(data, "plan_source", "plan_source", PLAN_SOURCES, errors, required=full)
    out["payment_mode"] = _code(data, "payment_mode", "payment_mode", PAYMENT_MODES, errors, required=full)
    out["technology_field"] = _code(data, "technology_field", "technology_field", code_tables().technology_fields,
                                    errors, required=full, hint=" (the 11 fields of the national statistics)")
    out["socio_economic_goal"] = _text(data, "socio_economic_goal", "socio_economic_goal", 100, errors)
    out["related_party"] = _flag(data.get("related_party", False))
    out["disputed"] = _flag(data.get("disputed", False))
    price = yuan_from_wan(data.get("price"), "price", errors, required=full)
    deductions = _deductions(data.get("deductions"), errors)
    deducted = sum(d["amount_yuan"] for d in deductions)
    given_tech = yuan_from_wan(data.get("tech_value"), "tech_value", errors)
    tech_value: int | None = None
    if price is not None:
        if deducted > price:
            errors.append(FieldError("deductions", f"deductions total {deducted / 10_000:g} 万元, more than the "
                                                   f"成交额 {price / 10_000:g} 万元"))
        computed = price - deducted
        if given_tech is not None and given_tech > price:
            errors.append(FieldError("tech_value", f"技术交易额 {given_tech / 10_000:g} 万元 exceeds 成交额 "
                                                   f"{price / 10_000:g} 万元; it must be ≤ the contract price"))
        elif given_tech is not None and deductions and given_tech != computed:
            errors.append(FieldError("tech_value", f"技术交易额 must equal 成交额 minus the deductions "
                                                   f"({computed / 10_000:g} 万元); leave it empty to compute it"))
        else:
            tech_value = given_tech if given_tech is not None else max(computed, 0)
    elif given_tech is not None:
        tech_value = given_tech
    out["price_yuan"], out["tech_value_yuan"], out["deductions"] = price, tech_value, deductions
    out["signed_on"] = _date(data, "signed_on", "signed_on", errors, required=full)
    out["start_on"] = _date(data, "start_on", "start_on", errors)
    out["end_on"] = _date(data, "end_on", "end_on", errors)
    if out["start_on"] and out["end_on"] and out["end_on"] < out["start_on"]:
        errors.append(FieldError("end_on", "ends before it starts; check 起止日期"))
    out["expected_investment_yuan"] = yuan_from_wan(data.get("expected_investment"), "expected_investment", errors)
    out["expected_output_yuan"] = yuan_from_wan(data.get("expected_output"), "expected_output", errors)
    parties: dict[str, dict[str, Any]] = {}
    for role in PARTY_ROLES:
        raw = data.get(role)
        if not isinstance(raw, Mapping) and draft:
            continue
        if not isinstance(raw, Mapping):
            errors.append(FieldError(f"{role}.name", f"the {role} party is required (name, credit_code, "
                                                     "region_code, nature)"))
            continue
        parties[role] = validate_party(raw, role, errors, full=full)
    if len(parties) == 2 and same_party(parties["seller"], parties["buyer"]):
        errors.append(FieldError("buyer.credit_code", "the buyer is the same organisation as the seller; a "
                                                      "technology contract needs two different parties"))
    middle = data.get("intermediary")
    out["intermediary"] = validate_party(middle, "intermediary", errors, full=full) if isinstance(middle, Mapping) and \
        middle.get("name") else None
    for role, party in parties.items():
        names = _PREFIXED[role]
        for key, value in party.items():
            out[names.get(key) or f"{role}_{key}"] = value
    if errors:
        raise ValidationFailed("The contract record needs correcting", errors=errors)
    return out


def nest_flat_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """Turn an import row's ``seller.name`` / ``buyer.region_code`` columns into nested parties."""
    if not any("." in str(key) for key in record):
        return dict(record)
    nested: dict[str, Any] = {}
    for key, value in record.items():
        head, dot, tail = str(key).partition(".")
        if dot and head in ("seller", "buyer", "intermediary"):
            nested.setdefault(head, {})[tail] = value
        else:
            nested[key] = value
    return nested


def certificate_number(year: int, registry_region: str, sequence: int) -> str:
    """登记编号: 4-digit year + 6-digit registry region (GB/T 2260) + 6-digit sequence = 16 digits."""
    if not (1000 <= year <= 9999) or len(registry_region) != 6 or not registry_region.isdigit():
        raise ValueError("year must have 4 digits and registry_region 6")
    if not 1 <= sequence <= 999_999:
        raise ValueError("sequence must be between 1 and 999999 within one registry and year")
    return f"{year:04d}{registry_region}{sequence:06d}"


def certificate_number_problem(number: str) -> str | None:
    """None when ``number`` is a well-formed 16-digit 登记编号, else what is wrong."""
    if not _CERT.match(number):
        return f"must be 16 digits (year, registry region, sequence), got {number!r}"
    if number[4:6] + "0000" not in code_tables().provinces:
        return f"digits 5–10 ({number[4:10]}) are not a known registry region"
    return None
