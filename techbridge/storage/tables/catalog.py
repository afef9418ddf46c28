"""Catalog tables: organisations, people, technologies (成果) and demands (需求)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.storage.tables.base import Base, Timestamps


class OrganisationRow(Timestamps, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    size: Mapped[str | None] = mapped_column(String(20))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    province_code: Mapped[str | None] = mapped_column(String(6), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    sample_data: Mapped[bool] = mapped_column(Boolean, default=False)


class PersonRow(Timestamps, Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    roles: Mapped[list[str]] = mapped_column(default=list)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    expertise: Mapped[list[str]] = mapped_column(default=list)
    technology_fields: Mapped[list[str]] = mapped_column(default=list)
    bio: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(5), default="zh")
    sample_data: Mapped[bool] = mapped_column(Boolean, default=False)


class ListingColumns(Timestamps):
    """Columns every listing (technology or demand) has: ownership, place, freshness, visibility."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    keywords: Mapped[list[str]] = mapped_column(default=list)
    technology_field: Mapped[str | None] = mapped_column(String(10), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(10), index=True)
    discipline: Mapped[str | None] = mapped_column(String(100))
    province_code: Mapped[str | None] = mapped_column(String(6), index=True)
    status: Mapped[str] = mapped_column(String(20), default="listed", index=True)
    visibility: Mapped[str] = mapped_column(String(20), default="public")
    lang: Mapped[str] = mapped_column(String(5), default="zh")
    listed_at: Mapped[dt.date] = mapped_column(Date)
    confirmed_at: Mapped[dt.date] = mapped_column(Date)
    expires_at: Mapped[dt.date] = mapped_column(Date, index=True)
    sample_data: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_user_id: Mapped[int | None] = mapped_column(Integer)


class TechnologyRow(ListingColumns, Base):
    __tablename__ = "technologies"

    abstract: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(30), default="other")
    ipc_subclasses: Mapped[list[str]] = mapped_column(default=list)
    patent_number: Mapped[str | None] = mapped_column(String(60))
    legal_status: Mapped[str | None] = mapped_column(String(60))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    trl: Mapped[int | None] = mapped_column(Integer, index=True)
    stage: Mapped[str | None] = mapped_column(String(30))
    transaction_mode: Mapped[str | None] = mapped_column(String(40))
    price_wan: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    indicators: Mapped[str | None] = mapped_column(Text)
    application_scenarios: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(200))
    manager_engaged: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_technologies_listed_at", "listed_at"),)


class DemandRow(ListingColumns, Base):
    __tablename__ = "demands"

    description: Mapped[str] = mapped_column(Text)
    technical_key: Mapped[str | None] = mapped_column(Text)
    expected_goal: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    budget_wan: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    solution_mode: Mapped[str | None] = mapped_column(String(30))
    preferred_partner: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    wanted_stage: Mapped[str | None] = mapped_column(String(30))

    __table_args__ = (Index("ix_demands_listed_at", "listed_at"),)
