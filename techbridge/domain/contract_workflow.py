"""The registration workflow (认定登记) as a state machine, who may take each step, and its deadlines.

``draft → submitted → accepted (受理) ⇄ needs_supplement (补正) → under_review → [expert_review] →
registered | rejected``; ``registered → amended | cancelled (注销)``; ``registered | amended | rejected →
objection (异议) → registered | rejected``. The table below is the single source of truth: services,
the web pages (which buttons to show) and the tests all read it. Permissions live here rather than in
the platform-wide roles module because they depend on the contract (whose seller the actor belongs to).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from techbridge.domain.contract_codes import FOREIGN_REGION
from techbridge.domain.roles import Role
from techbridge.domain.workdays import RegistrationRules, WorkCalendar


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    NEEDS_SUPPLEMENT = "needs_supplement"
    UNDER_REVIEW = "under_review"
    EXPERT_REVIEW = "expert_review"
    REGISTERED = "registered"
    REJECTED = "rejected"
    AMENDED = "amended"
    CANCELLED = "cancelled"
    OBJECTION = "objection"


class Action(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT = "supplement"
    START_REVIEW = "start_review"
    REFER_EXPERTS = "refer_experts"
    REGISTER = "register"
    REJECT = "reject"
    AMEND = "amend"
    CANCEL = "cancel"
    OBJECT = "object"
    UPHOLD_REGISTRATION = "uphold_registration"
    UPHOLD_REJECTION = "uphold_rejection"


class Side(StrEnum):
    """Who takes a step: the filing side (seller or its agent), the registry, or either party."""

    FILER = "filer"
    OFFICER = "officer"
    PARTY = "party"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[State]
    target: State
    side: Side
    needs_reason: bool = False


def _t(action: Action, sources: set[State], target: State, side: Side, *, reason: bool = False) -> Transition:
    return Transition(action, frozenset(sources), target, side, reason)


S = State
TRANSITIONS: dict[Action, Transition] = {t.action: t for t in (
    _t(Action.SUBMIT, {S.DRAFT}, S.SUBMITTED, Side.FILER),
    _t(Action.ACCEPT, {S.SUBMITTED}, S.ACCEPTED, Side.OFFICER),
    _t(Action.REQUEST_SUPPLEMENT, {S.ACCEPTED}, S.NEEDS_SUPPLEMENT, Side.OFFICER, reason=True),
    _t(Action.SUPPLEMENT, {S.NEEDS_SUPPLEMENT}, S.ACCEPTED, Side.FILER),
    _t(Action.START_REVIEW, {S.ACCEPTED}, S.UNDER_REVIEW, Side.OFFICER),
    _t(Action.REFER_EXPERTS, {S.UNDER_REVIEW}, S.EXPERT_REVIEW, Side.OFFICER),
    _t(Action.REGISTER, {S.UNDER_REVIEW, S.EXPERT_REVIEW}, S.REGISTERED, Side.OFFICER),
    _t(Action.REJECT, {S.UNDER_REVIEW, S.EXPERT_REVIEW}, S.REJECTED, Side.OFFICER, reason=True),
    _t(Action.AMEND, {S.REGISTERED, S.AMENDED}, S.AMENDED, Side.OFFICER, reason=True),
    _t(Action.CANCEL, {S.REGISTERED, S.AMENDED}, S.CANCELLED, Side.OFFICER, reason=True),
    _t(Action.OBJECT, {S.REGISTERED, S.AMENDED, S.REJECTED}, S.OBJECTION, Side.PARTY, reason=True),
    _t(Action.UPHOLD_REGISTRATION, {S.OBJECTION}, S.REGISTERED, Side.OFFICER),
    _t(Action.UPHOLD_REJECTION, {S.OBJECTION}, S.REJECTED, Side.OFFICER, reason=True),
)}

EDITABLE_STATES = frozenset({S.DRAFT, S.NEEDS_SUPPLEMENT})
COUNTED_STATES = frozenset({S.REGISTERED, S.AMENDED})
FILER_ROLES = frozenset({Role.TECHNOLOGY_MANAGER, Role.ENTERPRISE_MEMBER, Role.INSTITUTION_MEMBER})
MEMBER_ROLES = frozenset({Role.ENTERPRISE_MEMBER, Role.INSTITUTION_MEMBER})


class ActorLike(Protocol):
    @property
    def user_id(self) -> int | None: ...
    @property
    def roles(self) -> frozenset[Role]: ...
    @property
    def organisation_id(self) -> int | None: ...


@dataclass(frozen=True)
class ContractFacts:
    """What the policy needs to know about one contract."""

    state: State
    seller_organisation_id: int | None = None
    buyer_organisation_id: int | None = None
    seller_stats_region: str = ""
    created_by_user_id: int | None = None
    expert_required: bool = False
    disputed: bool = False

    @property
    def filing_side_organisation(self) -> int | None:
        """The seller files, where it is located; for a technology import the domestic buyer files [draft]."""
        if self.seller_stats_region == FOREIGN_REGION:
            return self.buyer_organisation_id
        return self.seller_organisation_id


def is_officer(actor: ActorLike) -> bool:
    return bool(actor.roles & {Role.REGISTRY_OFFICER, Role.OPERATOR})


def is_filer(actor: ActorLike, facts: ContractFacts) -> bool:
    """The filing organisation's members, a technology manager acting as agent who started it, or an operator."""
    if actor.user_id is None:
        return False
    if Role.OPERATOR in actor.roles:
        return True
    if not actor.roles & FILER_ROLES:
        return False
    if actor.organisation_id is not None and actor.organisation_id == facts.filing_side_organisation and \
            actor.roles & MEMBER_ROLES:
        return True
    return Role.TECHNOLOGY_MANAGER in actor.roles and facts.created_by_user_id == actor.user_id


def is_party(actor: ActorLike, facts: ContractFacts) -> bool:
    if is_filer(actor, facts):
        return True
    orgs = {facts.seller_organisation_id, facts.buyer_organisation_id} - {None}
    return actor.user_id is not None and bool(actor.roles & MEMBER_ROLES) and actor.organisation_id in orgs


def may_create(actor: ActorLike) -> bool:
    """Who may open a draft: filers (seller members, technology managers as agents) and operators."""
    return actor.user_id is not None and bool(actor.roles & (FILER_ROLES | {Role.OPERATOR}))


def may_edit(actor: ActorLike, facts: ContractFacts) -> bool:
    return facts.state in EDITABLE_STATES and is_filer(actor, facts)


def may_view(actor: ActorLike, facts: ContractFacts) -> bool:
    if is_officer(actor) or is_party(actor, facts):
        return True
    return Role.EXPERT in actor.roles and facts.state == S.EXPERT_REVIEW


def side_allows(actor: ActorLike, facts: ContractFacts, side: Side) -> bool:
    if side is Side.OFFICER:
        return actor.user_id is not None and is_officer(actor)
    if side is Side.FILER:
        return is_filer(actor, facts)
    return is_party(actor, facts)


def guard_problem(action: Action, facts: ContractFacts) -> str | None:
    """A rule beyond the state that stops a step (None when the step may go ahead)."""
    needs_experts = facts.expert_required or facts.disputed
    if action is Action.REFER_EXPERTS and not needs_experts:
        return "expert review is only for contracts whose 技术交易额 reaches the threshold or that are disputed"
    if action is Action.REGISTER and facts.state == S.UNDER_REVIEW and needs_experts:
        return "this contract needs expert review first (large or disputed): refer it to experts"
    return None


def allowed_actions(actor: ActorLike, facts: ContractFacts) -> list[Action]:
    """The steps this actor may take now (drives the buttons on the contract page)."""
    return [a for a, t in TRANSITIONS.items() if facts.state in t.sources and side_allows(actor, facts, t.side)
            and guard_problem(a, facts) is None]


@dataclass(frozen=True)
class Deadline:
    """The working-day deadline of the current step, from the day the clock (re)started."""

    state: State
    started_on: dt.date
    due_on: dt.date
    working_days: int
    calendar_complete: bool

    def overdue(self, today: dt.date) -> bool:
        return today > self.due_on

    def as_dict(self, today: dt.date) -> dict[str, object]:
        return {"state": self.state.value, "started_on": self.started_on.isoformat(),
                "due_on": self.due_on.isoformat(), "working_days": self.working_days,
                "overdue": self.overdue(today), "calendar_complete": self.calendar_complete}


def deadline_days(state: State, rules: RegistrationRules, *, large: bool) -> int | None:
    """Working days the registry (or, in 补正, the filer) has for the step in ``state``."""
    table: Mapping[State, int] = {
        S.SUBMITTED: rules.acceptance_deadline_working_days,
        S.NEEDS_SUPPLEMENT: rules.supplement_deadline_working_days,
        S.OBJECTION: rules.objection_deadline_working_days,
    }
    if state in (S.ACCEPTED, S.UNDER_REVIEW, S.EXPERT_REVIEW):
        return rules.decision_deadline_large_working_days if large else rules.decision_deadline_working_days
    return table.get(state)


def deadline_for(state: State, clock_started_on: dt.date, rules: RegistrationRules, calendar: WorkCalendar,
                 *, large: bool) -> Deadline | None:
    """The deadline of ``state`` counted from ``clock_started_on``; None for states without one.

    The decision clock starts at 受理 and restarts when a supplement comes back (补正后重新计算).
    """
    days = deadline_days(state, rules, large=large)
    if days is None:
        return None
    due = calendar.add_working_days(clock_started_on, days)
    complete = calendar.covers(clock_started_on) and calendar.covers(due)
    return Deadline(state, clock_started_on, due, days, complete)
