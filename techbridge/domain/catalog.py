"""Catalog rules: what a valid technology (成果), demand (需求), organisation and person look like.

Field names follow DOMAIN.md §6. The web forms, the JSON API and the importers all validate here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from techbridge.domain.codes import code_tables
from techbridge.domain.enums import (
    STAGE_MIN_TRL,
    EnterpriseSize,
    Freshness,
    ListingStatus,
    OrganisationKind,
    PersonRole,
    SolutionMode,
    Stage,
    TechnologyKind,
    TransactionMode,
    Visibility,
)
from techbridge.domain.identifiers import credit_code_problem
from techbridge.domain.validation import FieldSpec, clean, raise_if
from techbridge.errors import FieldError


def _fields() -> Iterable[str]:
    return code_tables().technology_fields.keys()


def _industries() -> Iterable[str]:
    return code_tables().industries.keys()


def _disciplines() -> Iterable[str]:
    return code_tables().disciplines.keys()


def _provinces() -> Iterable[str]:
    return code_tables().provinces.keys()


_FIELD_HINT = "use a technology-field code F01–F11 (see /api/codes/technology_fields)"
_INDUSTRY_HINT = "use a GB/T 4754-2017 code such as C39 or 3911 (see /api/codes/industries)"
_PROVINCE_HINT = "use a 6-digit GB/T 2260 province code such as 110000 (see /api/codes/provinces)"

ORGANISATION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("external_id", max_length=100),
    FieldSpec("name", required=True, max_length=200),
    FieldSpec("kind", "enum", required=True, enum=OrganisationKind),
    FieldSpec("size", "enum", enum=EnterpriseSize),
    FieldSpec("credit_code", max_length=18),
    FieldSpec("province_code", "code", codes=_provinces, code_hint=_PROVINCE_HINT),
    FieldSpec("description", "text", max_length=5000),
    FieldSpec("website", max_length=300),
    FieldSpec("sample_data", "bool"),
)

PERSON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("external_id", max_length=100),
    FieldSpec("name", required=True, max_length=100),
    FieldSpec("roles", "list", required=True, max_length=40, min_items=1, max_items=5),
    FieldSpec("organisation_external_id", max_length=100),
    FieldSpec("title", max_length=100),
    FieldSpec("email", max_length=200),
    FieldSpec("phone", max_length=40),
    FieldSpec("expertise", "list", max_length=40, max_items=20),
    FieldSpec("technology_fields", "list", max_length=10, max_items=11, codes=_fields, code_hint=_FIELD_HINT),
    FieldSpec("bio", "text", max_length=5000),
    FieldSpec("lang", max_length=5),
    FieldSpec("sample_data", "bool"),
)

TECHNOLOGY_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("external_id", max_length=100),
    FieldSpec("title", required=True, max_length=300),
    FieldSpec("abstract", "text", max_length=20_000),
    FieldSpec("keywords", "list", max_length=100, max_items=20),
    FieldSpec("kind", "enum", enum=TechnologyKind),
    FieldSpec("technology_field", "code", codes=_fields, code_hint=_FIELD_HINT),
    FieldSpec("industry_code", "code", codes=_industries, code_hint=_INDUSTRY_HINT),
    FieldSpec("discipline", max_length=100),
    FieldSpec("ipc_subclasses", "list", max_length=20, max_items=30),
    FieldSpec("patent_number", max_length=60),
    FieldSpec("legal_status", max_length=60),
    FieldSpec("owner_external_id", max_length=100),
    FieldSpec("province_code", "code", codes=_provinces, code_hint=_PROVINCE_HINT),
    FieldSpec("trl", "int", min_value=1, max_value=9),
    FieldSpec("stage", "enum", enum=Stage),
    FieldSpec("transaction_mode", "enum", enum=TransactionMode),
    FieldSpec("price_wan", "decimal", min_value=0, max_value=100_000_000),
    FieldSpec("indicators", "text", max_length=10_000),
    FieldSpec("application_scenarios", "text", max_length=10_000),
    FieldSpec("contact", max_length=200),
    FieldSpec("manager_engaged", "bool"),
    FieldSpec("status", "enum", enum=ListingStatus),
    FieldSpec("visibility", "enum", enum=Visibility),
    FieldSpec("lang", max_length=5),
    FieldSpec("listed_at", "date"),
    FieldSpec("sample_data", "bool"),
)

DEMAND_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("external_id", max_length=100),
    FieldSpec("title", required=True, max_length=300),
    FieldSpec("description", "text", required=True, max_length=20_000),
    FieldSpec("technical_key", "text", max_length=10_000),
    FieldSpec("expected_goal", "text", max_length=10_000),
    FieldSpec("keywords", "list", max_length=100, max_items=5),
    FieldSpec("deadline", "date"),
    FieldSpec("budget_wan", "decimal", min_value=0, max_value=100_000_000),
    FieldSpec("solution_mode", "enum", enum=SolutionMode),
    FieldSpec("preferred_partner", max_length=200),
    FieldSpec("technology_field", "code", codes=_fields, code_hint=_FIELD_HINT),
    FieldSpec("industry_code", "code", codes=_industries, code_hint=_INDUSTRY_HINT),
    FieldSpec("discipline", max_length=100),
    FieldSpec("owner_external_id", max_length=100),
    FieldSpec("province_code", "code", codes=_provinces, code_hint=_PROVINCE_HINT),
    FieldSpec("wanted_stage", "enum", enum=Stage),
    FieldSpec("status", "enum", enum=ListingStatus),
    FieldSpec("visibility", "enum", enum=Visibility),
    FieldSpec("lang", max_length=5),
    FieldSpec("listed_at", "date"),
    FieldSpec("sample_data", "bool"),
)

ENTITY_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "organisations": ORGANISATION_FIELDS,
    "people": PERSON_FIELDS,
    "technologies": TECHNOLOGY_FIELDS,
    "demands": DEMAND_FIELDS,
}


_NO_SIZE_KINDS = frozenset({OrganisationKind.UNIVERSITY.value, OrganisationKind.RESEARCH_INSTITUTE.value,
                            OrganisationKind.GOVERNMENT.value, OrganisationKind.REGISTRY.value})


def validate_organisation(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    values, errors = clean(ORGANISATION_FIELDS, data, partial=partial)
    code = values.get("credit_code")
    if code:
        problem = credit_code_problem(code)
        if problem:
            errors.append(FieldError("credit_code", problem))
        else:
            values["credit_code"] = code.upper()
    if values.get("size") and values.get("kind") in _NO_SIZE_KINDS:
        errors.append(FieldError("size", "universities, institutes and public bodies have no enterprise size; "
                                         "leave it empty"))
    raise_if(errors)
    return values


def validate_person(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    values, errors = clean(PERSON_FIELDS, data, partial=partial)
    roles = values.get("roles") or []
    allowed = {r.value for r in PersonRole}
    unknown = [r for r in roles if r not in allowed]
    if unknown:
        errors.append(FieldError("roles", f"unknown role(s) {', '.join(unknown)}; use {PersonRole.choices()}"))
    email = values.get("email")
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        errors.append(FieldError("email", f"{email!r} is not an e-mail address such as name@example.org"))
    raise_if(errors)
    return values


def validate_technology(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    values, errors = clean(TECHNOLOGY_FIELDS, data, partial=partial)
    trl, stage = values.get("trl"), values.get("stage")
    if trl is not None and stage is not None and trl < STAGE_MIN_TRL[Stage(stage)]:
        errors.append(
            FieldError(
                "stage",
                f"stage {Stage(stage).zh} needs TRL ≥ {STAGE_MIN_TRL[Stage(stage)]}; "
                f"TRL is {trl}: lower the stage or raise the TRL",
            )
        )
    if values.get("kind") == TechnologyKind.PATENT.value and not partial and not (
        values.get("patent_number") or values.get("ipc_subclasses") or values.get("external_id")
    ):
        errors.append(FieldError("patent_number", "a patent needs its number (专利号) or IPC classes"))
    raise_if(errors)
    return values


def validate_demand(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    values, errors = clean(DEMAND_FIELDS, data, partial=partial)
    deadline, listed = values.get("deadline"), values.get("listed_at")
    if deadline and listed and deadline < listed:
        errors.append(FieldError("deadline", "is before the listing date; choose a later deadline"))
    raise_if(errors)
    return values


VALIDATORS = {
    "organisations": validate_organisation,
    "people": validate_person,
    "technologies": validate_technology,
    "demands": validate_demand,
}


def freshness(expires_at: dt.date, today: dt.date, *, warn_days: int = 30) -> Freshness:
    """Whether a listing is fresh, close to expiry, or expired (listings expire unless confirmed)."""
    if today > expires_at:
        return Freshness.EXPIRED
    if (expires_at - today).days <= warn_days:
        return Freshness.EXPIRING
    return Freshness.FRESH


def expiry_after(confirmed: dt.date, validity_days: int) -> dt.date:
    """The date a listing confirmed on ``confirmed`` expires."""
    return confirmed + dt.timedelta(days=validity_days)
