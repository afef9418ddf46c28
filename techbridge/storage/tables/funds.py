"""Fund profiles (投资基金): stages, sectors, ticket range, regions and preferences."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.storage.tables.base import Base, Timestamps


class FundRow(Timestamps, Base):
    __tablename__ = "funds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    stages: Mapped[list[str]] = mapped_column(default=list)
    sectors: Mapped[list[str]] = mapped_column(default=list)
    regions: Mapped[list[str]] = mapped_column(default=list)
    ticket_min_wan: Mapped[float] = mapped_column(Float)
    ticket_max_wan: Mapped[float] = mapped_column(Float)
    fund_size_wan: Mapped[float | None] = mapped_column(Float)
    hard_tech_preference: Mapped[bool] = mapped_column(Boolean, default=False)
    early_stage_preference: Mapped[bool] = mapped_column(Boolean, default=False)
    government_guidance: Mapped[bool] = mapped_column(Boolean, default=False)
    thesis: Mapped[str | None] = mapped_column(Text)
    sample_data: Mapped[bool] = mapped_column(Boolean, default=False)
