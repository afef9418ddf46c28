"""The state machine and the contract policy, exhaustively: every state × action, every role × side."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from techbridge.domain.contract_codes import FOREIGN_REGION
from techbridge.domain.contract_workflow import (
    TRANSITIONS,
    Action,
    ContractFacts,
    Side,
    State,
    allowed_actions,
    deadline_for,
    guard_problem,
    may_create,
    may_edit,
    may_view,
    side_allows,
)
from techbridge.domain.roles import Role
from techbridge.domain.workdays import load_calendar, load_rules

SELLER, BUYER = 10, 20

LEGAL = {
    (State.DRAFT, Action.SUBMIT): State.SUBMITTED,
    (State.SUBMITTED, Action.ACCEPT): State.ACCEPTED,
    (State.ACCEPTED, Action.REQUEST_SUPPLEMENT): State.NEEDS_SUPPLEMENT,
    (State.NEEDS_SUPPLEMENT, Action.SUPPLEMENT): State.ACCEPTED,
    (State.ACCEPTED, Action.START_REVIEW): State.UNDER_REVIEW,
    (State.UNDER_REVIEW, Action.REFER_EXPERTS): State.EXPERT_REVIEW,
    (State.UNDER_REVIEW, Action.REGISTER): State.REGISTERED,
    (State.EXPERT_REVIEW, Action.REGISTER): State.REGISTERED,
    (State.UNDER_REVIEW, Action.REJECT): State.REJECTED,
    (State.EXPERT_REVIEW, Action.REJECT): State.REJECTED,
    (State.REGISTERED, Action.AMEND): State.AMENDED,
    (State.AMENDED, Action.AMEND): State.AMENDED,
    (State.REGISTERED, Action.CANCEL): State.CANCELLED,
    (State.AMENDED, Action.CANCEL): State.CANCELLED,
    (State.REGISTERED, Action.OBJECT): State.OBJECTION,
    (State.AMENDED, Action.OBJECT): State.OBJECTION,
    (State.REJECTED, Action.OBJECT): State.OBJECTION,
    (State.OBJECTION, Action.UPHOLD_REGISTRATION): State.REGISTERED,
    (State.OBJECTION, Action.UPHOLD_REJECTION): State.REJECTED,
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
def test_every_state_and_action(state: State, action: Action) -> None:
    transition = TRANSITIONS[action]
    expected = LEGAL.get((state, action))
    if expected is None:
        assert state not in transition.sources, f"{action} from {state} must be illegal"
    else:
        assert state in transition.sources and transition.target is expected


def test_table_has_exactly_the_documented_transitions() -> None:
    table = {(s, a): t.target for a, t in TRANSITIONS.items() for s in t.sources}
    assert table == LEGAL


def test_terminal_states_have_no_way_out() -> None:
    assert not any(State.CANCELLED in t.sources for t in TRANSITIONS.values())


@dataclass(frozen=True)
class FakeActor:
    user_id: int | None
    roles: frozenset[Role] = field(default_factory=frozenset)
    organisation_id: int | None = None


ACTORS = {
    "anonymous": FakeActor(None),
    "operator": FakeActor(1, frozenset({Role.OPERATOR})),
    "registry_officer": FakeActor(2, frozenset({Role.REGISTRY_OFFICER})),
    "manager_creator": FakeActor(3, frozenset({Role.TECHNOLOGY_MANAGER})),
    "manager_other": FakeActor(4, frozenset({Role.TECHNOLOGY_MANAGER})),
    "seller_institution_member": FakeActor(5, frozenset({Role.INSTITUTION_MEMBER}), SELLER),
    "seller_enterprise_member": FakeActor(6, frozenset({Role.ENTERPRISE_MEMBER}), SELLER),
    "buyer_member": FakeActor(7, frozenset({Role.ENTERPRISE_MEMBER}), BUYER),
    "outsider_member": FakeActor(8, frozenset({Role.ENTERPRISE_MEMBER}), 99),
    "investor": FakeActor(9, frozenset({Role.INVESTOR})),
    "expert": FakeActor(11, frozenset({Role.EXPERT})),
    "seller_investor": FakeActor(12, frozenset({Role.INVESTOR}), SELLER),
}
SIDES: dict[Side, set[str]] = {
    Side.FILER: {"operator", "manager_creator", "seller_institution_member", "seller_enterprise_member"},
    Side.OFFICER: {"operator", "registry_officer"},
    Side.PARTY: {"operator", "manager_creator", "seller_institution_member", "seller_enterprise_member",
                 "buyer_member"},
}


def facts(state: State = State.DRAFT, **kw: object) -> ContractFacts:
    base: dict[str, object] = {"state": state, "seller_organisation_id": SELLER, "buyer_organisation_id": BUYER,
                               "seller_stats_region": "110000", "created_by_user_id": 3}
    base.update(kw)
    return ContractFacts(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("who", list(ACTORS))
def test_every_role_for_every_action(action: Action, who: str) -> None:
    transition = TRANSITIONS[action]
    state = next(iter(sorted(transition.sources)))
    allowed = side_allows(ACTORS[who], facts(state), transition.side)
    assert allowed is (who in SIDES[transition.side]), f"{who} on {action} ({transition.side})"


def test_import_is_filed_by_the_domestic_buyer() -> None:
    imported = facts(seller_stats_region=FOREIGN_REGION)
    assert side_allows(ACTORS["buyer_member"], imported, Side.FILER)
    assert not side_allows(ACTORS["seller_institution_member"], imported, Side.FILER)


@pytest.mark.parametrize("who", list(ACTORS))
def test_create_edit_view(who: str) -> None:
    actor = ACTORS[who]
    creators = {"operator", "manager_creator", "manager_other", "seller_institution_member",
                "seller_enterprise_member", "buyer_member", "outsider_member"}
    assert may_create(actor) is (who in creators)
    assert may_edit(actor, facts(State.DRAFT)) is (who in SIDES[Side.FILER])
    assert may_edit(actor, facts(State.NEEDS_SUPPLEMENT)) is (who in SIDES[Side.FILER])
    assert not may_edit(actor, facts(State.SUBMITTED))
    viewers = SIDES[Side.PARTY] | SIDES[Side.OFFICER]
    assert may_view(actor, facts(State.UNDER_REVIEW)) is (who in viewers)
    assert may_view(actor, facts(State.EXPERT_REVIEW)) is (who in viewers | {"expert"})


def test_expert_review_guards() -> None:
    small, large = facts(State.UNDER_REVIEW), facts(State.UNDER_REVIEW, expert_required=True)
    disputed = facts(State.UNDER_REVIEW, disputed=True)
    assert guard_problem(Action.REFER_EXPERTS, small) is not None
    assert guard_problem(Action.REGISTER, small) is None
    for case in (large, disputed):
        assert guard_problem(Action.REFER_EXPERTS, case) is None
        assert guard_problem(Action.REGISTER, case) is not None
    assert guard_problem(Action.REGISTER, facts(State.EXPERT_REVIEW, expert_required=True)) is None
    officer = ACTORS["registry_officer"]
    assert Action.REGISTER in allowed_actions(officer, small)
    assert allowed_actions(officer, large) == [Action.REFER_EXPERTS, Action.REJECT]


def test_deadlines_in_working_days() -> None:
    rules, cal = load_rules(), load_calendar()
    accepted = deadline_for(State.ACCEPTED, dt.date(2025, 9, 26), rules, cal, large=False)
    assert accepted is not None and accepted.working_days == 15
    # 15 working days from Fri 2025-09-26: 09-28 (Sun) counts, 10-01..08 do not, 10-11 (Sat) counts.
    assert accepted.due_on == dt.date(2025, 10, 23)
    assert accepted.calendar_complete
    large = deadline_for(State.EXPERT_REVIEW, dt.date(2025, 9, 26), rules, cal, large=True)
    assert large is not None and large.working_days == 30
    assert deadline_for(State.REGISTERED, dt.date(2025, 9, 26), rules, cal, large=False) is None
    later = deadline_for(State.SUBMITTED, dt.date(2030, 1, 7), rules, cal, large=False)
    assert later is not None and not later.calendar_complete
    assert later.overdue(dt.date(2030, 2, 1)) and not later.overdue(later.due_on)
