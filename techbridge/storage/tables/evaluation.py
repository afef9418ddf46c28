"""Evaluation tables: the stored market-value score of each technology (with breakdown and evidence) and the
self / second-party / third-party evaluation records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.storage.tables.base import Base, Timestamps, utcnow


class MarketValueScoreRow(Base):
    __tablename__ = "market_value_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    technology_id: Mapped[int] = mapped_column(ForeignKey("technologies.id", ondelete="CASCADE"), unique=True)
    total: Mapped[float] = mapped_column(Float, index=True)
    breakdown: Mapped[dict[str, Any]] = mapped_column(default=dict)
    evidence_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(20))
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class EvaluationRecordRow(Timestamps, Base):
    __tablename__ = "evaluation_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    technology_id: Mapped[int] = mapped_column(ForeignKey("technologies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    evaluator: Mapped[str] = mapped_column(String(200))
    trl: Mapped[int | None] = mapped_column(Integer)
    maturity_score: Mapped[float | None] = mapped_column(Float)
    innovation_score: Mapped[float | None] = mapped_column(Float)
    advancement_score: Mapped[float | None] = mapped_column(Float)
    value_scientific: Mapped[float | None] = mapped_column(Float)
    value_technical: Mapped[float | None] = mapped_column(Float)
    value_economic: Mapped[float | None] = mapped_column(Float)
    value_social: Mapped[float | None] = mapped_column(Float)
    value_cultural: Mapped[float | None] = mapped_column(Float)
    market_value_wan: Mapped[float | None] = mapped_column(Float)
    pricing_method: Mapped[str | None] = mapped_column(String(30))
    report_file: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    created_by_user_id: Mapped[int | None] = mapped_column(Integer)
    sample_data: Mapped[bool] = mapped_column(Boolean, default=False)
