"""A user's own workspace: the listings they or their organisation own, and their saved searches."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import func, or_, select

from techbridge.domain.roles import Permission
from techbridge.errors import FieldError, NotFound, ValidationFailed
from techbridge.services.actor import Actor
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts_ext import SavedSearchRow
from techbridge.storage.tables.base import utcnow
from techbridge.storage.tables.catalog import DemandRow, TechnologyRow

SEARCH_KINDS = ("technologies", "demands")
SEARCH_PARAMS = frozenset({"q", "technology_field", "industry_code", "province_code", "trl_min", "trl_max",
                           "status", "kind", "fresh_only"})
MAX_SAVED = 50


def my_listings(db: Database, actor: Actor) -> dict[str, list[Any]]:
    """Technologies and demands the user created or their organisation owns, newest first."""
    actor.require_login()
    out: dict[str, list[Any]] = {}
    with db.read() as session:
        for kind, table in (("technologies", TechnologyRow), ("demands", DemandRow)):
            mine = table.created_by_user_id == actor.user_id
            if actor.organisation_id is not None:
                mine = or_(mine, table.owner_id == actor.organisation_id)
            rows = session.scalars(select(table).where(mine).order_by(table.id.desc()).limit(200)).all()
            session.expunge_all()
            out[kind] = list(rows)
    return out


def clean_query(query: str) -> str:
    """Keep only the list filters a saved search may hold, in a stable order."""
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False) if k in SEARCH_PARAMS]
    return urlencode(sorted(pairs))


def save_search(db: Database, actor: Actor, *, name: str, kind: str, query: str) -> int:
    actor.require(Permission.SAVED_SEARCH)
    errors = []
    if not name.strip() or len(name) > 100:
        errors.append(FieldError("name", "give the search a name of 1–100 characters"))
    if kind not in SEARCH_KINDS:
        errors.append(FieldError("kind", "use technologies or demands"))
    if len(query) > 1000:
        errors.append(FieldError("query", "use at most 1,000 characters"))
    if errors:
        raise ValidationFailed("The search cannot be saved", errors=errors)
    with db.transaction() as session:
        count = session.scalar(select(func.count()).select_from(SavedSearchRow)
                               .where(SavedSearchRow.user_id == actor.user_id)) or 0
        if count >= MAX_SAVED:
            raise ValidationFailed("Too many saved searches", errors=[FieldError(
                "name", f"you already keep {MAX_SAVED}; delete one first")])
        row = SavedSearchRow(user_id=actor.user_id, name=name.strip(), kind=kind, query=clean_query(query),
                             created_at=utcnow())
        session.add(row)
        session.flush()
        return int(row.id)


def saved_searches(db: Database, actor: Actor) -> list[dict[str, Any]]:
    actor.require(Permission.SAVED_SEARCH)
    with db.read() as session:
        rows = session.scalars(select(SavedSearchRow).where(SavedSearchRow.user_id == actor.user_id)
                               .order_by(SavedSearchRow.id.desc())).all()
        return [{"id": r.id, "name": r.name, "kind": r.kind, "query": r.query,
                 "url": f"/{r.kind}?{r.query}" if r.query else f"/{r.kind}",
                 "created_at": r.created_at.isoformat(timespec="seconds")} for r in rows]


def delete_search(db: Database, actor: Actor, search_id: int) -> None:
    actor.require(Permission.SAVED_SEARCH)
    with db.transaction() as session:
        row = session.get(SavedSearchRow, search_id)
        if row is None or row.user_id != actor.user_id:
            raise NotFound(f"You have no saved search with id {search_id}")
        session.delete(row)
