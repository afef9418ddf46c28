"""The case state machine, exhaustively: every (action, from, to) pair with every party, gates, reasons,
time in stage, the funnel and the hand-off rule."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from techbridge.domain import cases as rules
from techbridge.domain.cases import CASE_ACTIONS, FORWARD, ORDER, CaseParty, Stage
from techbridge.errors import IllegalTransition, PermissionDenied, ValidationFailed

ALL_DOCS = ("nda", "loi")
MOVERS = frozenset({CaseParty.MANAGER, CaseParty.OPERATOR})


def _legal(action: str, current: Stage, target: Stage) -> bool:
    active = rules.ACTIVE_STAGES
    if action == "advance":
        return target in FORWARD.get(current, frozenset())
    if action == "move_back":
        return current in active and target in active and ORDER[target] < ORDER[current]
    if action == "close":
        return current in active and target is Stage.CLOSED
    return current is Stage.CLOSED and target is Stage.EVALUATION  # reopen to the stage it was closed in


@pytest.mark.parametrize(("action", "current", "target"),
                         list(itertools.product(rules.MOVES, Stage, Stage)))
def test_every_move(action: str, current: Stage, target: Stage) -> None:
    def go() -> rules.Move:
        return rules.check_move(action, current, target, parties=frozenset({CaseParty.MANAGER}), reason="why",
                                documents=ALL_DOCS, closed_from=Stage.EVALUATION)

    if action in ("close", "reopen"):
        # close and reopen ignore the requested target: close goes to closed, reopen to where it was closed
        legal = (current in rules.ACTIVE_STAGES) if action == "close" else current is Stage.CLOSED
        if legal:
            assert go().target is (Stage.CLOSED if action == "close" else Stage.EVALUATION)
        else:
            with pytest.raises(IllegalTransition):
                go()
        return
    if _legal(action, current, target):
        assert go() == rules.Move(action, current, target)
    else:
        with pytest.raises(IllegalTransition):
            go()


@pytest.mark.parametrize(("action", "party"), list(itertools.product(rules.MOVES, CaseParty)))
def test_every_party_on_every_move(action: str, party: CaseParty) -> None:
    current, target = {"advance": (Stage.DISCOVERY, Stage.EVALUATION), "move_back": (Stage.CONTRACT, Stage.DISCOVERY),
                       "close": (Stage.PILOT, None), "reopen": (Stage.CLOSED, None)}[action]
    def go() -> rules.Move:
        return rules.check_move(action, current, target, parties=frozenset({party}), reason="why",
                                closed_from=Stage.PILOT)

    if party in MOVERS:
        go()
    else:
        with pytest.raises(PermissionDenied):
            go()


@pytest.mark.parametrize(("action", "party"), list(itertools.product(CASE_ACTIONS, CaseParty)))
def test_policy_table(action: str, party: CaseParty) -> None:
    if party in CASE_ACTIONS[action]:
        rules.require_party(action, frozenset({party}))
    else:
        with pytest.raises(PermissionDenied):
            rules.require_party(action, frozenset({party}))


@pytest.mark.parametrize(("action", "current", "target"), [
    ("move_back", Stage.CONTRACT, Stage.NEGOTIATION), ("close", Stage.PILOT, None), ("reopen", Stage.CLOSED, None)])
def test_reason_required_on_back_close_reopen(action: str, current: Stage, target: Stage | None) -> None:
    with pytest.raises(ValidationFailed) as info:
        rules.check_move(action, current, target, parties=MOVERS, reason=" ")
    assert info.value.errors[0].field == "reason"


def test_advance_needs_no_reason_and_defaults_to_the_next_stage() -> None:
    assert rules.check_move("advance", Stage.EVALUATION, None, parties=MOVERS).target is Stage.INCUBATION
    assert rules.check_move("advance", Stage.REGISTRATION, None, parties=MOVERS).target is Stage.PILOT


@pytest.mark.parametrize(("current", "target", "document"), [
    (Stage.MATCHMAKING, Stage.NEGOTIATION, "nda"), (Stage.NEGOTIATION, Stage.CONTRACT, "loi")])
def test_gates(current: Stage, target: Stage, document: str) -> None:
    with pytest.raises(IllegalTransition, match=document.upper()):
        rules.check_move("advance", current, target, parties=MOVERS, documents=())
    assert rules.check_move("advance", current, target, parties=MOVERS, documents=(document,)).target is target


def test_reopen_goes_back_to_where_it_was_closed() -> None:
    assert rules.check_move("reopen", Stage.CLOSED, None, parties=MOVERS, reason="buyer is back",
                            closed_from=Stage.NEGOTIATION).target is Stage.NEGOTIATION


def test_legal_moves_agree_with_check_move() -> None:
    for stage in Stage:
        for action, target in rules.legal_moves(stage):
            rules.check_move(action, stage, target, parties=MOVERS, reason="r", documents=ALL_DOCS,
                             closed_from=Stage.DISCOVERY)


def test_time_in_stage_adds_up_visits() -> None:
    t0 = dt.datetime(2026, 1, 1)
    changes = [(t0, Stage.DISCOVERY), (t0 + dt.timedelta(days=10), Stage.EVALUATION),
               (t0 + dt.timedelta(days=15), Stage.DISCOVERY), (t0 + dt.timedelta(days=17), Stage.EVALUATION)]
    totals = rules.time_in_stage(changes, t0 + dt.timedelta(days=20, hours=12))
    assert totals == {Stage.DISCOVERY: Decimal("12.0"), Stage.EVALUATION: Decimal("8.5")}


def test_overdue_in_stage() -> None:
    t0 = dt.datetime(2026, 1, 1)
    assert not rules.overdue_in_stage(Stage.DISCOVERY, t0, t0 + dt.timedelta(days=14))
    assert rules.overdue_in_stage(Stage.DISCOVERY, t0, t0 + dt.timedelta(days=14, seconds=1))
    assert not rules.overdue_in_stage(Stage.CLOSED, t0, t0 + dt.timedelta(days=999))


def test_funnel_counts_and_rates() -> None:
    reached = [frozenset({Stage.DISCOVERY}), frozenset({Stage.DISCOVERY, Stage.MATCHMAKING}),
               frozenset({Stage.DISCOVERY, Stage.MATCHMAKING, Stage.NEGOTIATION, Stage.CONTRACT}),
               frozenset({Stage.MATCHMAKING, Stage.NEGOTIATION, Stage.CONTRACT, Stage.REGISTRATION, Stage.PILOT}),
               frozenset({Stage.CLOSED, Stage.DISCOVERY})]
    steps = rules.funnel(reached)
    assert [(s.step, s.count) for s in steps] == [("matches", 5), ("contacts", 3), ("ndas", 2), ("contracts", 2),
                                                  ("production", 1)]
    assert [s.rate_from_previous for s in steps] == [None, Decimal("60.0"), Decimal("66.7"), Decimal("100.0"),
                                                     Decimal("50.0")]
    assert steps[-1].rate_from_start == Decimal("20.0")
    with_extra = rules.funnel(reached, extra_matches=5)
    assert with_extra[0].count == 10 and with_extra[1].rate_from_previous == Decimal("30.0")
    assert rules.funnel([])[1].rate_from_previous is None


def test_handoff_rule() -> None:
    rules.check_handoff(1, 2, Stage.INCUBATION)
    rules.check_handoff(None, 2, Stage.DISCOVERY)
    with pytest.raises(ValidationFailed):
        rules.check_handoff(2, 2, Stage.INCUBATION)
    for stage in (Stage.CLOSED, Stage.COMPLETED):
        with pytest.raises(IllegalTransition):
            rules.check_handoff(1, 2, stage)
