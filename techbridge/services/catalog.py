"""Catalog use cases: create, edit, confirm, withdraw, read and search listings, organisations, people.

One validator per entity (techbridge.domain.catalog) serves forms, API and imports. Writes happen in
one transaction each; references by external id (owner, organisation) are resolved here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.domain.catalog import VALIDATORS, expiry_after, freshness
from techbridge.domain.enums import TRL_TO_STAGE, Freshness, ListingStatus
from techbridge.domain.roles import Permission
from techbridge.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from techbridge.services.actor import Actor
from techbridge.services.text import search_terms
from techbridge.storage.db import Database
from techbridge.storage.tables.catalog import DemandRow, OrganisationRow, PersonRow, TechnologyRow

EntityKind = Literal["organisations", "people", "technologies", "demands"]
ENTITY_KINDS: tuple[EntityKind, ...] = ("organisations", "people", "technologies", "demands")
TABLES: dict[str, type[Any]] = {
    "organisations": OrganisationRow,
    "people": PersonRow,
    "technologies": TechnologyRow,
    "demands": DemandRow,
}
_CREATE_PERMISSION = {
    "technologies": Permission.TECHNOLOGY_CREATE,
    "demands": Permission.DEMAND_CREATE,
    "organisations": Permission.ORGANISATION_CREATE,
    "people": Permission.PERSON_CREATE,
}
_REFERENCE_FIELDS = {
    "technologies": ("owner_external_id", "owner_id"),
    "demands": ("owner_external_id", "owner_id"),
    "people": ("organisation_external_id", "organisation_id"),
}


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class ListingFilter:
    """Filters of the technology and demand lists (all optional)."""

    q: str = ""
    technology_field: str = ""
    industry_code: str = ""
    province_code: str = ""
    trl_min: int | None = None
    trl_max: int | None = None
    status: str = ""
    kind: str = ""
    fresh_only: bool = False
    lang: str = ""


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def resolve_references(session: Session, kind: str, values: dict[str, Any]) -> list[FieldError]:
    """Replace ``*_external_id`` references by row ids; report unknown references by field."""
    errors: list[FieldError] = []
    ref = _REFERENCE_FIELDS.get(kind)
    if ref is None:
        return errors
    source, target = ref
    if source not in values:
        return errors
    external = values.pop(source)
    if external is None:
        values[target] = None
        return errors
    org_id = session.scalar(select(OrganisationRow.id).where(OrganisationRow.external_id == external))
    if org_id is None:
        errors.append(FieldError(source, f"no organisation has external id {external!r}; import it first"))
    else:
        values[target] = org_id
    return errors


_NOT_NULL_DEFAULTS: dict[str, Any] = {
    "lang": "zh", "status": ListingStatus.LISTED.value, "visibility": "public", "sample_data": False,
    "manager_engaged": False, "keywords": [], "ipc_subclasses": [], "roles": [], "expertise": [],
    "technology_fields": [], "kind": "other",
}


def apply_listing_defaults(kind: str, values: dict[str, Any], settings: Settings, *, new: bool) -> None:
    """Fill derived and default fields: stage from TRL, listing and expiry dates, non-null defaults.

    A field given as empty on a full record (import or create) falls back to its default, never to NULL
    in a column that needs a value.
    """
    table_columns = set(TABLES[kind].__table__.columns.keys())
    for key, default in _NOT_NULL_DEFAULTS.items():
        if key in table_columns and (key in values or new) and values.get(key) is None:
            values[key] = list(default) if isinstance(default, list) else default
    if kind not in ("technologies", "demands"):
        return
    if kind == "technologies" and values.get("trl") and not values.get("stage"):
        values["stage"] = TRL_TO_STAGE[int(values["trl"])].value
    if new or values.get("listed_at") is not None:
        listed = values.get("listed_at") or today()
        values["listed_at"] = listed
    if new:
        values.setdefault("confirmed_at", values["listed_at"])
        values["expires_at"] = expiry_after(values["confirmed_at"], settings.listing_validity_days)
    elif "listed_at" in values and values["listed_at"] is None:
        values.pop("listed_at")


def _check_can_edit(actor: Actor, row: Any) -> None:
    actor.require_login()
    if actor.is_operator or actor.can(Permission.LISTING_EDIT_ANY):
        return
    owner = getattr(row, "owner_id", None) if not isinstance(row, PersonRow) else row.organisation_id
    if row.__dict__.get("created_by_user_id") == actor.user_id:
        return
    if owner is not None and owner == actor.organisation_id:
        return
    raise PermissionDenied("Only the owner organisation or an operator may change this listing")


def create(db: Database, settings: Settings, actor: Actor, kind: EntityKind, data: Mapping[str, Any]) -> int:
    """Create one entity from user input; returns its id."""
    actor.require(_CREATE_PERMISSION[kind])
    values = VALIDATORS[kind](data)
    with db.transaction() as session:
        errors = resolve_references(session, kind, values)
        if errors:
            raise ValidationFailed("Some references are unknown", errors=errors)
        if kind in ("technologies", "demands"):
            if values.get("owner_id") is None:
                values["owner_id"] = actor.organisation_id
            values["created_by_user_id"] = actor.user_id
        apply_listing_defaults(kind, values, settings, new=True)
        row = TABLES[kind](**values)
        session.add(row)
        session.flush()
        return int(row.id)


def update(
    db: Database, settings: Settings, actor: Actor, kind: EntityKind, entity_id: int, data: Mapping[str, Any]
) -> None:
    """Edit some fields of an entity (only the fields given)."""
    values = VALIDATORS[kind](data, partial=True)
    with db.transaction() as session:
        row = session.get(TABLES[kind], entity_id)
        if row is None:
            raise NotFound(f"No {kind[:-1]} with id {entity_id}")
        _check_can_edit(actor, row)
        errors = resolve_references(session, kind, values)
        if errors:
            raise ValidationFailed("Some references are unknown", errors=errors)
        apply_listing_defaults(kind, values, settings, new=False)
        for key, value in values.items():
            setattr(row, key, value)


def confirm(db: Database, settings: Settings, actor: Actor, kind: EntityKind, entity_id: int) -> dt.date:
    """The owner confirms a listing is still current: its freshness restarts today."""
    with db.transaction() as session:
        row = session.get(TABLES[kind], entity_id)
        if row is None:
            raise NotFound(f"No {kind[:-1]} with id {entity_id}")
        _check_can_edit(actor, row)
        row.confirmed_at = today()
        row.expires_at = expiry_after(row.confirmed_at, settings.listing_validity_days)
        return row.expires_at  # type: ignore[no-any-return]


def delete(db: Database, actor: Actor, kind: EntityKind, entity_id: int) -> None:
    """Withdraw a listing (kept for history, status 已下架) or delete an organisation/person."""
    with db.transaction() as session:
        row = session.get(TABLES[kind], entity_id)
        if row is None:
            raise NotFound(f"No {kind[:-1]} with id {entity_id}")
        _check_can_edit(actor, row)
        if kind in ("technologies", "demands"):
            row.status = ListingStatus.WITHDRAWN.value
        else:
            session.delete(row)


def get(db: Database, kind: EntityKind, entity_id: int) -> Any:
    with db.read() as session:
        row = session.get(TABLES[kind], entity_id)
        if row is None:
            raise NotFound(f"No {kind[:-1]} with id {entity_id}; check the id in the list")
        session.expunge(row)
        return row


def get_many(db: Database, kind: EntityKind, ids: Sequence[int]) -> dict[int, Any]:
    if not ids:
        return {}
    table = TABLES[kind]
    with db.read() as session:
        rows = session.scalars(select(table).where(table.id.in_(list(ids)))).all()
        for row in rows:
            session.expunge(row)
        return {int(r.id): r for r in rows}


def list_listings(
    db: Database, kind: Literal["technologies", "demands"], flt: ListingFilter, *, page: int = 1, per_page: int = 20
) -> Page:
    """One page of technologies or demands matching the filters, newest first."""
    table = TABLES[kind]
    stmt = select(table)
    text_cols = [table.title, cast(table.keywords, String)]
    text_cols.append(table.abstract if kind == "technologies" else table.description)
    for term in search_terms(flt.q):
        pattern = f"%{term}%"
        stmt = stmt.where(or_(*(col.ilike(pattern) for col in text_cols)))
    if flt.technology_field:
        stmt = stmt.where(table.technology_field == flt.technology_field)
    if flt.industry_code:
        stmt = stmt.where(table.industry_code.startswith(flt.industry_code))
    if flt.province_code:
        stmt = stmt.where(table.province_code == flt.province_code)
    if flt.status:
        stmt = stmt.where(table.status == flt.status)
    if flt.lang:
        stmt = stmt.where(table.lang == flt.lang)
    if flt.fresh_only:
        stmt = stmt.where(table.expires_at >= today())
    if kind == "technologies":
        if flt.trl_min is not None:
            stmt = stmt.where(table.trl >= flt.trl_min)
        if flt.trl_max is not None:
            stmt = stmt.where(table.trl <= flt.trl_max)
        if flt.kind:
            stmt = stmt.where(table.kind == flt.kind)
    page = max(1, page)
    per_page = min(max(1, per_page), 100)
    with db.read() as session:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(
            stmt.order_by(table.listed_at.desc(), table.id.desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        for row in rows:
            session.expunge(row)
    return Page(list(rows), int(total), page, per_page)


def list_simple(db: Database, kind: Literal["organisations", "people"], *, q: str = "", page: int = 1,
                per_page: int = 30) -> Page:
    table = TABLES[kind]
    stmt = select(table)
    if q.strip():
        stmt = stmt.where(table.name.ilike(f"%{q.strip()}%"))
    page = max(1, page)
    per_page = min(max(1, per_page), 100)
    with db.read() as session:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.order_by(table.name).offset((page - 1) * per_page).limit(per_page)).all()
        for row in rows:
            session.expunge(row)
    return Page(list(rows), int(total), page, per_page)


def counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {kind: int(session.scalar(select(func.count()).select_from(table)) or 0)
                for kind, table in TABLES.items()}


def recent(db: Database, kind: Literal["technologies", "demands"], limit: int = 6) -> list[Any]:
    return list_listings(db, kind, ListingFilter(), per_page=limit).items


def listing_freshness(row: Any, on: dt.date | None = None) -> Freshness:
    return freshness(row.expires_at, on or today())


def to_public(row: Any) -> dict[str, Any]:
    """A JSON-ready dict of a row's columns (dates as ISO strings, decimals as numbers)."""
    data: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = float(value)
        data[column.key] = value
    if hasattr(row, "expires_at"):
        data["freshness"] = listing_freshness(row).value
    data.pop("created_by_user_id", None)
    return data
