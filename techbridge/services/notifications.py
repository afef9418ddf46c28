"""In-app notifications with an e-mail outbox.

Workflows call ``notify`` inside their own transaction, so a notification exists exactly when the step
that caused it was committed. Each notification for a user with an e-mail address also leaves one row
in ``notification_outbox``; a sender (not shipped: no mail server is configured here) drains it with
``drain_outbox(db, send)``, which marks rows sent or failed and never sends one twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from techbridge.errors import NotFound
from techbridge.services.actor import Actor
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts import UserRow
from techbridge.storage.tables.base import utcnow
from techbridge.storage.tables.notifications import NotificationRow, OutboxRow

KINDS = ("assignment", "deadline", "state_change", "invitation", "task")
MAX_ATTEMPTS = 5


def notify(session: Session, user_ids: Iterable[int | None], kind: str, title: str, *, body: str = "",
           link: str = "", skip: int | None = None) -> int:
    """Add one notification per distinct user (``skip``: the actor, who needs no note of their own step)."""
    count = 0
    for user_id in sorted({u for u in user_ids if u is not None and u != skip}):
        user = session.get(UserRow, user_id)
        if user is None or not user.is_active:
            continue
        row = NotificationRow(user_id=user_id, kind=kind, title=title[:300], body=body, link=link)
        session.add(row)
        session.flush()
        session.add(OutboxRow(notification_id=row.id, to_address=user.email, subject=f"[技术桥] {title}"[:300],
                              body=f"{body}\n\n{link}".strip()))
        count += 1
    return count


def users_of_organisation(session: Session, organisation_id: int | None) -> list[int]:
    if organisation_id is None:
        return []
    return [int(u) for u in session.scalars(select(UserRow.id).where(UserRow.organisation_id == organisation_id))]


def operators(session: Session) -> list[int]:
    rows = session.execute(select(UserRow.id, UserRow.roles)).all()
    return [int(uid) for uid, roles in rows if "operator" in (roles or [])]


def to_public(row: NotificationRow) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "title": row.title, "body": row.body, "link": row.link,
            "created_at": row.created_at.isoformat(), "read": row.read_at is not None}


def list_for(db: Database, actor: Actor, *, unread_only: bool = False, limit: int = 50) -> list[dict[str, Any]]:
    actor.require_login()
    stmt = select(NotificationRow).where(NotificationRow.user_id == actor.user_id)
    if unread_only:
        stmt = stmt.where(NotificationRow.read_at.is_(None))
    with db.read() as session:
        rows = session.scalars(stmt.order_by(NotificationRow.id.desc()).limit(min(max(limit, 1), 200))).all()
        return [to_public(r) for r in rows]


def unread_count(db: Database, actor: Actor) -> int:
    if not actor.is_authenticated:
        return 0
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(NotificationRow).where(
            NotificationRow.user_id == actor.user_id, NotificationRow.read_at.is_(None))) or 0)


def mark_read(db: Database, actor: Actor, notification_id: int | None = None) -> int:
    """Mark one (or, with None, every) notification of the actor read; returns how many changed."""
    actor.require_login()
    with db.transaction() as session:
        stmt = update(NotificationRow).where(NotificationRow.user_id == actor.user_id,
                                             NotificationRow.read_at.is_(None))
        if notification_id is not None:
            row = session.get(NotificationRow, notification_id)
            if row is None or row.user_id != actor.user_id:
                raise NotFound(f"No notification with id {notification_id}")
            stmt = stmt.where(NotificationRow.id == notification_id)
        result = session.execute(stmt.values(read_at=utcnow()))
        return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class DrainReport:
    sent: int
    failed: int
    pending: int


def drain_outbox(db: Database, send: Callable[[str, str, str], None], *, batch: int = 100) -> DrainReport:
    """Send pending e-mails with ``send(to, subject, body)``; a raising send counts as one failed attempt
    and the row stays pending until ``MAX_ATTEMPTS``. Each row is committed on its own."""
    with db.read() as session:
        ids = list(session.scalars(select(OutboxRow.id).where(OutboxRow.status == "pending")
                                   .order_by(OutboxRow.id).limit(batch)))
    sent = failed = 0
    for outbox_id in ids:
        with db.transaction() as session:
            row = session.get(OutboxRow, outbox_id)
            if row is None or row.status != "pending":
                continue
            row.attempts += 1
            try:
                send(row.to_address, row.subject, row.body)
            except Exception as exc:
                row.last_error = str(exc)[:500]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = "failed"
                failed += 1
            else:
                row.status, row.sent_at = "sent", utcnow()
                sent += 1
    with db.read() as session:
        pending = int(session.scalar(select(func.count()).select_from(OutboxRow)
                                     .where(OutboxRow.status == "pending")) or 0)
    return DrainReport(sent, failed, pending)
