"""Registration use cases: drafts, the workflow steps, certificate numbers, starting from a case or match.

Each public function checks the contract policy (techbridge.domain.contract_workflow) before touching
anything and runs in one transaction: a step that fails leaves the contract, its history and the
statistics cells exactly as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, delete, func, or_, select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.domain.contract_codes import FOREIGN_REGION, NATURE_FOR_ORGANISATION_KIND
from techbridge.domain.contract_workflow import (
    TRANSITIONS,
    Action,
    ContractFacts,
    State,
    allowed_actions,
    deadline_for,
    guard_problem,
    is_officer,
    may_create,
    may_edit,
    may_view,
    side_allows,
)
from techbridge.domain.contracts import certificate_number, validate_contract
from techbridge.domain.workdays import load_calendar, load_rules
from techbridge.errors import (
    AuthenticationRequired,
    FieldError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from techbridge.services.actor import Actor
from techbridge.services.contracts import cells
from techbridge.services.contracts.fastsql import upsert_add_returning
from techbridge.services.contracts.records import columns_from_clean, facts, load, record_input, to_public
from techbridge.storage.db import Database
from techbridge.storage.tables.catalog import DemandRow, OrganisationRow, TechnologyRow
from techbridge.storage.tables.contracts import ContractEventRow, ContractNumberCounterRow, ContractRow


def _today() -> dt.date:
    return dt.date.today()


def _deny(actor: Actor, message: str) -> None:
    if not actor.is_authenticated:
        raise AuthenticationRequired("Please sign in first (登录后再操作)")
    raise PermissionDenied(message)


def _check_organisations(session: Session, values: Mapping[str, Any]) -> None:
    errors = []
    for role in ("seller", "buyer"):
        org = values.get(f"{role}_organisation_id")
        if org is not None and session.get(OrganisationRow, org) is None:
            errors.append(FieldError(f"{role}.organisation_id", f"no organisation has id {org}; leave it empty or "
                                                                "pick one from /organisations"))
    if errors:
        raise ValidationFailed("The contract refers to unknown organisations", errors=errors)


def _event(session: Session, row: ContractRow, actor: Actor, action: str, before: str | None,
           reason: str | None = None, changes: dict[str, Any] | None = None) -> None:
    session.add(ContractEventRow(contract_id=row.id, action=action, from_state=before, to_state=row.status,
                                 actor_user_id=actor.user_id, actor_name=actor.display_name, reason=reason,
                                 changes=changes or {}))


def create_draft(db: Database, settings: Settings, actor: Actor, data: Mapping[str, Any]) -> int:
    """Open a draft contract; whatever is given must be valid, the rest can follow before submitting."""
    if not may_create(actor):
        _deny(actor, "Only a seller's member, a technology manager or an operator may file a contract")
    values = columns_from_clean(validate_contract(data, draft=True))
    with db.transaction() as session:
        _check_organisations(session, values)
        row = ContractRow(**values, status=State.DRAFT.value, created_by_user_id=actor.user_id,
                          state_entered_on=_today(), sample_data=bool(data.get("sample_data", False)))
        if not is_officer(actor) and actor.organisation_id is not None and row.seller_organisation_id is None \
                and row.buyer_organisation_id != actor.organisation_id:
            row.seller_organisation_id = actor.organisation_id
        session.add(row)
        session.flush()
        _event(session, row, actor, "create", None)
        return row.id


def update_draft(db: Database, settings: Settings, actor: Actor, contract_id: int, data: Mapping[str, Any]) -> None:
    """Change a draft (or a contract returned for 补正); fields not given keep their values."""
    with db.transaction() as session:
        row = load(session, contract_id, for_update=True)
        if not may_edit(actor, facts(row)):
            if row.status not in (State.DRAFT, State.NEEDS_SUPPLEMENT):
                raise IllegalTransition(f"A contract in state {row.status!r} can no longer be edited",
                                        errors=[FieldError("status", "only draft and needs_supplement are editable")])
            _deny(actor, "Only the filing side (seller or its agent) may edit this contract")
        merged = _merge(record_input(row), data)
        values = columns_from_clean(validate_contract(merged, draft=True))
        _check_organisations(session, values)
        for key, value in values.items():
            setattr(row, key, value)
        _event(session, row, actor, "edit", row.status, changes={"fields": sorted(data)})


def delete_draft(db: Database, settings: Settings, actor: Actor, contract_id: int) -> None:
    """Discard a draft that was never submitted (submitted contracts stay, with their history)."""
    with db.transaction() as session:
        row = load(session, contract_id, for_update=True)
        current = facts(row)
        if not may_view(actor, current):
            raise NotFound(f"No contract with id {contract_id}; check the number in the address")
        if row.status != State.DRAFT:
            raise IllegalTransition(f"Only drafts can be deleted; this contract is {row.status}",
                                    errors=[FieldError("status", "withdraw it through the registry instead")])
        if not may_edit(actor, current):
            _deny(actor, "Only the filing side may delete this draft")
        session.execute(delete(ContractEventRow).where(ContractEventRow.contract_id == contract_id))
        session.delete(row)


def _merge(current: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in changes.items():
        if key in ("seller", "buyer", "intermediary") and isinstance(value, Mapping):
            merged[key] = {**(merged.get(key) or {}), **value}
        else:
            merged[key] = value
    if ("price" in changes or "deductions" in changes) and "tech_value" not in changes:
        merged.pop("tech_value", None)  # recompute 技术交易额 from the new price and deductions
    return merged


def reserve_certificate_numbers(session: Session, counts: Mapping[tuple[int, str], int]
                                ) -> dict[tuple[int, str], list[str]]:
    """Reserve consecutive 登记编号 for every (year, registry) group in one statement, inside the caller's
    transaction. Groups are written in sorted order, so concurrent reservations lock counters alike.

    One statement for all groups because a bulk batch holds hundreds of them and a round trip each cost
    more than the rest of the batch.
    """
    table: Table = ContractNumberCounterRow.__table__  # type: ignore[assignment]
    keys = sorted(counts)
    returned = upsert_add_returning(session, table, ("year", "registry_region"), "last_sequence",
                                    [(year, region, counts[(year, region)]) for year, region in keys])
    last = {(int(year), str(region)): int(sequence) for year, region, sequence in returned}
    numbers: dict[tuple[int, str], list[str]] = {}
    for year, region in keys:
        top, count = last[(year, region)], counts[(year, region)]
        if top > 999_999:
            raise ValidationFailed("This registry has used every certificate number for the year",
                                   errors=[FieldError("registry_region", f"{region} reached 999999 in {year}")])
        numbers[(year, region)] = [certificate_number(year, region, seq) for seq in range(top - count + 1, top + 1)]
    return numbers


def next_certificate_numbers(session: Session, year: int, registry_region: str, count: int = 1) -> list[str]:
    """Reserve ``count`` consecutive 登记编号 for one registry and year, inside the caller's transaction."""
    return reserve_certificate_numbers(session, {(year, registry_region): count})[(year, registry_region)]


def registry_region_of(row: Mapping[str, Any]) -> str:
    """The registry is where the filing side is located: the seller, or the buyer for an import."""
    role = "buyer" if row["seller_stats_region"] == FOREIGN_REGION else "seller"
    return str(row[f"{role}_region_code"] or row[f"{role}_stats_region"] or "000000")


def _row_values(row: ContractRow) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in ContractRow.__table__.columns}


def _start_counting(session: Session, row: ContractRow, today: dt.date) -> None:
    if row.counted:  # e.g. an objection to a registration that is then upheld: it never stopped counting
        return
    if row.certificate_number is None:
        row.registered_on = today
        row.stat_year, row.stat_month = today.year, today.month
        row.registry_region = registry_region_of(_row_values(row))
        row.certificate_number = next_certificate_numbers(session, today.year, row.registry_region)[0]
    row.counted = True
    cells.add(session, [_row_values(row)], +1)


def _stop_counting(session: Session, row: ContractRow) -> None:
    if row.counted:
        cells.add(session, [_row_values(row)], -1)
        row.counted = False


def _apply_full(row: ContractRow, changes: Mapping[str, Any], session: Session) -> dict[str, Any]:
    values = columns_from_clean(validate_contract(_merge(record_input(row), changes)))
    _check_organisations(session, values)
    for key, value in values.items():
        setattr(row, key, value)
    return values


def act(db: Database, settings: Settings, actor: Actor, contract_id: int, action: str | Action, *,
        reason: str | None = None, changes: Mapping[str, Any] | None = None, disputed: bool = False,
        today: dt.date | None = None) -> dict[str, Any]:
    """Take one workflow step; illegal steps raise IllegalTransition (409) and change nothing."""
    try:
        step = Action(action)
    except ValueError:
        raise ValidationFailed("Unknown workflow action", errors=[FieldError(
            "action", f"{action!r} is not an action; use one of {', '.join(a.value for a in Action)}")]) from None
    actor.require_login()
    today = today or _today()
    rules = load_rules(settings.data_dir)
    transition = TRANSITIONS[step]
    with db.transaction() as session:
        row = load(session, contract_id, for_update=True)
        before = State(row.status)
        current = facts(row)
        if not may_view(actor, current) and not side_allows(actor, current, transition.side):
            raise NotFound(f"No contract with id {contract_id}; check the number in the address")
        if before not in transition.sources:
            possible = ", ".join(a.value for a, t in TRANSITIONS.items() if before in t.sources) or "none"
            raise IllegalTransition(f"Cannot {step.value} a contract that is {before.value}", errors=[
                FieldError("action", f"from {before.value} the allowed steps are: {possible}")])
        if not side_allows(actor, current, transition.side):
            _deny(actor, f"Only the {transition.side.value} side may {step.value} this contract")
        if step is Action.REFER_EXPERTS and disputed:
            row.disputed = True
            current = facts(row)
        problem = guard_problem(step, current)
        if problem:
            raise IllegalTransition(f"Cannot {step.value} yet", errors=[FieldError("action", problem)])
        if transition.needs_reason and not (reason or "").strip():
            raise ValidationFailed("A reason is required for this step",
                                   errors=[FieldError("reason", f"say why ({step.value}); it is kept in the history")])
        changed: dict[str, Any] = {}
        if step is Action.SUBMIT or (step is Action.SUPPLEMENT and changes is not None) or step is Action.AMEND:
            if step is Action.AMEND:
                _stop_counting(session, row)
            changed = {k: str(v) for k, v in (changes or {}).items()}
            _apply_full(row, changes or {}, session)
            row.expert_required = (row.tech_value_yuan or 0) >= rules.expert_review_threshold_yuan
        elif step is Action.SUPPLEMENT:
            _apply_full(row, {}, session)
        row.status = transition.target.value
        row.state_entered_on = today
        if step is Action.SUBMIT:
            row.submitted_on = today
        if step in (Action.SUBMIT, Action.ACCEPT, Action.REQUEST_SUPPLEMENT, Action.SUPPLEMENT, Action.OBJECT):
            row.clock_started_on = today
        if step in (Action.REGISTER, Action.UPHOLD_REGISTRATION, Action.AMEND):
            _start_counting(session, row, today)
        if step in (Action.CANCEL, Action.UPHOLD_REJECTION):
            _stop_counting(session, row)
        if step in (Action.REJECT, Action.CANCEL, Action.UPHOLD_REJECTION, Action.AMEND):
            row.decision_reason = reason
        deadline = deadline_for(State(row.status), row.clock_started_on or today, rules,
                                load_calendar(settings.data_dir), large=row.expert_required or row.disputed)
        row.due_on = deadline.due_on if deadline else None
        _event(session, row, actor, step.value, before.value, reason, changed)
        session.flush()
        return to_public(row, data_dir=settings.data_dir, today=today)


def get(db: Database, settings: Settings, actor: Actor, contract_id: int, *, lang: str = "zh") -> dict[str, Any]:
    """One contract with its history and the steps this actor may take."""
    with db.read() as session:
        row = load(session, contract_id)
        current = facts(row)
        if not may_view(actor, current):
            if not actor.is_authenticated:
                raise AuthenticationRequired("Please sign in to see contracts (登录后查看)")
            raise NotFound(f"No contract with id {contract_id}; check the number in the address")
        item = to_public(row, lang=lang, data_dir=settings.data_dir)
        events = session.scalars(select(ContractEventRow).where(ContractEventRow.contract_id == contract_id)
                                 .order_by(ContractEventRow.id)).all()
        item["history"] = [{"action": e.action, "from": e.from_state, "to": e.to_state, "by": e.actor_name,
                            "reason": e.reason, "at": e.at} for e in events]
        item["allowed_actions"] = [a.value for a in allowed_actions(actor, current)]
        item["editable"] = may_edit(actor, current)
        return item


def list_contracts(db: Database, settings: Settings, actor: Actor, *, status: str = "", overdue: bool = False,
                   page: int = 1, per_page: int = 50, lang: str = "zh") -> dict[str, Any]:
    """Contracts this actor may see: all for registry officers and operators, else its own side's."""
    actor.require_login()
    today = _today()
    query = select(ContractRow)
    if not is_officer(actor):
        mine = [ContractRow.created_by_user_id == actor.user_id]
        if actor.organisation_id is not None:
            mine += [ContractRow.seller_organisation_id == actor.organisation_id,
                     ContractRow.buyer_organisation_id == actor.organisation_id]
        query = query.where(or_(*mine))
    if status:
        query = query.where(ContractRow.status == status)
    if overdue:
        query = query.where(ContractRow.due_on < today)
    with db.read() as session:
        total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        rows = session.scalars(query.order_by(ContractRow.id.desc()).offset((page - 1) * per_page)
                               .limit(per_page)).all()
        items = [to_public(r, lang=lang, data_dir=settings.data_dir, today=today) for r in rows]
    return {"items": items, "total": total, "page": page, "pages": max(1, -(-total // per_page))}


def start_contract_from(db: Database, settings: Settings | None, actor: Actor, *, technology_id: int | None = None,
                        demand_id: int | None = None, seller_org_id: int | None = None,
                        buyer_org_id: int | None = None, source: str = "case", source_id: str | int = "") -> int:
    """Open a draft pre-filled from a technology-manager case or a match: parties and technology carried over.

    The seller defaults to the technology's owner and the buyer to the demand's owner; each party gets the
    catalog organisation's name, credit code, region and a party-nature code derived from its kind.
    Returns the draft contract id.
    """
    if source not in ("case", "match"):
        raise ValidationFailed("Unknown source", errors=[FieldError("source", "must be 'case' or 'match'")])
    if not may_create(actor):
        _deny(actor, "Only a seller's member, a technology manager or an operator may file a contract")
    data: dict[str, Any] = {}
    with db.read() as session:
        tech = session.get(TechnologyRow, technology_id) if technology_id is not None else None
        demand = session.get(DemandRow, demand_id) if demand_id is not None else None
        if technology_id is not None and tech is None:
            raise NotFound(f"No technology with id {technology_id}", errors=[FieldError("technology_id", "unknown")])
        if demand_id is not None and demand is None:
            raise NotFound(f"No demand with id {demand_id}", errors=[FieldError("demand_id", "unknown")])
        seller_org_id = seller_org_id or (tech.owner_id if tech else None)
        buyer_org_id = buyer_org_id or (demand.owner_id if demand else None)
        title = (tech.title if tech else demand.title if demand else "") or "技术合同（草稿）"
        data["title"] = title[:300]
        field = (tech.technology_field if tech else None) or (demand.technology_field if demand else None)
        if field:
            data["technology_field"] = field
        for role, org_id in (("seller", seller_org_id), ("buyer", buyer_org_id)):
            if org_id is None:
                continue
            org = session.get(OrganisationRow, org_id)
            if org is None:
                raise NotFound(f"No organisation with id {org_id}", errors=[FieldError(f"{role}_org_id", "unknown")])
            data[role] = {"name": org.name, "credit_code": org.credit_code, "organisation_id": org.id,
                          "region_code": org.province_code, "size": org.size,
                          "nature": NATURE_FOR_ORGANISATION_KIND.get(org.kind, "100")}
    values = columns_from_clean(_validate_prefill(data))
    values.update(technology_id=technology_id, demand_id=demand_id, source=source, source_id=str(source_id))
    with db.transaction() as session:
        row = ContractRow(**values, status=State.DRAFT.value, created_by_user_id=actor.user_id,
                          state_entered_on=_today())
        session.add(row)
        session.flush()
        _event(session, row, actor, f"start_from_{source}", None, changes={"source_id": str(source_id)})
        return row.id


def _validate_prefill(draft: dict[str, Any]) -> dict[str, Any]:
    """Validate a pre-filled draft, dropping party fields the catalog lacks rather than failing on them."""
    try:
        return validate_contract(draft, draft=True)
    except ValidationFailed as exc:
        fixable = {e.field for e in exc.errors if e.field.split(".")[0] in ("seller", "buyer")}
        for field in fixable:
            role, _, key = field.partition(".")
            if key != "name":
                draft[role].pop(key, None)
        return validate_contract(draft, draft=True)


def facts_of(db: Database, contract_id: int) -> ContractFacts:
    with db.read() as session:
        return facts(load(session, contract_id))
