"""技术经理人 case tables: cases, tasks, documents, relay-incubation hand-offs and the case history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.storage.tables.base import Base, Timestamps, utcnow


class CaseRow(Timestamps, Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(30), default="discovery", index=True)
    closed_from: Mapped[str | None] = mapped_column(String(30))
    stage_entered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demands.id"), index=True)
    technology_id: Mapped[int | None] = mapped_column(ForeignKey("technologies.id"), index=True)
    team_application_id: Mapped[int | None] = mapped_column(ForeignKey("challenge_applications.id"))
    seller_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    buyer_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    host_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    manager_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    source: Mapped[str] = mapped_column(String(20), default="manual")
    source_id: Mapped[int | None] = mapped_column(Integer)
    contract_status: Mapped[str | None] = mapped_column(String(30))
    contract_ref: Mapped[str | None] = mapped_column(String(100))
    sample_data: Mapped[bool] = mapped_column(Boolean, default=False)


class CaseTaskRow(Timestamps, Base):
    __tablename__ = "case_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_by_user_id: Mapped[int | None] = mapped_column(Integer)


class CaseDocumentRow(Base):
    __tablename__ = "case_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str] = mapped_column(String(500), default="")
    added_by_user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CaseHandoffRow(Base):
    """Relay incubation (接力孵化): the case or venture moved from one host organisation to another."""

    __tablename__ = "case_handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    from_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    to_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    host_kind: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)


class CaseEventRow(Base):
    """The history of a case: stage changes (with reasons), notes, tasks, documents, hand-offs."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    from_stage: Mapped[str | None] = mapped_column(String(30))
    to_stage: Mapped[str | None] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
