"""Contract rows ↔ what services and pages use: column values, the public dict, policy facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from techbridge.domain.contract_codes import (
    CONTRACT_TYPES,
    DEDUCTION_ITEMS,
    IPR_TYPES,
    PARTY_NATURES,
    PAYMENT_MODES,
    PLAN_SOURCES,
    label,
    subtype_label,
)
from techbridge.domain.contract_workflow import ContractFacts, State, deadline_for
from techbridge.domain.contracts import PARTY_FLAGS, PARTY_TEXT, wan
from techbridge.domain.workdays import load_calendar, load_rules
from techbridge.errors import NotFound
from techbridge.storage.tables.contracts import ContractRow

CORE_PARTY = ("name", "credit_code", "country_code", "region_code", "stats_region", "nature", "organisation_id")
DETAIL_PARTY = (*[k for k in PARTY_TEXT if k != "name"], "size", "industry_code", *PARTY_FLAGS)
_CORE = frozenset(f"{role}_{k}" for role in ("seller", "buyer") for k in CORE_PARTY)
_DETAIL = {f"{role}_{k}": (role, k) for role in ("seller", "buyer") for k in DETAIL_PARTY}
_COLUMNS = frozenset(c.key for c in ContractRow.__table__.columns)


def columns_from_clean(clean: Mapping[str, Any]) -> dict[str, Any]:
    """Map validate_contract() output onto ContractRow columns (party details go to JSON)."""
    values: dict[str, Any] = {"seller_detail": {}, "buyer_detail": {}}
    for key, value in clean.items():
        detail = _DETAIL.get(key)
        if detail is not None:
            if value:  # only what was given: keeps the JSON small for millions of rows
                values[f"{detail[0]}_detail"][detail[1]] = value
        elif key in _CORE or key in _COLUMNS:
            values[key] = value
    for role in ("seller", "buyer"):
        values.setdefault(f"{role}_name", "")
        values.setdefault(f"{role}_stats_region", "")
    return values


def party_input(row: ContractRow, role: str) -> dict[str, Any]:
    """A party as validate_party() takes it (used to re-validate a stored draft on submit)."""
    data: dict[str, Any] = {k: getattr(row, f"{role}_{k}") for k in CORE_PARTY if k != "stats_region"}
    data.update(getattr(row, f"{role}_detail") or {})
    return data


def record_input(row: ContractRow) -> dict[str, Any]:
    """The stored record in the validator's input shape (amounts back in 万元)."""
    data: dict[str, Any] = {k: getattr(row, k) for k in (
        "title", "contract_type", "subtype", "ipr_type", "plan_source", "payment_mode", "technology_field",
        "socio_economic_goal", "related_party", "disputed", "signed_on", "start_on", "end_on")}
    data["price"] = wan(row.price_yuan)
    data["tech_value"] = wan(row.tech_value_yuan)
    data["expected_investment"] = wan(row.expected_investment_yuan)
    data["expected_output"] = wan(row.expected_output_yuan)
    data["deductions"] = [{"item": d["item"], "amount": d["amount_yuan"] / 10_000, "note": d.get("note", "")}
                          for d in row.deductions or []]
    data["seller"] = party_input(row, "seller")
    data["buyer"] = party_input(row, "buyer")
    if row.intermediary:
        data["intermediary"] = dict(row.intermediary)
    return data


def facts(row: ContractRow) -> ContractFacts:
    return ContractFacts(
        state=State(row.status), seller_organisation_id=row.seller_organisation_id,
        buyer_organisation_id=row.buyer_organisation_id, seller_stats_region=row.seller_stats_region,
        created_by_user_id=row.created_by_user_id, expert_required=row.expert_required, disputed=row.disputed)


def load(session: Session, contract_id: int, *, for_update: bool = False) -> ContractRow:
    row = session.get(ContractRow, contract_id, with_for_update=for_update)
    if row is None:
        raise NotFound(f"No contract with id {contract_id}; check the number in the address")
    return row


def deadline_info(row: ContractRow, data_dir: Path | None, today: dt.date) -> dict[str, Any] | None:
    if row.clock_started_on is None:
        return None
    deadline = deadline_for(State(row.status), row.clock_started_on, load_rules(data_dir), load_calendar(data_dir),
                            large=row.expert_required or row.disputed)
    return deadline.as_dict(today) if deadline else None


def _party_public(row: ContractRow, role: str, lang: str) -> dict[str, Any]:
    party = {k: getattr(row, f"{role}_{k}") for k in CORE_PARTY}
    party.update(getattr(row, f"{role}_detail") or {})
    party["nature_label"] = label(PARTY_NATURES, party.get("nature") or "", lang)
    return party


def to_public(row: ContractRow, *, lang: str = "zh", data_dir: Path | None = None,
              today: dt.date | None = None) -> dict[str, Any]:
    """The contract as the API returns it (amounts in 万元, codes with labels, deadline of the current step)."""
    today = today or dt.date.today()
    return {
        "id": row.id, "status": row.status, "title": row.title,
        "contract_type": row.contract_type, "contract_type_label": label(CONTRACT_TYPES, row.contract_type or "", lang),
        "subtype": row.subtype, "subtype_label": subtype_label(row.subtype or "", lang),
        "ipr_type": row.ipr_type, "ipr_type_label": label(IPR_TYPES, row.ipr_type or "", lang),
        "plan_source": row.plan_source, "plan_source_label": label(PLAN_SOURCES, row.plan_source or "", lang),
        "payment_mode": row.payment_mode, "payment_mode_label": label(PAYMENT_MODES, row.payment_mode or "", lang),
        "technology_field": row.technology_field, "socio_economic_goal": row.socio_economic_goal,
        "related_party": row.related_party, "disputed": row.disputed, "expert_required": row.expert_required,
        "price": wan(row.price_yuan), "tech_value": wan(row.tech_value_yuan),
        "deductions": [{"item": d["item"], "item_label": label(DEDUCTION_ITEMS, d["item"], lang),
                        "amount": d["amount_yuan"] / 10_000, "note": d.get("note", "")} for d in row.deductions or []],
        "signed_on": row.signed_on, "start_on": row.start_on, "end_on": row.end_on,
        "expected_investment": wan(row.expected_investment_yuan), "expected_output": wan(row.expected_output_yuan),
        "seller": _party_public(row, "seller", lang), "buyer": _party_public(row, "buyer", lang),
        "intermediary": row.intermediary,
        "technology_id": row.technology_id, "demand_id": row.demand_id, "source": row.source,
        "source_id": row.source_id, "created_by_user_id": row.created_by_user_id,
        "submitted_on": row.submitted_on, "registered_on": row.registered_on,
        "certificate_number": row.certificate_number, "registry_region": row.registry_region,
        "decision_reason": row.decision_reason, "counted": row.counted, "sample_data": row.sample_data,
        "deadline": deadline_info(row, data_dir, today),
    }
