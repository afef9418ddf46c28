"""Registration, login with lockout, and session lookup.

Passwords are hashed with argon2; a session is a random token whose SHA-256 is stored, so a leaked
database does not leak live sessions. Each session carries its own CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from techbridge.config import Settings
from techbridge.domain.enums import OrganisationKind
from techbridge.domain.roles import Role
from techbridge.errors import AuthenticationRequired, Conflict, FieldError, ValidationFailed
from techbridge.services.actor import ANONYMOUS, Actor
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts import UserRow, UserSessionRow
from techbridge.storage.tables.base import utcnow
from techbridge.storage.tables.catalog import OrganisationRow

SELF_SERVICE_ROLES = frozenset(
    {Role.ENTERPRISE_MEMBER, Role.INSTITUTION_MEMBER, Role.INVESTOR, Role.EXPERT}
)
_ROLE_ORG_KIND = {
    Role.ENTERPRISE_MEMBER: OrganisationKind.ENTERPRISE,
    Role.INSTITUTION_MEMBER: OrganisationKind.UNIVERSITY,
    Role.INVESTOR: OrganisationKind.FUND,
}
_hasher = PasswordHasher()


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    expires_at: dt.datetime
    actor: Actor


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _validate_registration(email: str, password: str, display_name: str, role: str) -> Role:
    errors: list[FieldError] = []
    if "@" not in email or len(email) > 200 or email.startswith("@") or email.endswith("@"):
        errors.append(FieldError("email", "enter an e-mail address such as name@example.org"))
    if len(password) < 10:
        errors.append(FieldError("password", "use at least 10 characters"))
    if len(password) > 200:
        errors.append(FieldError("password", "use at most 200 characters"))
    if not display_name.strip() or len(display_name) > 100:
        errors.append(FieldError("display_name", "enter your name (1–100 characters)"))
    try:
        chosen = Role(role)
    except ValueError:
        chosen = None
    if chosen not in SELF_SERVICE_ROLES:
        allowed = ", ".join(sorted(r.value for r in SELF_SERVICE_ROLES))
        errors.append(FieldError("role", f"choose one of {allowed}; other roles are granted by an operator"))
    if errors:
        raise ValidationFailed("Registration needs corrections", errors=errors)
    assert chosen is not None
    return chosen


def register(
    db: Database,
    *,
    email: str,
    password: str,
    display_name: str,
    role: str,
    organisation_name: str = "",
    province_code: str | None = None,
) -> int:
    """Create an account (and its organisation when a new name is given); returns the user id."""
    email = email.strip().lower()
    chosen = _validate_registration(email, password, display_name, role)
    with db.transaction() as session:
        if session.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
            raise Conflict("This e-mail is already registered; sign in instead",
                           errors=[FieldError("email", "already registered")])
        org_id: int | None = None
        if organisation_name.strip():
            org = session.scalar(select(OrganisationRow).where(OrganisationRow.name == organisation_name.strip()))
            if org is None:
                kind = _ROLE_ORG_KIND.get(chosen, OrganisationKind.RESEARCH_INSTITUTE)
                org = OrganisationRow(name=organisation_name.strip()[:200], kind=kind.value,
                                      province_code=province_code or None)
                session.add(org)
                session.flush()
            org_id = org.id
        user = UserRow(email=email, display_name=display_name.strip(), password_hash=hash_password(password),
                       roles=[chosen.value], organisation_id=org_id)
        session.add(user)
        session.flush()
        return user.id


def create_user(
    db: Database, *, email: str, password: str, display_name: str, roles: list[Role],
    organisation_id: int | None = None,
) -> int:
    """Operator-side account creation with any roles (used by the CLI and the demo seed)."""
    with db.transaction() as session:
        existing = session.scalar(select(UserRow).where(UserRow.email == email.lower()))
        if existing is not None:
            return existing.id
        user = UserRow(email=email.lower(), display_name=display_name, password_hash=hash_password(password),
                       roles=[r.value for r in roles], organisation_id=organisation_id)
        session.add(user)
        session.flush()
        return user.id


def login(db: Database, settings: Settings, *, email: str, password: str) -> NewSession:
    """Check the password, applying lockout after repeated failures; open a session."""
    now = utcnow()
    failure = AuthenticationRequired("E-mail or password is wrong (邮箱或密码错误)",
                                     errors=[FieldError("password", "e-mail or password is wrong")])
    with db.transaction() as session:
        user = session.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
        if user is None or not user.is_active:
            _hasher.hash(password)  # spend the same time as a real check
            raise failure
        if user.locked_until and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            raise AuthenticationRequired(
                f"Too many failed attempts; try again in {minutes} minute(s) (账户已临时锁定)",
                errors=[FieldError("email", "account temporarily locked")], status=429,
            )
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            user.failed_logins += 1
            if user.failed_logins >= settings.login_max_failures:
                user.locked_until = now + dt.timedelta(minutes=settings.login_lockout_minutes)
                user.failed_logins = 0
        else:
            user.failed_logins = 0
            user.locked_until = None
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
            expires = now + dt.timedelta(days=settings.session_days)
            session.add(UserSessionRow(token_hash=_token_hash(token), user_id=user.id, csrf_token=csrf,
                                       created_at=now, expires_at=expires))
            return NewSession(token, csrf, expires, _actor(user, csrf))
    raise failure


def logout(db: Database, token: str) -> None:
    with db.transaction() as session:
        session.execute(delete(UserSessionRow).where(UserSessionRow.token_hash == _token_hash(token)))


def actor_for_token(db: Database, token: str | None) -> Actor:
    """The actor a session cookie stands for, or the anonymous actor."""
    if not token:
        return ANONYMOUS
    with db.read() as session:
        row = session.execute(
            select(UserSessionRow, UserRow)
            .join(UserRow, UserRow.id == UserSessionRow.user_id)
            .where(UserSessionRow.token_hash == _token_hash(token))
        ).first()
        if row is None:
            return ANONYMOUS
        sess, user = row
        if sess.expires_at <= utcnow() or not user.is_active:
            return ANONYMOUS
        return _actor(user, sess.csrf_token)


def _actor(user: UserRow, csrf: str) -> Actor:
    roles = frozenset(Role(r) for r in user.roles if r in Role._value2member_map_)
    return Actor(user_id=user.id, display_name=user.display_name, roles=roles,
                 organisation_id=user.organisation_id, csrf_token=csrf)
