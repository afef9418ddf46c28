"""Organisation membership: who belongs to an organisation and who administers it.

``users.organisation_id`` says which organisation a user acts for (it decides ownership of listings);
``organisation_members`` adds the admin flag and who added whom. Admins of an organisation (and
operators) add existing accounts by e-mail and remove members; a member may not be moved silently from
another organisation, and the last admin cannot be removed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techbridge.domain.roles import Permission
from techbridge.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from techbridge.services.actor import Actor
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts import UserRow
from techbridge.storage.tables.accounts_ext import MembershipRow
from techbridge.storage.tables.base import utcnow
from techbridge.storage.tables.catalog import OrganisationRow


def _is_admin(session: Session, user_id: int | None, organisation_id: int) -> bool:
    if user_id is None:
        return False
    return bool(session.scalar(select(MembershipRow.is_admin).where(
        MembershipRow.organisation_id == organisation_id, MembershipRow.user_id == user_id)))


def _require_manage(session: Session, actor: Actor, organisation_id: int) -> None:
    actor.require_login()
    if actor.can(Permission.MEMBERS_MANAGE_ANY) or _is_admin(session, actor.user_id, organisation_id):
        return
    raise PermissionDenied("Only the organisation's administrators or an operator may manage its members")


def members(db: Database, actor: Actor, organisation_id: int) -> dict[str, Any]:
    """The organisation and its members; visible to its members and operators."""
    actor.require_login()
    with db.read() as session:
        org = session.get(OrganisationRow, organisation_id)
        if org is None:
            raise NotFound(f"No organisation with id {organisation_id}")
        if actor.organisation_id != organisation_id and not actor.can(Permission.MEMBERS_MANAGE_ANY):
            raise PermissionDenied("Only members of this organisation or an operator may see its members")
        admins = set(session.scalars(select(MembershipRow.user_id).where(
            MembershipRow.organisation_id == organisation_id, MembershipRow.is_admin.is_(True))))
        users = session.scalars(select(UserRow).where(UserRow.organisation_id == organisation_id)
                                .order_by(UserRow.display_name)).all()
        return {
            "organisation": {"id": org.id, "name": org.name, "kind": org.kind},
            "can_manage": actor.can(Permission.MEMBERS_MANAGE_ANY) or actor.user_id in admins,
            "members": [{"user_id": u.id, "display_name": u.display_name, "email": u.email,
                         "roles": list(u.roles or []), "is_admin": u.id in admins} for u in users],
        }


def add_member(db: Database, actor: Actor, organisation_id: int, email: str, *, is_admin: bool = False) -> int:
    """Attach an existing account (by e-mail) to the organisation; returns its user id."""
    address = email.strip().lower()
    if "@" not in address:
        raise ValidationFailed("Enter the member's e-mail", errors=[FieldError("email", "such as name@example.org")])
    with db.transaction() as session:
        if session.get(OrganisationRow, organisation_id) is None:
            raise NotFound(f"No organisation with id {organisation_id}")
        _require_manage(session, actor, organisation_id)
        user = session.scalar(select(UserRow).where(UserRow.email == address))
        if user is None:
            raise NotFound("No account has this e-mail; ask the person to register first",
                           errors=[FieldError("email", "no account with this e-mail")])
        if user.organisation_id not in (None, organisation_id):
            raise Conflict("This account belongs to another organisation; it must be removed there first",
                           errors=[FieldError("email", "member of another organisation")])
        user.organisation_id = organisation_id
        row = session.scalar(select(MembershipRow).where(MembershipRow.organisation_id == organisation_id,
                                                         MembershipRow.user_id == user.id))
        if row is None:
            session.add(MembershipRow(organisation_id=organisation_id, user_id=user.id, is_admin=is_admin,
                                      added_by_user_id=actor.user_id, created_at=utcnow()))
        elif row.is_admin != is_admin:
            row.is_admin = is_admin
        return int(user.id)


def remove_member(db: Database, actor: Actor, organisation_id: int, user_id: int) -> None:
    """Detach a member; the organisation keeps at least one admin."""
    with db.transaction() as session:
        _require_manage(session, actor, organisation_id)
        user = session.get(UserRow, user_id)
        if user is None or user.organisation_id != organisation_id:
            raise NotFound(f"User {user_id} is not a member of this organisation")
        admins = set(session.scalars(select(MembershipRow.user_id).where(
            MembershipRow.organisation_id == organisation_id, MembershipRow.is_admin.is_(True))))
        if admins == {user_id}:
            raise Conflict("The last administrator cannot be removed; make another member admin first",
                           errors=[FieldError("user_id", "last administrator")])
        user.organisation_id = None
        row = session.scalar(select(MembershipRow).where(MembershipRow.organisation_id == organisation_id,
                                                         MembershipRow.user_id == user_id))
        if row is not None:
            session.delete(row)
