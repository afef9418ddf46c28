"""揭榜挂帅 challenge-call tables: calls, milestones, applications, panel, reviews, objections, awards,
milestone reviews, invitations and the audit trail (one event per step)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.storage.tables.base import Base, Timestamps, utcnow


class ChallengeCallRow(Timestamps, Base):
    __tablename__ = "challenge_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    issuer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demands.id"))
    technology_field: Mapped[str | None] = mapped_column(String(10), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(10))
    background: Mapped[str] = mapped_column(Text)
    goals: Mapped[str] = mapped_column(Text)
    metrics: Mapped[list[Any]] = mapped_column(default=list)
    deliverables: Mapped[str] = mapped_column(Text)
    period_months: Mapped[int] = mapped_column(Integer)
    reward_fen: Mapped[int] = mapped_column(BigInteger)
    cofunding_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    eligibility: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[dt.date] = mapped_column(Date, index=True)
    contact: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    notice_days: Mapped[int] = mapped_column(Integer, default=5)
    notice_until: Mapped[dt.date | None] = mapped_column(Date)
    min_reviews: Mapped[int] = mapped_column(Integer, default=3)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sample_data: Mapped[bool] = mapped_column(Boolean, default=False)


class ChallengeMilestoneRow(Base):
    __tablename__ = "challenge_milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("challenge_calls.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    due_month: Mapped[int] = mapped_column(Integer)
    share_bp: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[str] = mapped_column(Text, default="")


class ChallengeApplicationRow(Timestamps, Base):
    __tablename__ = "challenge_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("challenge_calls.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    team_name: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(Text)
    team: Mapped[list[Any]] = mapped_column(default=list)
    member_person_ids: Mapped[list[Any]] = mapped_column(default=list)
    prior_technology_ids: Mapped[list[Any]] = mapped_column(default=list)
    prior_results: Mapped[str] = mapped_column(Text, default="")
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)

    __table_args__ = (UniqueConstraint("call_id", "organisation_id", name="uq_challenge_applications_call_org"),)


class ChallengePanelRow(Base):
    __tablename__ = "challenge_panel"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("challenge_calls.id", ondelete="CASCADE"), index=True)
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (UniqueConstraint("call_id", "expert_user_id", name="uq_challenge_panel_call_expert"),)


class ChallengeReviewRow(Timestamps, Base):
    __tablename__ = "challenge_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("challenge_applications.id", ondelete="CASCADE"),
                                                index=True)
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    comment: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("application_id", "expert_user_id", name="uq_challenge_reviews_app_expert"),)


class ChallengeObjectionRow(Timestamps, Base):
    __tablename__ = "challenge_objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("challenge_calls.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("challenge_applications.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    resolution: Mapped[str] = mapped_column(Text, default="")


class ChallengeAwardRow(Timestamps, Base):
    __tablename__ = "challenge_awards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("challenge_calls.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("challenge_applications.id"), unique=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    released_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20), default="active")
    awarded_on: Mapped[dt.date] = mapped_column(Date)


class ChallengeMilestoneReviewRow(Base):
    __tablename__ = "challenge_milestone_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("challenge_awards.id", ondelete="CASCADE"), index=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("challenge_milestones.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    released_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_on: Mapped[dt.date] = mapped_column(Date)
    reviewer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (UniqueConstraint("award_id", "milestone_id", name="uq_challenge_milestone_reviews_pair"),)


class ChallengeInvitationRow(Base):
    __tablename__ = "challenge_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("challenge_calls.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    invited_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ChallengeEventRow(Base):
    """The audit trail of a call: every transition and activity, who did it, when and why."""

    __tablename__ = "challenge_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("challenge_calls.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
