"""Who may see a listing's details: public, summary-only and confidential listings, and the NDA.

Rules (docs/roles.md):
- ``public``: everyone sees everything.
- ``summary``: everyone sees the summary (title, field, industry, region, keywords, budget/price,
  maturity); the details need a signed-in account.
- ``confidential``: the same summary is shown, so that a party can decide to ask; the details are shown
  only to insiders (the owner organisation's members, the user who created it, an assigned technology
  manager, operators) and to users who accepted the listing's click-through NDA. Every such view is
  written to the audit log.

Catalog rows leave the services redacted unless a caller asked for the full view through this module.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.enums import Visibility
from techbridge.domain.roles import Permission
from techbridge.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from techbridge.services import audit
from techbridge.services.actor import Actor
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts_ext import ListingManagerRow, NdaAcceptanceRow
from techbridge.storage.tables.base import utcnow
from techbridge.storage.tables.catalog import DemandRow, TechnologyRow

ListingKind = Literal["technologies", "demands"]
LISTING_TABLES: dict[str, type[Any]] = {"technologies": TechnologyRow, "demands": DemandRow}
DETAIL_FIELDS: dict[str, tuple[str, ...]] = {
    "technologies": ("abstract", "indicators", "application_scenarios", "contact", "patent_number",
                     "legal_status"),
    "demands": ("description", "technical_key", "expected_goal", "preferred_partner"),
}

# The click-through NDA, versioned. A new version is added here (never edited in place): acceptances record
# the version and the SHA-256 of the exact text shown.
NDA_TEXTS: dict[int, dict[str, str]] = {
    1: {
        "zh": "保密承诺（第1版）\n"
              "1. 本人仅为评估与该条目所有方开展技术合作之目的使用其保密信息。\n"
              "2. 未经所有方书面同意，不向任何第三方披露、复制或公开保密信息。\n"
              "3. 不利用保密信息申请专利或开展与所有方竞争的研发。\n"
              "4. 合作未达成时，应所有方要求删除已获取的保密信息。\n"
              "5. 本承诺自点击同意时生效，有效期三年；平台记录同意的时间、账户和文本版本。",
        "en": "Confidentiality undertaking (version 1)\n"
              "1. I will use the confidential information only to evaluate a technology cooperation with the owner "
              "of this listing.\n"
              "2. I will not disclose, copy or publish it to any third party without the owner's written consent.\n"
              "3. I will not use it to file patents or to run research that competes with the owner.\n"
              "4. If no cooperation follows, I will delete the information at the owner's request.\n"
              "5. This undertaking takes effect when I click to accept and lasts three years; the platform records "
              "the time, the account and the text version.",
    },
}
CURRENT_NDA_VERSION = max(NDA_TEXTS)


def nda_text(version: int = CURRENT_NDA_VERSION) -> dict[str, str]:
    return NDA_TEXTS[version]


def nda_digest(version: int = CURRENT_NDA_VERSION) -> str:
    texts = NDA_TEXTS[version]
    return hashlib.sha256((texts["zh"] + "\n---\n" + texts["en"]).encode()).hexdigest()


def kind_of(row: Any) -> ListingKind:
    return "technologies" if isinstance(row, TechnologyRow) else "demands"


def is_owner(actor: Actor, row: Any) -> bool:
    """A member of the owning organisation or the user who created the listing."""
    if not actor.is_authenticated:
        return False
    if row.created_by_user_id is not None and row.created_by_user_id == actor.user_id:
        return True
    return row.owner_id is not None and row.owner_id == actor.organisation_id


def is_assigned_manager(session: Session, actor: Actor, kind: str, listing_id: int) -> bool:
    if not actor.is_authenticated:
        return False
    return session.scalar(select(ListingManagerRow.id).where(
        ListingManagerRow.listing_kind == kind, ListingManagerRow.listing_id == listing_id,
        ListingManagerRow.user_id == actor.user_id)) is not None


def is_insider(session: Session, actor: Actor, row: Any) -> bool:
    """Owners, the assigned technology manager and operators."""
    if actor.can(Permission.CONFIDENTIAL_READ_ANY) or is_owner(actor, row):
        return True
    return is_assigned_manager(session, actor, kind_of(row), int(row.id))


def has_accepted_nda(session: Session, actor: Actor, kind: str, listing_id: int) -> bool:
    if not actor.is_authenticated:
        return False
    return session.scalar(select(NdaAcceptanceRow.id).where(
        NdaAcceptanceRow.listing_kind == kind, NdaAcceptanceRow.listing_id == listing_id,
        NdaAcceptanceRow.user_id == actor.user_id)) is not None


def can_see_details(actor: Actor, row: Any, session: Session) -> bool:
    """The one rule every page, API and matching result applies."""
    visibility = row.visibility or Visibility.PUBLIC.value
    if visibility == Visibility.PUBLIC.value:
        return True
    if is_insider(session, actor, row):
        return True
    if visibility == Visibility.SUMMARY.value:
        return actor.is_authenticated
    return has_accepted_nda(session, actor, kind_of(row), int(row.id))


def redact(data: dict[str, Any], kind: str) -> dict[str, Any]:
    """Remove the detail fields from a public dict of a listing (in place; also returned)."""
    for name in DETAIL_FIELDS.get(kind, ()):
        if name in data:
            data[name] = None
    data["details_hidden"] = True
    return data


def blank_details(row: Any) -> Any:
    """Clear the detail attributes of a detached row before it reaches a template."""
    for name in DETAIL_FIELDS[kind_of(row)]:
        setattr(row, name, None)
    return row


@dataclass(frozen=True)
class ListingView:
    """A listing as one actor may see it."""

    row: Any
    details_visible: bool
    nda_required: bool
    sign_in_required: bool
    is_insider: bool
    can_edit: bool = False


def view(db: Database, actor: Actor, kind: ListingKind, listing_id: int) -> ListingView:
    """Read one listing for ``actor``: details blanked unless allowed; confidential views are audited."""
    table = LISTING_TABLES[kind]
    with db.read() as session:
        row = session.get(table, listing_id)
        if row is None:
            raise NotFound(f"No {kind[:-1]} with id {listing_id}; check the id in the list")
        visible = can_see_details(actor, row, session)
        insider = is_insider(session, actor, row)
        session.expunge(row)
    confidential = row.visibility == Visibility.CONFIDENTIAL.value
    if visible and confidential:
        with db.transaction() as session:
            audit.record(session, "view_confidential", kind, listing_id,
                         {"as": "insider" if insider else "nda"}, user_id=actor.user_id)
    if not visible:
        blank_details(row)
    return ListingView(row, visible, confidential and not visible and actor.is_authenticated,
                       not visible and not actor.is_authenticated, insider, _may_edit(actor, row))


def _may_edit(actor: Actor, row: Any) -> bool:
    from techbridge.errors import TechbridgeError
    from techbridge.services.catalog import _check_can_edit

    try:
        _check_can_edit(actor, row)
    except TechbridgeError:
        return False
    return True


def is_party(db: Database, actor: Actor, kind: ListingKind, listing_id: int) -> bool:
    """Whether :func:`require_party` would let ``actor`` act for the listing (to show or hide the buttons)."""
    from techbridge.errors import TechbridgeError

    try:
        require_party(db, actor, kind, listing_id)
    except TechbridgeError:
        return False
    return True


def public_dict(db: Database, actor: Actor, kind: ListingKind, listing_id: int) -> dict[str, Any]:
    """The JSON twin of :func:`view`."""
    from techbridge.services.catalog import to_public

    seen = view(db, actor, kind, listing_id)
    data = to_public(seen.row, full=True)
    if not seen.details_visible:
        redact(data, kind)
    data["details_hidden"] = not seen.details_visible
    data["nda_required"] = seen.nda_required
    return data


def require_details(db: Database, actor: Actor, kind: ListingKind, listing_id: int) -> None:
    """Refuse (401/403) when ``actor`` may not see this listing's details (e.g. a confidential demand's matches)."""
    with db.read() as session:
        row = session.get(LISTING_TABLES[kind], listing_id)
        if row is None:
            raise NotFound(f"No {kind[:-1]} with id {listing_id}")
        if can_see_details(actor, row, session):
            return
    actor.require_login()
    raise PermissionDenied("This listing is confidential: accept its NDA first (先签署保密承诺)",
                           errors=[FieldError("nda", f"accept the NDA at /{kind}/{listing_id}/nda")])


def require_party(db: Database, actor: Actor, kind: ListingKind, listing_id: int) -> None:
    """Only owners, the assigned manager and operators act for a listing (e.g. accept or reject its matches)."""
    actor.require(Permission.MATCH_FEEDBACK)
    with db.read() as session:
        row = session.get(LISTING_TABLES[kind], listing_id)
        if row is None:
            raise NotFound(f"No {kind[:-1]} with id {listing_id}")
        if is_insider(session, actor, row):
            return
    raise PermissionDenied("Only the listing's owner, its assigned technology manager or an operator may do this")


def accept_nda(db: Database, actor: Actor, kind: ListingKind, listing_id: int, *, version: int,
               ip: str = "") -> int:
    """Record a click-through NDA acceptance (version, text digest, time, user, address); idempotent."""
    actor.require(Permission.NDA_ACCEPT)
    if version != CURRENT_NDA_VERSION:
        raise ValidationFailed("The NDA text changed; read the current version and accept again",
                               errors=[FieldError("version", f"accept version {CURRENT_NDA_VERSION}")])
    with db.transaction() as session:
        row = session.get(LISTING_TABLES[kind], listing_id)
        if row is None:
            raise NotFound(f"No {kind[:-1]} with id {listing_id}")
        existing = session.scalar(select(NdaAcceptanceRow).where(
            NdaAcceptanceRow.listing_kind == kind, NdaAcceptanceRow.listing_id == listing_id,
            NdaAcceptanceRow.user_id == actor.user_id, NdaAcceptanceRow.nda_version == version))
        if existing is not None:
            return int(existing.id)
        acceptance = NdaAcceptanceRow(listing_kind=kind, listing_id=listing_id, user_id=actor.user_id,
                                      nda_version=version, text_sha256=nda_digest(version), accepted_at=utcnow(),
                                      ip=ip[:64])
        session.add(acceptance)
        session.flush()
        return int(acceptance.id)


def nda_acceptances(db: Database, actor: Actor, kind: ListingKind, listing_id: int) -> list[dict[str, Any]]:
    """Who accepted a listing's NDA (insiders only)."""
    with db.read() as session:
        row = session.get(LISTING_TABLES[kind], listing_id)
        if row is None:
            raise NotFound(f"No {kind[:-1]} with id {listing_id}")
        actor.require_login()
        if not is_insider(session, actor, row):
            raise PermissionDenied("Only the owner, its assigned manager or an operator may see NDA records")
        rows = session.scalars(select(NdaAcceptanceRow).where(
            NdaAcceptanceRow.listing_kind == kind, NdaAcceptanceRow.listing_id == listing_id)
            .order_by(NdaAcceptanceRow.id))
        return [{"user_id": r.user_id, "nda_version": r.nda_version, "text_sha256": r.text_sha256,
                 "accepted_at": r.accepted_at.isoformat(timespec="seconds")} for r in rows]


def assign_manager(db: Database, actor: Actor, kind: ListingKind, listing_id: int, manager_user_id: int) -> None:
    """Operators assign a technology manager (a user with that role) to a listing."""
    from techbridge.domain.roles import Role
    from techbridge.storage.tables.accounts import UserRow

    actor.require(Permission.MANAGER_ASSIGN)
    with db.transaction() as session:
        if session.get(LISTING_TABLES[kind], listing_id) is None:
            raise NotFound(f"No {kind[:-1]} with id {listing_id}")
        user = session.get(UserRow, manager_user_id)
        if user is None or Role.TECHNOLOGY_MANAGER.value not in (user.roles or []):
            raise ValidationFailed("Not a technology manager", errors=[FieldError(
                "user_id", "choose a user who has the technology_manager role")])
        if not is_assigned_manager(session, Actor(user_id=manager_user_id), kind, listing_id):
            session.add(ListingManagerRow(listing_kind=kind, listing_id=listing_id, user_id=manager_user_id,
                                          assigned_by_user_id=actor.user_id, assigned_at=utcnow()))


def safe_terms(row: Any, terms: tuple[str, ...] | list[str], visible: bool) -> list[str]:
    """Matched terms a viewer may see: all when details are visible, else only those in title or keywords."""
    if visible:
        return list(terms)
    summary = (row.title or "") + " " + " ".join(row.keywords or [])
    return [term for term in terms if term in summary]


def visible_ids(db: Database, actor: Actor, kind: ListingKind, ids: list[int]) -> set[int]:
    """Of ``ids``, those whose details ``actor`` may see (one query per hidden row at most)."""
    if not ids:
        return set()
    table = LISTING_TABLES[kind]
    with db.read() as session:
        rows = session.scalars(select(table).where(table.id.in_(ids))).all()
        return {int(r.id) for r in rows if can_see_details(actor, r, session)}


def match_entries(db: Database, actor: Actor, matches: list[Any]) -> list[dict[str, Any]]:
    """Technology matches as the API and pages show them, with reasons that leak no hidden details."""
    ids = [m.technology_id for m in matches]
    visible = visible_ids(db, actor, "technologies", ids)
    with db.read() as session:
        rows = {r.id: r for r in session.scalars(select(TechnologyRow).where(TechnologyRow.id.in_(ids)))}
        out = []
        for rank, match in enumerate(matches, start=1):
            row = rows.get(match.technology_id)
            entry = match.as_dict()
            entry["rank"] = rank
            entry["technology"] = {"id": match.technology_id, "title": row.title if row else "",
                                   "technology_field": row.technology_field if row else None,
                                   "visibility": row.visibility if row else None}
            if row is not None:
                entry["reasons"]["matched_terms"] = safe_terms(row, entry["reasons"]["matched_terms"],
                                                               match.technology_id in visible)
            out.append(entry)
    return out
