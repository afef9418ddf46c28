"""Technology-contract tables: the registration record, its history, certificate counters, statistics.

Design for scale (10 M contracts): the statistics pages never scan ``contracts``. Every change that
makes a contract count (register, amend, cancel, objection outcome) adds or removes its contribution to
``contract_stat_cells`` in the same transaction. A cell holds count and sums for one combination of a
few dimensions (a *grain*, e.g. year × month × seller region × buyer region); unused dimensions hold
'' or 0, so one unique index serves every grain and its (grain, year) prefix. Published statistics
(the yearbook panel) live apart in ``published_stats`` and are never mixed into registered figures.
Parties are denormalised onto the contract row (core fields as columns, the rest as JSON) so that a
registration is one row, which keeps bulk registration fast.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.storage.tables.base import Base, Timestamps, utcnow

PARTY_COLUMNS = ("name", "credit_code", "country_code", "region_code", "stats_region", "nature",
                 "organisation_id")


class ContractRow(Timestamps, Base):
    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    title: Mapped[str] = mapped_column(String(300))
    contract_type: Mapped[str | None] = mapped_column(String(20))
    subtype: Mapped[str | None] = mapped_column(String(40))
    ipr_type: Mapped[str | None] = mapped_column(String(30))
    plan_source: Mapped[str | None] = mapped_column(String(20))
    payment_mode: Mapped[str | None] = mapped_column(String(30))
    technology_field: Mapped[str | None] = mapped_column(String(10))
    socio_economic_goal: Mapped[str | None] = mapped_column(String(100))
    related_party: Mapped[bool] = mapped_column(Boolean, default=False)
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    expert_required: Mapped[bool] = mapped_column(Boolean, default=False)
    price_yuan: Mapped[int | None] = mapped_column(BigInteger)
    tech_value_yuan: Mapped[int | None] = mapped_column(BigInteger)
    deductions: Mapped[list[Any]] = mapped_column(default=list)
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    start_on: Mapped[dt.date | None] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date)
    expected_investment_yuan: Mapped[int | None] = mapped_column(BigInteger)
    expected_output_yuan: Mapped[int | None] = mapped_column(BigInteger)

    seller_name: Mapped[str] = mapped_column(String(200))
    seller_credit_code: Mapped[str | None] = mapped_column(String(18))
    seller_country_code: Mapped[str] = mapped_column(String(3), default="156")
    seller_region_code: Mapped[str | None] = mapped_column(String(6))
    seller_stats_region: Mapped[str] = mapped_column(String(6), default="")
    seller_nature: Mapped[str | None] = mapped_column(String(3))
    seller_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    seller_detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_credit_code: Mapped[str | None] = mapped_column(String(18))
    buyer_country_code: Mapped[str] = mapped_column(String(3), default="156")
    buyer_region_code: Mapped[str | None] = mapped_column(String(6))
    buyer_stats_region: Mapped[str] = mapped_column(String(6), default="")
    buyer_nature: Mapped[str | None] = mapped_column(String(3))
    buyer_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    buyer_detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    intermediary: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    technology_id: Mapped[int | None] = mapped_column(ForeignKey("technologies.id"))
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demands.id"))
    source: Mapped[str | None] = mapped_column(String(20))
    source_id: Mapped[str | None] = mapped_column(String(60))

    created_by_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    state_entered_on: Mapped[dt.date | None] = mapped_column(Date)
    clock_started_on: Mapped[dt.date | None] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    stat_year: Mapped[int | None] = mapped_column(Integer)
    stat_month: Mapped[int | None] = mapped_column(Integer)
    certificate_number: Mapped[str | None] = mapped_column(String(16), unique=True)
    registry_region: Mapped[str | None] = mapped_column(String(6))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    counted: Mapped[bool] = mapped_column(Boolean, default=False)
    sample_data: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_contracts_status_due", "status", "due_on"),
        Index("ix_contracts_stat_year", "stat_year"),
    )


class ContractEventRow(Base):
    """One workflow step, with who took it and why: the contract's audit trail."""

    __tablename__ = "contract_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ContractNumberCounterRow(Base):
    """Last sequence number used per registry region and year (the last 6 digits of 登记编号)."""

    __tablename__ = "contract_number_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    registry_region: Mapped[str] = mapped_column(String(6), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


STAT_DIMENSIONS = ("year", "month", "contract_type", "technology_field", "ipr_type", "plan_source",
                   "seller_nature", "buyer_nature", "seller_region", "buyer_region")


class ContractStatCellRow(Base):
    """Pre-aggregated count and sums of registered contracts for one grain and combination of dimensions."""

    __tablename__ = "contract_stat_cells"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grain: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer, default=0)
    month: Mapped[int] = mapped_column(Integer, default=0)
    contract_type: Mapped[str] = mapped_column(String(20), default="")
    technology_field: Mapped[str] = mapped_column(String(10), default="")
    ipr_type: Mapped[str] = mapped_column(String(30), default="")
    plan_source: Mapped[str] = mapped_column(String(20), default="")
    seller_nature: Mapped[str] = mapped_column(String(3), default="")
    buyer_nature: Mapped[str] = mapped_column(String(3), default="")
    seller_region: Mapped[str] = mapped_column(String(6), default="")
    buyer_region: Mapped[str] = mapped_column(String(6), default="")
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    price_yuan: Mapped[int] = mapped_column(BigInteger, default=0)
    tech_value_yuan: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        Index("uq_contract_stat_cells_key", "grain", *STAT_DIMENSIONS, unique=True),
    )


class PublishedStatRow(Base):
    """An official figure (yearbook panel, national series), kept apart from registered contracts.

    ``direction`` is ``output`` (输出, by seller region) or ``input`` (吸纳, by buyer region); the national
    total has region '000000'. Values are whole yuan (the panel gives 万元).
    """

    __tablename__ = "published_stats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(6))
    direction: Mapped[str] = mapped_column(String(10))
    n: Mapped[int | None] = mapped_column(BigInteger)
    price_yuan: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(300), default="")

    __table_args__ = (
        Index("uq_published_stats_key", "dataset", "year", "region", "direction", unique=True),
    )
