"""The audit log: every change to stored data and every view of confidential details.

Changes are captured by one SQLAlchemy ``after_flush`` listener, so no service has to remember to log:
whatever a request inserts, updates or deletes is written to ``audit_log`` inside the same transaction
(if the transaction rolls back, so does its audit entry). The listener only records while an
``AuditContext`` is bound — the web layer binds one per request with the signed-in user, the client
address and the path; the demo seed and bulk CLI imports run without one and are not logged row by row.
Only column *names* of updates are recorded, never values, so the log itself leaks no confidential text
or password hashes.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, insert, inspect, select
from sqlalchemy.orm import Session

from techbridge.domain.roles import Permission
from techbridge.errors import FieldError, ValidationFailed
from techbridge.services.actor import Actor
from techbridge.services.catalog import Page
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts_ext import AuditRow
from techbridge.storage.tables.base import utcnow

_SKIPPED_TABLES = frozenset({"audit_log", "user_sessions", "login_attempts"})
_NOISE_COLUMNS = frozenset({"updated_at", "failed_logins", "locked_until"})


@dataclass(frozen=True)
class AuditContext:
    """Who is acting and from where; bound for the duration of one request."""

    user_id: int | None
    ip: str = ""
    path: str = ""


_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("tb_audit", default=None)


@contextmanager
def bound(context: AuditContext) -> Iterator[None]:
    """Record the changes made inside this block under ``context``."""
    token = _context.set(context)
    try:
        yield
    finally:
        _context.reset(token)


def bind(context: AuditContext) -> contextvars.Token[AuditContext | None]:
    return _context.set(context)


def reset(token: contextvars.Token[AuditContext | None]) -> None:
    _context.reset(token)


def current() -> AuditContext | None:
    return _context.get()


def _pk(obj: Any) -> str:
    state = inspect(obj)
    identity = state.mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in identity if part is not None)


def _changes(session: Session) -> list[dict[str, Any]]:
    context = _context.get()
    if context is None:
        return []
    rows: list[dict[str, Any]] = []
    now = utcnow()

    def add(action: str, obj: Any, detail: dict[str, Any]) -> None:
        table = getattr(obj, "__tablename__", "")
        if not table or table in _SKIPPED_TABLES:
            return
        rows.append({"at": now, "user_id": context.user_id, "action": action, "entity_kind": table,
                     "entity_id": _pk(obj), "detail": detail, "ip": context.ip[:64], "path": context.path[:300]})

    for obj in session.new:
        add("create", obj, {})
    for obj in session.dirty:
        state = inspect(obj)
        changed = sorted(attr.key for attr in state.attrs
                         if attr.key not in _NOISE_COLUMNS and attr.history.has_changes())
        if changed:
            add("update", obj, {"fields": changed})
    for obj in session.deleted:
        add("delete", obj, {})
    return rows


def _after_flush(session: Session, _flush_context: Any) -> None:
    rows = _changes(session)
    if rows:
        session.connection().execute(insert(AuditRow), rows)


_installed = False


def install() -> None:
    """Register the change listener once per process (idempotent)."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        _installed = True


def record(session: Session, action: str, entity_kind: str, entity_id: str | int,
           detail: dict[str, Any] | None = None, *, user_id: int | None = None) -> None:
    """Write one explicit event (e.g. a confidential view or an NDA acceptance) in ``session``."""
    context = _context.get()
    who = user_id if user_id is not None else (context.user_id if context else None)
    session.add(AuditRow(at=utcnow(), user_id=who,
                         action=action, entity_kind=entity_kind, entity_id=str(entity_id), detail=detail or {},
                         ip=(context.ip if context else "")[:64], path=(context.path if context else "")[:300]))


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the operators' audit search (all optional)."""

    user_id: int | None = None
    action: str = ""
    entity_kind: str = ""
    entity_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def search(db: Database, actor: Actor, query: AuditQuery, *, page: int = 1, per_page: int = 50) -> Page:
    """Operators search the log, newest first."""
    actor.require(Permission.AUDIT_READ)
    if query.since and query.until and query.since > query.until:
        raise ValidationFailed("The date range is reversed",
                               errors=[FieldError("since", "must not be after 'until'")])
    stmt = select(AuditRow)
    if query.user_id is not None:
        stmt = stmt.where(AuditRow.user_id == query.user_id)
    if query.action:
        stmt = stmt.where(AuditRow.action == query.action)
    if query.entity_kind:
        stmt = stmt.where(AuditRow.entity_kind == query.entity_kind)
    if query.entity_id:
        stmt = stmt.where(AuditRow.entity_id == query.entity_id)
    if query.since:
        stmt = stmt.where(AuditRow.at >= dt.datetime.combine(query.since, dt.time()))
    if query.until:
        stmt = stmt.where(AuditRow.at < dt.datetime.combine(query.until + dt.timedelta(days=1), dt.time()))
    page, per_page = max(1, page), min(max(1, per_page), 200)
    with db.read() as session:
        total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
        rows = session.scalars(stmt.order_by(AuditRow.id.desc()).offset((page - 1) * per_page).limit(per_page))
        items = [{"id": r.id, "at": r.at.isoformat(timespec="seconds"), "user_id": r.user_id, "action": r.action,
                  "entity_kind": r.entity_kind, "entity_id": r.entity_id, "detail": r.detail, "ip": r.ip,
                  "path": r.path} for r in rows]
    return Page(items, total, page, per_page)
