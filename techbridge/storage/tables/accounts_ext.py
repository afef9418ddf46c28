"""Accounts area tables: organisation membership, login attempts (rate limiting), assigned technology
managers, NDA acceptances, the audit log and saved searches."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.storage.tables.base import Base, utcnow


class MembershipRow(Base):
    """A user belongs to an organisation; admins of the organisation manage its members."""

    __tablename__ = "organisation_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by_user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("organisation_id", "user_id", name="uq_organisation_members_pair"),)


class LoginAttemptRow(Base):
    """One sign-in attempt; failures in a time window drive the per-IP and per-account limits."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    ip: Mapped[str] = mapped_column(String(64), default="", index=True)
    email: Mapped[str] = mapped_column(String(200), default="", index=True)
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class ListingManagerRow(Base):
    """The technology manager (技术经理人) an operator assigned to a listing."""

    __tablename__ = "listing_managers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    listing_kind: Mapped[str] = mapped_column(String(20))
    listing_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_user_id: Mapped[int | None] = mapped_column(Integer)
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("listing_kind", "listing_id", "user_id", name="uq_listing_managers_triple"),
        Index("ix_listing_managers_listing", "listing_kind", "listing_id"),
    )


class NdaAcceptanceRow(Base):
    """A click-through NDA accepted by one user for one listing: which text version, when, from where."""

    __tablename__ = "nda_acceptances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    listing_kind: Mapped[str] = mapped_column(String(20))
    listing_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nda_version: Mapped[int] = mapped_column(Integer)
    text_sha256: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ip: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (
        UniqueConstraint("listing_kind", "listing_id", "user_id", "nda_version", name="uq_nda_acceptances_quad"),
        Index("ix_nda_acceptances_listing", "listing_kind", "listing_id"),
    )


class AuditRow(Base):
    """One audited event: a change to stored data, or a view of confidential details."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(30), index=True)
    entity_kind: Mapped[str] = mapped_column(String(60), index=True)
    entity_id: Mapped[str] = mapped_column(String(60), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ip: Mapped[str] = mapped_column(String(64), default="")
    path: Mapped[str] = mapped_column(String(300), default="")


class SavedSearchRow(Base):
    """A user's named search over technologies or demands (the query string of the list page)."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    query: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
